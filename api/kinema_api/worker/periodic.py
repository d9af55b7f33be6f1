"""A background thread of ``kinema up`` that does one piece of work now and then.

:class:`Periodic` runs :meth:`Periodic.once` after ``first_delay_s``, then every
:meth:`Periodic.delay_s`, until ``stopping`` is set. Subclasses are dataclasses that give
those fields and say what one run is and what a failed run logs; the thread is a daemon,
so a run that is under way never holds the process at exit.
"""

from __future__ import annotations

import threading
from typing import ClassVar


class Periodic:
    thread_name: ClassVar[str]
    stopping: threading.Event
    first_delay_s: float
    _thread: threading.Thread | None = None

    def once(self) -> None:
        """One run; catches and logs what a next run may get past."""
        raise NotImplementedError

    def delay_s(self) -> float:
        """How long after a run the next one starts."""
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.first_delay_s
        while not self.stopping.wait(delay):
            self.once()
            delay = self.delay_s()
