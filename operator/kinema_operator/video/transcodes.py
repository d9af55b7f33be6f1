"""What the catalog's ``transcode_jobs`` keeps about a Video's Jobs. Pure.

The embedded worker pool writes one ``transcode_jobs`` row per transcode; the admin's
Pipeline page reads them (queue, states, encode speed, failures). In a cluster the work
is the Kubernetes Jobs of one output (probe, transcode, then package when chunked), and
:func:`transcode_record` says what its row holds after a decision: one row per output
digest, keyed by the name of its transcode Job (``k8s:<namespace>/<job>``, which the
pool never claims), so a restart or a repeated reconcile rewrites the same row, and a
metadata-only edit (a new generation, the same output) adds none.

Queued until its first Job starts, or while Kueue holds a Job suspended; running while
Jobs start and finish; succeeded when the output is published, failed when the Video
fails on it, with the message the planner wrote (the pods' last words, through
:func:`~kinema_operator.video.views.last_failure`). Start and finish come from the
Jobs' ``startTime`` and ``completionTime``, so encode speed is measured by Kubernetes,
not by when the operator happened to look.
"""

from __future__ import annotations

from datetime import datetime

from kinema.catalog.models import JobStatus
from kinema.catalog.services.jobs import EXTERNAL_PREFIX, ExternalJob
from kinema.resources.video import VideoPhase
from kinema_operator.video.identity import LABEL_STEP, Step, job_name
from kinema_operator.video.observed import Observed, jobs_of
from kinema_operator.video.status import Decision

# The steps that make an output; a subtitles Job rewrites a published one (not counted).
_STEPS = frozenset({Step.PROBE.value, Step.TRANSCODE.value, Step.PACKAGE.value})


def worker(namespace: str, name: str, digest: str) -> str:
    """The row's ``worker``: the transcode Job of the output, named before it exists."""
    return f"{EXTERNAL_PREFIX}{namespace}/{job_name(name, Step.TRANSCODE, digest)}"


def parse_time(value: str) -> datetime | None:
    """A Kubernetes timestamp (``2026-12-04T15:51:44Z``); None when absent or unreadable."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def settled(obs: Observed, decision: Decision) -> bool:
    """Whether the row of the output was written for good already: it is published, or
    the Video was Failed on it with the same message before this decision."""
    st, new = obs.status, decision.status
    if st.published_digest == obs.digest:
        return True
    return (
        st.digest == obs.digest
        and st.phase is VideoPhase.FAILED
        and new.phase is VideoPhase.FAILED
        and st.message == new.message
    )


def transcode_record(obs: Observed, decision: Decision, at: datetime) -> ExternalJob | None:
    """The row of the output ``obs`` works on, after ``decision`` (made at ``at``);
    None when there is nothing new to record (no Job of it exists or is being created,
    or the row is settled)."""
    if settled(obs, decision):
        return None
    jobs = list(jobs_of(obs.jobs, obs.digest, obs.subtitles_digest).current.values())
    creating = any(
        (j.get("metadata") or {}).get("labels", {}).get(LABEL_STEP) in _STEPS
        for j in decision.create_jobs
    )
    if not jobs and not creating:
        return None
    starts = [t for j in jobs if (t := parse_time(j.started_at)) is not None]
    ends = [t for j in jobs if (t := parse_time(j.ended_at)) is not None]
    unfinished = [j for j in jobs if not j.finished]
    phase = decision.status.phase
    error = None
    finished_at = None
    if phase is VideoPhase.FAILED:
        status, error = JobStatus.FAILED, decision.status.message or "the transcode failed"
        finished_at = max(ends, default=at)
    elif decision.publish:
        status, finished_at = JobStatus.SUCCEEDED, max(ends, default=at)
    elif not starts or any(j.suspended for j in unfinished):
        status = JobStatus.QUEUED
    else:
        status = JobStatus.RUNNING
    return ExternalJob(
        worker=worker(obs.namespace, obs.name, obs.digest),
        generation=obs.generation,
        status=status,
        progress=1.0 if status is JobStatus.SUCCEEDED else decision.status.progress / 100,
        stage=phase.value.lower(),
        started_at=min(starts, default=None),
        finished_at=finished_at,
        error=error,
    )
