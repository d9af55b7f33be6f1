"""Watch progress and history, Continue Watching, My List and ratings (stream leases are
in :mod:`kinema.catalog.services.streams`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_, update
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


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """A player's report: where a profile is in a video, and when it said so."""

    profile_id: uuid.UUID
    video_id: uuid.UUID
    position_s: float
    duration_s: float | None
    at: datetime


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
    report = ProgressReport(profile_id, video_id, position_s, duration_s, at or utcnow())
    result = record_progress_many(session, [report])[0]
    if isinstance(result, NotFound):
        raise result
    return result


def record_progress_many(
    session: Session, reports: Sequence[ProgressReport]
) -> list[ProgressRecord | NotFound]:
    """Store many reports at once, in the caller's transaction, as if one by one in
    order: a handful of statements for the lot, whatever their number (the API's
    progress writer gathers the reports that arrive together). Each gets its record, or
    NotFound when its video does not exist (the others are stored all the same).

    Plain SQL rows, not ORM objects: a busy API writes thousands a second, and the ORM's
    per-object bookkeeping would be most of the cost."""
    if not reports:
        return []
    keys = list({(r.profile_id, r.video_id) for r in reports})
    durations: dict[uuid.UUID, float | None] = {
        vid: duration
        for vid, duration in session.execute(
            select(Video.id, Video.duration_s).where(Video.id.in_({r.video_id for r in reports}))
        )
    }
    progress: dict[tuple[uuid.UUID, uuid.UUID], _Progress] = {
        (p, v): _Progress(pos, dur, done, at, stored=True)
        for p, v, pos, dur, done, at in session.execute(
            select(
                WatchProgress.profile_id,
                WatchProgress.video_id,
                WatchProgress.position_s,
                WatchProgress.duration_s,
                WatchProgress.completed,
                WatchProgress.updated_at,
            ).where(tuple_(WatchProgress.profile_id, WatchProgress.video_id).in_(keys))
        )
    }
    latest = (
        select(
            WatchHistory.profile_id,
            WatchHistory.video_id,
            func.max(WatchHistory.watched_at).label("at"),
        )
        .where(tuple_(WatchHistory.profile_id, WatchHistory.video_id).in_(keys))
        .group_by(WatchHistory.profile_id, WatchHistory.video_id)
        .subquery()
    )
    history: dict[tuple[uuid.UUID, uuid.UUID], _Entry] = {
        (p, v): _Entry(hid, (p, v), at, done, stored=True)
        for hid, p, v, at, done in session.execute(
            select(
                WatchHistory.id,
                WatchHistory.profile_id,
                WatchHistory.video_id,
                WatchHistory.watched_at,
                WatchHistory.completed,
            ).join(
                latest,
                (WatchHistory.profile_id == latest.c.profile_id)
                & (WatchHistory.video_id == latest.c.video_id)
                & (WatchHistory.watched_at == latest.c.at),
            )
        )
    }
    results: list[ProgressRecord | NotFound] = []
    # History entries to write, by id: a key may end one entry and start the next.
    written: dict[uuid.UUID, _Entry] = {}
    for r in reports:
        key = (r.profile_id, r.video_id)
        if r.video_id not in durations:
            results.append(NotFound(f"no video {r.video_id}"))
            continue
        row = progress.get(key)
        if row is not None and row.updated_at > r.at:
            # An older report arriving late (retries, two tabs) must not move time back.
            results.append(
                ProgressRecord(
                    r.video_id, row.position_s, row.duration_s, row.completed, row.updated_at
                )
            )
            continue
        duration = r.duration_s or durations[r.video_id]
        position = max(0.0, r.position_s if duration is None else min(r.position_s, duration))
        completed = bool(duration) and position >= COMPLETED_FRACTION * (duration or 0)
        progress[key] = _Progress(
            position, duration, completed, r.at, stored=row is not None and row.stored, dirty=True
        )
        entry = history.get(key)
        if entry is None or r.at - entry.watched_at > HISTORY_SESSION_GAP or entry.completed:
            entry = _Entry(uuid.uuid4(), key, r.at, completed, stored=False)
        history[key] = written[entry.id] = _Entry(
            entry.id, key, r.at, completed, stored=entry.stored, position_s=position
        )
        results.append(ProgressRecord(r.video_id, position, duration, completed, r.at))
    changed = [(k, v) for k, v in progress.items() if v.dirty]
    inserts = [_progress_row(k, v) for k, v in changed if not v.stored]
    updates = [_progress_row(k, v) for k, v in changed if v.stored]
    # ORM bulk statements: one INSERT for the new rows, UPDATEs by primary key.
    if inserts:
        session.execute(insert(WatchProgress), inserts)
    if updates:
        session.execute(update(WatchProgress), updates)
    new_entries = [_history_row(e) for e in written.values() if not e.stored]
    old_entries = [_history_row(e) for e in written.values() if e.stored]
    if new_entries:
        session.execute(insert(WatchHistory), new_entries)
    if old_entries:
        session.execute(update(WatchHistory), old_entries)
    # Rows this session had loaded as objects are read again at their next use.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, WatchProgress | WatchHistory):
            session.expire(obj)
    return results


@dataclass(frozen=True, slots=True)
class _Progress:
    position_s: float
    duration_s: float | None
    completed: bool
    updated_at: datetime
    stored: bool
    dirty: bool = False


@dataclass(frozen=True, slots=True)
class _Entry:
    id: uuid.UUID
    key: tuple[uuid.UUID, uuid.UUID]  # (profile, video)
    watched_at: datetime
    completed: bool
    stored: bool
    position_s: float = 0.0


def _progress_row(key: tuple[uuid.UUID, uuid.UUID], v: _Progress) -> dict[str, Any]:
    return {
        "profile_id": key[0],
        "video_id": key[1],
        "position_s": v.position_s,
        "duration_s": v.duration_s,
        "completed": v.completed,
        "updated_at": v.updated_at,
    }


def _history_row(e: _Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "profile_id": e.key[0],
        "video_id": e.key[1],
        "watched_at": e.watched_at,
        "last_position_s": e.position_s,
        "completed": e.completed,
    }


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
