"""Live processing status for the admin UI: which videos changed since the last look.

Each Server-Sent Events connection keeps a :class:`VideoWatcher` that reads the
catalog about once a second and reports the videos whose processing state (status,
progress, error, job stage) changed, and the ones that disappeared. Reading the catalog
rather than listening to the worker pool or the operator means it works the same
embedded and in a cluster, across API replicas, with no broker; in cluster mode the
Videos' status adds the operator's progress and failures (one list call per second
per API process, shared by every connection).
The comparison itself is pure (:func:`fingerprint`, :func:`changes`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.db import begin_readonly
from kinema.catalog.models import Title, TranscodeJob, Video
from kinema_api.admin.schemas import AdminVideoPublic
from kinema_api.admin.services import resources
from kinema_api.admin.services import videos as video_service
from kinema_api.context import AppContext

# How many of the newest videos a connection follows.
WATCH_LIMIT = 200
# Connections share one list of the Videos' status per this many seconds (cluster mode).
SHARED_STATUS_AGE_S = 1.0
Fingerprint = tuple[object, ...]


def fingerprint(video: AdminVideoPublic) -> Fingerprint:
    """What a change is: processing state, not timestamps. Progress moves in 0.1% steps."""
    job = video.job
    return (
        video.status,
        round(video.progress, 3),
        video.error,
        video.retranscode_failed,
        video.published,
        video.title,
        video.name,
        tuple(video.renditions),
        (job.id, job.status, job.stage, round(job.progress, 3), job.error) if job else None,
    )


@dataclass(frozen=True, slots=True)
class Changes:
    changed: list[AdminVideoPublic]
    removed: list[uuid.UUID]


def changes(
    seen: dict[uuid.UUID, Fingerprint], current: Iterable[AdminVideoPublic]
) -> tuple[Changes, dict[uuid.UUID, Fingerprint]]:
    """What differs from ``seen`` (everything, the first time), and the new ``seen``. Pure."""
    now: dict[uuid.UUID, Fingerprint] = {}
    changed: list[AdminVideoPublic] = []
    for video in current:
        mark = fingerprint(video)
        now[video.id] = mark
        if seen.get(video.id) != mark:
            changed.append(video)
    removed = [video_id for video_id in seen if video_id not in now]
    return Changes(changed, removed), now


def catalog_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a video, its title or a job is written or a video goes: three
    aggregate queries, so an idle catalog costs almost nothing to watch."""
    videos = session.execute(select(func.count(Video.id), func.max(Video.updated_at))).one()
    titles = session.scalar(select(func.max(Title.updated_at)))
    jobs = session.scalar(select(func.max(TranscodeJob.updated_at)))
    return (*videos, titles, jobs)


@dataclass
class VideoWatcher:
    ctx: AppContext
    seen: dict[uuid.UUID, Fingerprint] = field(default_factory=dict)
    version: tuple[object, ...] | None = None

    def poll(self) -> Changes:
        """Read the catalog once (blocking: run it in a thread) and diff."""
        live = (
            resources.live_statuses(self.ctx.videos, max_age=SHARED_STATUS_AGE_S)
            if self.ctx.videos
            else None
        )
        with self.ctx.sessions() as session:
            begin_readonly(session)
            version = (catalog_version(session), repr(sorted((live or {}).items())))
            if version == self.version:
                return Changes([], [])
            self.version = version
            rows = video_service.list_videos(session, status=None, limit=WATCH_LIMIT, offset=0)
            current = video_service.to_public_list(session, rows, live=live)
        found, self.seen = changes(self.seen, current)
        return found
