"""The embedded worker pool's job queue, kept in the database.

A job is claimed by flipping it from ``queued`` to ``running`` inside one transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's write lock serializes claims), so
two workers never take the same job. Workers heartbeat while they run; after a crash
or a restart, :func:`recover_interrupted` queues the orphaned jobs again, which is how
``kinema up`` loses nothing when stopped mid-transcode.

In a cluster the operator runs each transcode as Kubernetes Jobs and records it here too
(:func:`record_external`), so the admin's Pipeline page reads one table in both modes.
Those rows name their Kubernetes Job in ``worker`` (``k8s:<namespace>/<job>``): the pool
never claims or re-queues them, and only the operator changes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from kinema.catalog.errors import InvalidChange, NotFound
from kinema.catalog.models import JobStatus, TranscodeJob, Video, VideoStatus, utcnow

MAX_ATTEMPTS = 3
_OPEN = (JobStatus.QUEUED, JobStatus.RUNNING)
# TranscodeJob.kind: a full transcode, or a rewrite of the subtitle tracks of the
# complete output of the job's generation (no frame is encoded again).
TRANSCODE = "transcode"
SUBTITLES = "subtitles"
# TranscodeJob.worker of a row another executor runs (the operator: Kubernetes Jobs).
EXTERNAL_PREFIX = "k8s:"


def _pool_job() -> ColumnElement[bool]:
    """Rows the embedded pool runs: not one recorded by the operator."""
    return or_(TranscodeJob.worker.is_(None), TranscodeJob.worker.not_like(f"{EXTERNAL_PREFIX}%"))


def enqueue_transcode(session: Session, *, video: Video) -> TranscodeJob:
    """Queue a (re-)transcode of ``video``; open jobs for it are cancelled first.

    A re-transcode gets the next generation; ``video.generation`` stays that of the
    output being served (and a ready video stays playable) until the new output is
    published by :func:`kinema.catalog.services.sync.upsert_video`. When it fails for
    good, the video stays ready and ``video.error`` records why (a ready video with an
    error is a failed re-transcode; see :func:`retranscode_failed`).
    """
    if not video.source:
        raise InvalidChange(f"video {video.id} has no source to transcode; upload one first")
    existing = list(session.scalars(select(TranscodeJob).where(TranscodeJob.video_id == video.id)))
    _cancel(existing)
    generation = video.generation
    if existing or video.output_prefix:
        prior = max((j.generation for j in existing), default=0)
        generation = max(prior, video.generation) + 1
    if video.status is not VideoStatus.READY:
        video.status = VideoStatus.QUEUED
        video.progress = 0.0
    # A new attempt: an earlier re-transcode failure is no longer the news.
    video.error = None
    job = TranscodeJob(video_id=video.id, generation=generation)
    session.add(job)
    session.flush()
    return job


def enqueue_subtitles(session: Session, *, video: Video) -> TranscodeJob:
    """Queue what makes ``video``'s output list its current sidecar subtitles.

    A ready video whose output is complete and that no full transcode is about to
    replace gets a subtitle-only job on its current generation (the tracks and
    manifests are rewritten in place, viewers keep their playback URLs). Otherwise a
    full transcode is queued (again), since it reads the sidecars when it starts.
    """
    open_jobs = list(
        session.scalars(
            select(TranscodeJob).where(
                TranscodeJob.video_id == video.id, TranscodeJob.status.in_(_OPEN)
            )
        )
    )
    in_place = (
        video.status is VideoStatus.READY
        and bool(video.output_prefix)
        and not any(j.kind != SUBTITLES for j in open_jobs)
    )
    if not in_place:
        return enqueue_transcode(session, video=video)
    _cancel(open_jobs)
    video.error = None
    job = TranscodeJob(video_id=video.id, generation=video.generation, kind=SUBTITLES)
    session.add(job)
    session.flush()
    return job


def _cancel(jobs: Sequence[TranscodeJob]) -> None:
    """Cancel those of ``jobs`` still queued or running."""
    for job in jobs:
        if job.status in _OPEN:
            job.status, job.finished_at = JobStatus.CANCELLED, utcnow()


def _subtitles_of(video: Video | None, job: TranscodeJob) -> bool:
    """Whether ``job`` rewrites the subtitles of the output ``video`` serves."""
    return video is not None and job.kind == SUBTITLES and job.generation == video.generation


def _retranscode_of(video: Video | None, job: TranscodeJob) -> bool:
    """Whether ``job`` re-transcodes a video that is serving an older output."""
    return (
        video is not None
        and video.status is VideoStatus.READY
        and job.generation > video.generation
    )


def _follows(video: Video | None, job: TranscodeJob) -> bool:
    """Whether the video's status should reflect this job (it is not serving an
    output already, and the job is its newest)."""
    return (
        video is not None
        and video.status is not VideoStatus.READY
        and job.generation >= video.generation
    )


def claim_next(session: Session, *, worker: str) -> TranscodeJob | None:
    stmt = (
        select(TranscodeJob)
        .where(TranscodeJob.status == JobStatus.QUEUED, _pool_job())
        .order_by(TranscodeJob.created_at, TranscodeJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.scalar(stmt)
    if job is None:
        return None
    now = utcnow()
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.worker = worker
    job.started_at = now
    job.heartbeat_at = now
    job.progress = 0.0
    job.stage = "starting"
    video = session.get(Video, job.video_id)
    if video is not None and _follows(video, job):
        video.status = VideoStatus.PROCESSING
        video.progress = 0.0
    session.flush()
    return job


def get_job(session: Session, *, job_id: uuid.UUID) -> TranscodeJob:
    job = session.get(TranscodeJob, job_id)
    if job is None:
        raise NotFound(f"no transcode job {job_id}")
    return job


def heartbeat(session: Session, *, job_id: uuid.UUID, progress: float, stage: str = "") -> bool:
    """Record progress; returns False when the job was cancelled (the worker should stop)."""
    job = get_job(session, job_id=job_id)
    if job.status is not JobStatus.RUNNING:
        return False
    job.progress = max(job.progress, min(1.0, max(0.0, progress)))
    job.stage = stage or job.stage
    job.heartbeat_at = utcnow()
    video = session.get(Video, job.video_id)
    if video is not None and _follows(video, job):
        video.progress = job.progress
    session.flush()
    return True


def finish_job(
    session: Session, *, job_id: uuid.UUID, succeeded: bool, error: str | None = None
) -> TranscodeJob:
    """Close a running job. A failure with attempts left goes back to the queue."""
    job = get_job(session, job_id=job_id)
    if job.status is not JobStatus.RUNNING:
        return job
    job.finished_at = utcnow()
    video = session.get(Video, job.video_id)
    current = _follows(video, job)
    if succeeded:
        job.status, job.progress, job.error = JobStatus.SUCCEEDED, 1.0, None
    elif job.attempts < MAX_ATTEMPTS:
        job.status, job.error, job.worker = JobStatus.QUEUED, error, None
        if current and video is not None:
            video.status = VideoStatus.QUEUED
    else:
        job.status, job.error = JobStatus.FAILED, error
        if current and video is not None:
            video.status = VideoStatus.FAILED
            video.error = error
        elif video is not None and _retranscode_of(video, job):
            # The old output stays live (status ready); the error says the new one failed.
            video.error = error or "the re-transcode failed"
        elif video is not None and _subtitles_of(video, job):
            video.error = error or "updating the subtitles failed"
    session.flush()
    return job


def recover_interrupted(
    session: Session, *, stale_before: datetime | None = None
) -> list[TranscodeJob]:
    """Queue again the running jobs whose worker died (all of them when
    ``stale_before`` is None: at start-up no job can still be running)."""
    stmt = select(TranscodeJob).where(TranscodeJob.status == JobStatus.RUNNING, _pool_job())
    if stale_before is not None:
        stmt = stmt.where(TranscodeJob.heartbeat_at < stale_before)
    recovered = []
    for job in session.scalars(stmt):
        video = session.get(Video, job.video_id)
        current = _follows(video, job)
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = JobStatus.FAILED, utcnow()
            job.error = job.error or "the worker stopped during every attempt"
            if current and video is not None:
                video.status, video.error = VideoStatus.FAILED, job.error
            elif video is not None and _retranscode_of(video, job):
                video.error = job.error
        else:
            job.status, job.worker = JobStatus.QUEUED, None
            if current and video is not None:
                video.status = VideoStatus.QUEUED
        recovered.append(job)
    session.flush()
    return recovered


@dataclass(frozen=True, slots=True)
class ExternalJob:
    """One transcode another executor runs (the operator's Kubernetes Jobs for one
    output of a Video), as a ``transcode_jobs`` row shows it."""

    worker: str  # EXTERNAL_PREFIX + what names the run; the row's key, with the video
    generation: int
    status: JobStatus
    progress: float = 0.0  # 0..1
    stage: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None


def record_external(session: Session, *, video: Video, job: ExternalJob) -> TranscodeJob:
    """Create or update the row of ``job`` (one per video and ``job.worker``: the same
    report twice changes nothing), and cancel the video's other open external rows (a
    new output replaced theirs). A finish time, once recorded, stays."""
    if not job.worker.startswith(EXTERNAL_PREFIX):
        raise InvalidChange(f"an external job's worker starts with {EXTERNAL_PREFIX!r}")
    rows = list(
        session.scalars(
            select(TranscodeJob).where(
                TranscodeJob.video_id == video.id,
                TranscodeJob.kind == TRANSCODE,
                TranscodeJob.worker.like(f"{EXTERNAL_PREFIX}%"),
            )
        )
    )
    _cancel([r for r in rows if r.worker != job.worker])
    row = next((r for r in rows if r.worker == job.worker), None)
    if row is None:
        row = TranscodeJob(video_id=video.id, kind=TRANSCODE, worker=job.worker)
        row.generation = job.generation
        session.add(row)
    settled = row.status is job.status and row.finished_at is not None
    row.status = job.status
    row.attempts = max(row.attempts or 0, 0 if job.status is JobStatus.QUEUED else 1)
    row.progress = max(0.0, min(1.0, job.progress))
    row.stage = job.stage[:63]
    row.started_at = job.started_at
    row.finished_at = row.finished_at if settled else job.finished_at
    row.error = job.error
    session.flush()
    return row


def retranscode_failed(video: Video) -> bool:
    """A ready video whose latest re-transcode failed (its previous output is live)."""
    return video.status is VideoStatus.READY and bool(video.error)


def open_jobs(session: Session) -> list[TranscodeJob]:
    return list(
        session.scalars(
            select(TranscodeJob)
            .where(TranscodeJob.status.in_(_OPEN))
            .order_by(TranscodeJob.created_at)
        )
    )


def latest_job(session: Session, *, video_id: uuid.UUID) -> TranscodeJob | None:
    return session.scalar(
        select(TranscodeJob)
        .where(TranscodeJob.video_id == video_id)
        .order_by(TranscodeJob.created_at.desc())
        .limit(1)
    )


def latest_jobs(session: Session, video_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, TranscodeJob]:
    """:func:`latest_job` of many videos in one query (a list page, not N queries)."""
    if not video_ids:
        return {}
    rank = (
        func.row_number()
        .over(partition_by=TranscodeJob.video_id, order_by=TranscodeJob.created_at.desc())
        .label("rank")
    )
    ranked = select(TranscodeJob.id, rank).where(TranscodeJob.video_id.in_(video_ids)).subquery()
    newest = select(TranscodeJob).join(ranked, ranked.c.id == TranscodeJob.id)
    return {job.video_id: job for job in session.scalars(newest.where(ranked.c.rank == 1))}


STALE_HEARTBEAT = timedelta(minutes=2)
