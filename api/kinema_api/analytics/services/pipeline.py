"""The Pipeline page: transcode jobs by state, encode speed (video seconds per second of
encoding), failures with their reasons and the storage each video's renditions use; and
the queue now (jobs waiting or running, whenever they were created)."""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import JobStatus, Rendition, Title, TranscodeJob, Video
from kinema_api.analytics.schemas import JobRow, JobStateRow, PipelinePublic


def pipeline(
    session: Session, *, start: datetime, end: datetime, limit: int = 50
) -> PipelinePublic:
    states = [
        JobStateRow(status=str(status), jobs=int(n))
        for status, n in session.execute(
            select(TranscodeJob.status, func.count(TranscodeJob.id))
            .where(
                TranscodeJob.kind == "transcode",
                TranscodeJob.created_at >= start,
                TranscodeJob.created_at < end,
            )
            .group_by(TranscodeJob.status)
            .order_by(TranscodeJob.status)
        )
    ]
    storage = (
        select(Rendition.video_id, func.coalesce(func.sum(Rendition.size_bytes), 0).label("bytes"))
        .group_by(Rendition.video_id)
        .subquery()
    )
    rows = session.execute(
        select(TranscodeJob, Video.duration_s, Title.name, storage.c.bytes)
        .join(Video, Video.id == TranscodeJob.video_id)
        .join(Title, Title.id == Video.title_id)
        .outerjoin(storage, storage.c.video_id == TranscodeJob.video_id)
        .where(
            TranscodeJob.kind == "transcode",
            TranscodeJob.created_at >= start,
            TranscodeJob.created_at < end,
        )
        .order_by(TranscodeJob.created_at.desc())
        .limit(limit)
    )
    jobs = []
    for job, duration, name, size in rows:
        speed = None
        if job.started_at and job.finished_at and duration and job.status == JobStatus.SUCCEEDED:
            took = (job.finished_at - job.started_at).total_seconds()
            speed = round(float(duration) / took, 3) if took > 0 else None
        jobs.append(
            JobRow(
                video_id=job.video_id,
                title=name,
                status=str(job.status),
                speed_x_realtime=speed,
                error=job.error,
                storage_bytes=int(size or 0),
                finished_at=job.finished_at,
            )
        )
    now = dict(
        session.execute(
            select(TranscodeJob.status, func.count(TranscodeJob.id))
            .where(
                TranscodeJob.kind == "transcode",
                TranscodeJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
            .group_by(TranscodeJob.status)
        ).all()
    )
    speeds = [j.speed_x_realtime for j in jobs if j.speed_x_realtime is not None]
    return PipelinePublic(
        states=states,
        jobs=jobs,
        median_speed_x_realtime=round(statistics.median(speeds), 3) if speeds else None,
        failures=sum(s.jobs for s in states if s.status == JobStatus.FAILED),
        queued_now=int(now.get(JobStatus.QUEUED, 0)),
        running_now=int(now.get(JobStatus.RUNNING, 0)),
    )
