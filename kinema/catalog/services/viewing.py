"""Watch progress and history, Continue Watching, My List and ratings (stream leases are
in :mod:`kinema.catalog.services.streams`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.errors import NotFound
from kinema.catalog.models import (
    Maturity,
    MyListItem,
    PlaybackEvent,
    Rating,
    Title,
    Video,
    VideoStatus,
    WatchHistory,
    WatchProgress,
    utcnow,
)
from kinema.catalog.services.ads import ad_titles

# Past this fraction of the duration a video counts as watched.
COMPLETED_FRACTION = 0.95
# A history entry is continued (not a new one) if the last report is this recent.
HISTORY_SESSION_GAP = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class ProgressRecord:
    video_id: uuid.UUID
    position_s: float
    duration_s: float | None
    completed: bool
    updated_at: datetime


def record_progress(
    session: Session,
    *,
    profile_id: uuid.UUID,
    video_id: uuid.UUID,
    position_s: float,
    duration_s: float | None = None,
    at: datetime | None = None,
) -> ProgressRecord:
    """Store where a profile is in a video, and extend its watch history."""
    video = session.get(Video, video_id)
    if video is None:
        raise NotFound(f"no video {video_id}")
    now = at or utcnow()
    duration = duration_s or video.duration_s
    position = max(0.0, position_s if duration is None else min(position_s, duration))
    completed = bool(duration) and position >= COMPLETED_FRACTION * (duration or 0)
    row = session.get(WatchProgress, (profile_id, video_id))
    if row is None:
        row = WatchProgress(profile_id=profile_id, video_id=video_id)
        session.add(row)
    elif row.updated_at > now:
        # An older report arriving late (retries, two tabs) must not move time backwards.
        return ProgressRecord(
            video_id, row.position_s, row.duration_s, row.completed, row.updated_at
        )
    row.position_s, row.duration_s, row.completed, row.updated_at = (
        position,
        duration,
        completed,
        now,
    )
    last = session.scalar(
        select(WatchHistory)
        .where(WatchHistory.profile_id == profile_id, WatchHistory.video_id == video_id)
        .order_by(WatchHistory.watched_at.desc())
        .limit(1)
    )
    if last is None or now - last.watched_at > HISTORY_SESSION_GAP or last.completed:
        last = WatchHistory(profile_id=profile_id, video_id=video_id, watched_at=now)
        session.add(last)
    last.last_position_s = position
    last.completed = completed
    last.watched_at = now
    session.flush()
    return ProgressRecord(video_id, position, duration, completed, now)


def get_progress(
    session: Session, *, profile_id: uuid.UUID, video_id: uuid.UUID
) -> ProgressRecord | None:
    row = session.get(WatchProgress, (profile_id, video_id))
    if row is None:
        return None
    return ProgressRecord(video_id, row.position_s, row.duration_s, row.completed, row.updated_at)


def continue_watching(
    session: Session, *, profile_id: uuid.UUID, max_maturity: Maturity, limit: int = 20
) -> list[WatchProgress]:
    """Videos started and not finished, most recent first."""
    stmt = (
        select(WatchProgress)
        .join(Video, Video.id == WatchProgress.video_id)
        .join(Title, Title.id == Video.title_id)
        .where(
            WatchProgress.profile_id == profile_id,
            WatchProgress.completed.is_(False),
            WatchProgress.position_s > 0,
            Video.status == VideoStatus.READY,
            Title.published.is_(True),
            Title.maturity.in_(Maturity.up_to(max_maturity)),
            ~ad_titles(),
        )
        .options(selectinload(WatchProgress.video).selectinload(Video.title))
        .order_by(WatchProgress.updated_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def history(
    session: Session, *, profile_id: uuid.UUID, limit: int = 50, offset: int = 0
) -> list[WatchHistory]:
    stmt = (
        select(WatchHistory)
        .where(WatchHistory.profile_id == profile_id)
        .options(selectinload(WatchHistory.video).selectinload(Video.title))
        .order_by(WatchHistory.watched_at.desc(), WatchHistory.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def clear_history(session: Session, *, profile_id: uuid.UUID) -> int:
    result = session.execute(delete(WatchHistory).where(WatchHistory.profile_id == profile_id))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def my_list(
    session: Session, *, profile_id: uuid.UUID, max_maturity: Maturity, limit: int = 100
) -> list[Title]:
    stmt = (
        select(Title)
        .join(MyListItem, MyListItem.title_id == Title.id)
        .where(
            MyListItem.profile_id == profile_id,
            Title.maturity.in_(Maturity.up_to(max_maturity)),
        )
        .options(selectinload(Title.genres))
        .order_by(MyListItem.added_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def add_to_list(session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID) -> bool:
    """Add a title; returns False when it was already there."""
    if session.get(Title, title_id) is None:
        raise NotFound(f"no title {title_id}")
    if session.get(MyListItem, (profile_id, title_id)) is not None:
        return False
    session.add(MyListItem(profile_id=profile_id, title_id=title_id))
    session.flush()
    return True


def remove_from_list(session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID) -> bool:
    item = session.get(MyListItem, (profile_id, title_id))
    if item is None:
        return False
    session.delete(item)
    session.flush()
    return True


def rate_title(
    session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID, score: int
) -> Rating:
    if session.get(Title, title_id) is None:
        raise NotFound(f"no title {title_id}")
    rating = session.get(Rating, (profile_id, title_id))
    if rating is None:
        rating = Rating(profile_id=profile_id, title_id=title_id, score=score)
        session.add(rating)
    rating.score = score
    session.flush()
    return rating


def average_rating(session: Session, *, title_id: uuid.UUID) -> tuple[float | None, int]:
    avg, count = session.execute(
        select(func.avg(Rating.score), func.count()).where(Rating.title_id == title_id)
    ).one()
    return (float(avg) if avg is not None else None, int(count))


def record_playback_event(
    session: Session,
    *,
    video_id: uuid.UUID,
    profile_id: uuid.UUID | None,
    kind: str,
    position_s: float | None = None,
    bitrate: int | None = None,
    payload: dict[str, Any] | None = None,
) -> PlaybackEvent:
    """One player analytics event (start, heartbeat, stall, quality change, error, end)."""
    if session.get(Video, video_id) is None:
        raise NotFound(f"no video {video_id}")
    event = PlaybackEvent(
        video_id=video_id,
        profile_id=profile_id,
        kind=kind,
        position_s=position_s,
        bitrate=bitrate,
        payload=payload,
    )
    session.add(event)
    session.flush()
    return event
