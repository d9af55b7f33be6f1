"""Typed, read-only views of the Jobs and Pods the operator watches. Pure parsing.

The Kubernetes client hands back plain JSON (the operator asks for dicts, not its
generated models); these views pick out what reconciliation decides on, so planning
code never digs through nested mappings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import ValidationError

from kinema.media import ProbeSummary
from kinema_operator.video.identity import LABEL_DIGEST, LABEL_STEP, LABEL_SUBTITLES, Step

# The transcoder's JSON progress/error lines and its one-line stderr message.
_ERROR_PREFIX = "error: "


def _condition(obj: dict[str, Any], type_: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == type_ and cond.get("status") == "True":
            found: dict[str, Any] = cond
            return found
    return None


class JobProgress(NamedTuple):
    succeeded: int
    suspended: bool
    complete: bool
    failed_final: bool
    failure_reason: str
    failure_message: str


# A Job as the operator creates it: nothing has happened yet that a Video could act on.
NOT_STARTED = JobProgress(0, False, False, False, "", "")


@dataclass(frozen=True)
class JobView:
    name: str
    digest: str | None
    step: Step | None
    completions: int
    succeeded: int
    failed: int
    active: int
    suspended: bool
    complete: bool
    failed_final: bool
    failure_reason: str
    failure_message: str
    subtitles: str = ""  # the subtitles digest the Job writes ("" on older Jobs)
    started_at: str = ""  # status.startTime (RFC 3339): its pods were first wanted
    ended_at: str = ""  # status.completionTime, else when it was marked Failed

    @classmethod
    def parse(cls, job: dict[str, Any]) -> JobView:
        meta = job.get("metadata") or {}
        labels = meta.get("labels") or {}
        spec = job.get("spec") or {}
        status = job.get("status") or {}
        failed = _condition(job, "Failed")
        step = labels.get(LABEL_STEP)
        return cls(
            name=str(meta.get("name", "")),
            digest=labels.get(LABEL_DIGEST),
            step=Step(str(step)) if step in {s.value for s in Step} else None,
            completions=int(spec.get("completions") or 1),
            succeeded=int(status.get("succeeded") or 0),
            failed=int(status.get("failed") or 0),
            active=int(status.get("active") or 0),
            suspended=bool(spec.get("suspend")),
            complete=_condition(job, "Complete") is not None,
            failed_final=failed is not None,
            failure_reason=str((failed or {}).get("reason") or ""),
            failure_message=str((failed or {}).get("message") or ""),
            subtitles=str(labels.get(LABEL_SUBTITLES) or ""),
            started_at=str(status.get("startTime") or ""),
            ended_at=str(
                status.get("completionTime") or (failed or {}).get("lastTransitionTime") or ""
            ),
        )

    @property
    def finished(self) -> bool:
        return self.complete or self.failed_final

    @property
    def progress(self) -> JobProgress:
        """What of this Job its Video's reconciliation decides on and can change: pods
        that succeeded, suspension (Kueue), the end and why. Not running or ready pod
        counts, finalizers, timestamps: most of a Job's events change only those."""
        return JobProgress(
            self.succeeded,
            self.suspended,
            self.complete,
            self.failed_final,
            self.failure_reason,
            self.failure_message,
        )

    @property
    def fraction_done(self) -> float:
        if self.complete:
            return 1.0
        return min(1.0, self.succeeded / max(1, self.completions))


@dataclass(frozen=True)
class PodView:
    name: str
    job: str
    phase: str
    exit_code: int | None
    reason: str
    message: str
    started: str

    @classmethod
    def parse(cls, pod: dict[str, Any]) -> PodView:
        meta = pod.get("metadata") or {}
        labels = meta.get("labels") or {}
        status = pod.get("status") or {}
        exit_code: int | None = None
        reason = message = ""
        for cs in status.get("containerStatuses") or []:
            terminated = (cs.get("state") or {}).get("terminated")
            if terminated:
                exit_code = terminated.get("exitCode")
                reason = str(terminated.get("reason") or "")
                message = str(terminated.get("message") or "")
        return cls(
            name=str(meta.get("name", "")),
            job=str(labels.get("batch.kubernetes.io/job-name") or labels.get("job-name") or ""),
            phase=str(status.get("phase") or "Pending"),
            exit_code=exit_code,
            reason=reason,
            message=message,
            started=str(status.get("startTime") or meta.get("creationTimestamp") or ""),
        )


def failure_line(message: str) -> str:
    """The one line that says why a transcoder pod failed, from its termination message.

    With ``FallbackToLogsOnError`` the message is the tail of the pod's log: JSON
    progress lines, then the transcoder's ``{"event": "error", ...}`` line and its
    ``error: ...`` line on stderr. Prefer those; else the last non-empty line.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(_ERROR_PREFIX):
            return line.removeprefix(_ERROR_PREFIX)
    for line in reversed(lines):
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict) and event.get("event") == "error":
                return str(event.get("message") or event.get("code") or "")
    return lines[-1] if lines else ""


def last_failure(pods: list[PodView]) -> str:
    """Why the most recent failed pod failed ("" when none did)."""
    failed = sorted((p for p in pods if p.phase == "Failed"), key=lambda p: p.started)
    for pod in reversed(failed):
        line = failure_line(pod.message)
        if line:
            return line
        if pod.exit_code is not None:
            return f"exited with code {pod.exit_code} ({pod.reason or 'Error'})"
    return ""


class ProbeMessageError(ValueError):
    """The probe pod's termination message is not a probe summary."""


def probe_from_pods(pods: list[PodView]) -> ProbeSummary:
    """The probe summary a succeeded probe pod left in its termination message."""
    for pod in pods:
        if pod.phase == "Succeeded" and pod.message.strip():
            try:
                return ProbeSummary.model_validate(json.loads(pod.message))
            except (json.JSONDecodeError, ValidationError) as exc:
                raise ProbeMessageError(
                    f"probe pod {pod.name} left an unreadable summary: {exc}"
                ) from exc
    raise ProbeMessageError("no succeeded probe pod with a termination message was found")
