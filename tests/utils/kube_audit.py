"""Counting one client's requests where they enter kube-apiserver: its audit log.

kube-apiserver writes one audit event per request stage for the users its policy names;
:func:`audit_policy` logs the members of some groups at ``Metadata`` level (verb,
resource, user, response code; never a body) and nobody else, so the log costs the
apiserver little. A client given a certificate of its own
(:meth:`tests.utils.kube_cluster.KubeCluster.user_kubeconfig`) is then counted exactly,
watches and retried conflicts included, whatever library it uses; nothing is inferred
from the client side.

:func:`audit_args` are the kube-apiserver flags; :func:`read_requests` reads the log back
as one :class:`Request` per request (its last stage: ``ResponseComplete``, or
``ResponseStarted`` for a watch still open).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def audit_policy(groups: Sequence[str]) -> dict[str, Any]:
    """Metadata-level events for the members of ``groups``; nothing for anyone else."""
    return {
        "apiVersion": "audit.k8s.io/v1",
        "kind": "Policy",
        "omitStages": ["RequestReceived"],
        "rules": [
            {"level": "Metadata", "userGroups": list(groups)},
            {"level": "None"},
        ],
    }


def audit_args(policy_file: Path, log_file: Path) -> list[str]:
    """kube-apiserver flags: the policy, a JSON log without rotation, written as each
    request ends (``blocking``: nothing is dropped under load)."""
    return [
        f"--audit-policy-file={policy_file}",
        f"--audit-log-path={log_file}",
        "--audit-log-format=json",
        "--audit-log-mode=blocking",
        "--audit-log-maxsize=0",
        "--audit-log-maxbackup=0",
    ]


@dataclass(frozen=True)
class Request:
    user: str
    verb: str
    resource: str  # "jobs", "videos/status", "events", ...
    namespace: str
    code: int  # 0 for a watch still open when the log was read

    @property
    def label(self) -> str:
        return f"{self.verb} {self.resource}"


def _request(event: dict[str, Any]) -> Request:
    ref = event.get("objectRef") or {}
    resource = str(ref.get("resource") or event.get("requestURI", "?"))
    if ref.get("subresource"):
        resource = f"{resource}/{ref['subresource']}"
    return Request(
        user=str((event.get("user") or {}).get("username", "")),
        verb=str(event.get("verb", "")),
        resource=resource,
        namespace=str(ref.get("namespace") or ""),
        code=int((event.get("responseStatus") or {}).get("code") or 0),
    )


def read_requests(log_file: Path, user: str | None = None) -> list[Request]:
    """Every request in ``log_file`` (of ``user``, when given), once each."""
    last: dict[str, dict[str, Any]] = {}
    with log_file.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if user is not None and (event.get("user") or {}).get("username") != user:
                continue
            if event.get("stage") == "ResponseStarted" and event["auditID"] in last:
                continue  # a watch's later ResponseComplete was seen first: keep it
            last[event["auditID"]] = event
    return [_request(e) for e in last.values()]


def by_label(requests: Iterable[Request]) -> Counter[str]:
    """Requests counted by ``verb resource``."""
    return Counter(r.label for r in requests)
