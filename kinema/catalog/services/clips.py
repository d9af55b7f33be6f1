"""Clip rows: adding, reading, listing and deleting them, and the preview queue.

A preview is claimed the way a transcode job is (``kinema.catalog.services.jobs``): a
clip still ``pending`` and not claimed (or claimed longer ago than a stale limit, the
claim of a worker that died) is taken in one transaction, with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL and SQLite's write lock elsewhere, so two workers never make
the same preview. The rules on who may clip what are the API's.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import Clip, PreviewState, Video, utcnow

# A preview encodes at most a minute of a low rung: far less than this.
STALE_CLAIM = timedelta(minutes=10)


def add_clip(
    session: Session,
    *,
    user_id: uuid.UUID,
    profile_id: uuid.UUID,
    video_id: uuid.UUID,
    start_s: float,
    end_s: float,
    caption: str | None,
) -> Clip:
    clip = Clip(
        user_id=user_id,
        profile_id=profile_id,
        video_id=video_id,
        start_s=start_s,
        end_s=end_s,
        caption=caption,
        preview_state=PreviewState.PENDING,
    )
    session.add(clip)
    session.flush()
    return clip


def get_clip(session: Session, *, clip_id: uuid.UUID) -> Clip:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound(f"no clip {clip_id}")
    return clip


def clips_of(session: Session, *, profile_id: uuid.UUID, limit: int = 100) -> Sequence[Clip]:
    stmt = (
        select(Clip)
        .where(Clip.profile_id == profile_id)
        .order_by(Clip.created_at.desc(), Clip.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def all_clips(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[Sequence[Clip], int]:
    """Every profile's clips, newest first (the admins' list), and how many in all."""
    total = session.scalar(select(func.count()).select_from(Clip))
    stmt = select(Clip).order_by(Clip.created_at.desc(), Clip.id).limit(limit).offset(offset)
    return session.scalars(stmt).all(), int(total or 0)


def clip_ids_of_video(session: Session, *, video_id: uuid.UUID) -> list[uuid.UUID]:
    """The clips of a video (their rows go with it; their preview files are the
    caller's to remove)."""
    return list(session.scalars(select(Clip.id).where(Clip.video_id == video_id)).all())


def delete_clip(session: Session, *, clip: Clip) -> None:
    session.delete(clip)
    session.flush()


def claim_preview(session: Session, *, worker: str) -> Clip | None:
    """The oldest clip whose preview nobody is making, now claimed by ``worker``."""
    stale = utcnow() - STALE_CLAIM
    stmt = (
        select(Clip)
        .where(Clip.preview_state == PreviewState.PENDING)
        .where(
            or_(
                Clip.claimed_at.is_(None),
                # A preview Job's claim is settled by the Job, never taken over.
                and_(Clip.claimed_at < stale, ~Clip.claimed_by.startswith(JOB_CLAIM)),
            )
        )
        .order_by(Clip.created_at, Clip.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    clip = session.scalar(stmt)
    if clip is None:
        return None
    clip.claimed_by = worker
    clip.claimed_at = utcnow()
    session.flush()
    return clip


def finish_preview(
    session: Session, *, clip_id: uuid.UUID, worker: str, error: str | None = None
) -> bool:
    """Record the preview's outcome; False when the clip is gone or another worker
    took it over (then the files just made are not this worker's to keep)."""
    clip = session.get(Clip, clip_id)
    if clip is None or clip.claimed_by != worker:
        return False
    clip.preview_state = PreviewState.FAILED if error else PreviewState.READY
    clip.preview_error = error[:500] if error else None
    clip.claimed_by = None
    clip.claimed_at = None
    session.flush()
    return True


def release_claims(session: Session, *, prefix: str) -> int:
    """Free the claims of workers named ``prefix…`` (this process, at its start)."""
    rows = session.scalars(
        select(Clip).where(
            Clip.preview_state == PreviewState.PENDING, Clip.claimed_by.startswith(prefix)
        )
    ).all()
    for clip in rows:
        clip.claimed_by = None
        clip.claimed_at = None
    session.flush()
    return len(rows)


# --- previews made by Jobs (cluster mode) ----------------------------------------------
# The operator claims a clip for a Job by naming the Job in ``claimed_by``
# (``job:<namespace>/<name>``) and follows the Job until it ends; the claim never goes
# stale on its own, the Job's end (or disappearance) settles it.

JOB_CLAIM = "job:"


def pending_for_jobs(session: Session, *, limit: int) -> Sequence[tuple[Clip, Video]]:
    """Unclaimed pending clips of videos that have a Video resource, oldest first, locked
    (``SKIP LOCKED`` on PostgreSQL) until the caller's transaction ends."""
    stmt = (
        select(Clip, Video)
        .join(Video, Clip.video_id == Video.id)
        .where(Clip.preview_state == PreviewState.PENDING, Clip.claimed_by.is_(None))
        .where(Video.resource_name.is_not(None))
        .order_by(Clip.created_at, Clip.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Clip)
    return [(row[0], row[1]) for row in session.execute(stmt)]


def claim_for_job(session: Session, *, clip: Clip, job: str) -> int:
    """Claim ``clip`` for the Job ``job`` (``namespace/name``); its attempt number."""
    clip.claimed_by = f"{JOB_CLAIM}{job}"
    clip.claimed_at = utcnow()
    clip.preview_attempts += 1
    session.flush()
    return clip.preview_attempts


def job_claims(session: Session) -> Sequence[Clip]:
    """Pending clips claimed by a preview Job."""
    stmt = select(Clip).where(
        Clip.preview_state == PreviewState.PENDING, Clip.claimed_by.startswith(JOB_CLAIM)
    )
    return session.scalars(stmt.order_by(Clip.created_at, Clip.id)).all()


def retry_preview(session: Session, *, clip_id: uuid.UUID, worker: str) -> bool:
    """Free ``worker``'s claim so that the preview is tried again (a new Job); False when
    the clip is gone or no longer ``worker``'s."""
    clip = session.get(Clip, clip_id)
    if clip is None or clip.claimed_by != worker:
        return False
    clip.claimed_by = None
    clip.claimed_at = None
    session.flush()
    return True
