"""``kinema operator``: run the Kopf operator with Kinema's handlers, in-process.

One replica runs standalone. With ``--peering`` several replicas share a Kopf peering:
the one with the highest priority works, the others pause until it is gone. Kopf
pauses *every* operator when two share a priority, so each process derives its own
from its pod name (or picks one at random).
"""

from __future__ import annotations

import hashlib
import os
import secrets

import kopf

MAX_PRIORITY = 10_000


def default_priority(pod_name: str | None) -> int:
    """A priority unique enough per replica: hashed from the pod name when there is one."""
    if pod_name:
        digest = hashlib.sha256(pod_name.encode()).digest()
        return 1 + int.from_bytes(digest[:4], "big") % MAX_PRIORITY
    return 1 + secrets.randbelow(MAX_PRIORITY)


def run_operator(
    *,
    namespaces: list[str],
    liveness: str | None,
    verbose: bool,
    peering: str | None = None,
    priority: int | None = None,
) -> None:
    # Importing the module registers its handlers with Kopf's default registry.
    import kinema_operator.handlers  # noqa: F401

    kopf.configure(verbose=verbose)
    kopf.run(
        standalone=peering is None,
        peering_name=peering,
        priority=priority if priority is not None else default_priority(os.environ.get("POD_NAME")),
        clusterwide=not namespaces,
        namespaces=namespaces,
        liveness_endpoint=liveness,
    )
