"""What can go wrong while the harness brings up a real service.

::

    HarnessError
    ├── BinaryNotFound     a service's executable is not installed here
    └── ServiceStartError  the process exited early or never became ready

Fixtures turn ``BinaryNotFound`` into a skip (or a failure in CI) and
``ServiceStartError`` into a failure that carries the tail of the service's log.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the test harness raises."""


class BinaryNotFound(HarnessError):
    """A binary a fixture needs is missing; the message names it and the fix."""

    def __init__(self, binary: str, looked_in: str) -> None:
        self.binary = binary
        super().__init__(
            f"{binary} not found (looked in {looked_in}): run scripts/bootstrap to install it"
        )


class ServiceStartError(HarnessError):
    """A service did not come up; the message ends with the tail of its log."""
