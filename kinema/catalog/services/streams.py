"""Stream leases: which devices of an account are streaming, counted against its plan.

A device is one login session (``AuthSession``). Starting or renewing playback takes or
refreshes that session's lease (:func:`open_stream`); progress reports keep it alive
(:func:`touch_stream`); it ends when the player says it stopped (:func:`end_streams`),
when the session ends (logout, sign-out), or when nothing refreshed it for
:data:`LEASE_TTL`, so a paused or closed player frees its slot within minutes.

One session holds one lease whatever it plays and whichever profile it plays as: a
device reopening the player is never a second stream, and one profile on two devices is
two. Leases of one account are changed one request at a time (a row lock on the user in
PostgreSQL; SQLite's writes are one at a time already), so two devices starting at once
cannot both take the last slot.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import AuthSession, Profile, StreamLease, Video, utcnow
from kinema.catalog.services.accounts import lock_account

# A stream nobody refreshed for this long (no progress report, no renewal) is over: the
# player reports every few seconds while playing, and stops reporting when paused.
LEASE_TTL = timedelta(minutes=2)
# Ended leases are deleted, per account, once this old (they only matter while live).
PURGE_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class StreamSlot:
    """The answer to "may this device stream?": its lease when granted (None when the
    plan's devices are all streaming), and the other devices streaming now, oldest first."""

    lease: StreamLease | None
    others: list[StreamLease] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """A live lease with what a person recognises it by."""

    lease: StreamLease
    device_name: str
    user_agent: str
    video: Video | None
    profile: Profile | None


def _live(now: datetime) -> list[ColumnElement[bool]]:
    """Conditions on a lease (joined to its session) that make it count."""
    return [
        StreamLease.last_seen_at >= now - LEASE_TTL,
        or_(
            StreamLease.session_id.is_(None),
            and_(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now),
        ),
    ]


def active_streams(
    session: Session, *, user_id: uuid.UUID, now: datetime | None = None
) -> list[StreamLease]:
    """The account's live leases, oldest first: refreshed within :data:`LEASE_TTL`, by a
    session that is neither revoked nor expired."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(StreamLease)
            .outerjoin(AuthSession, AuthSession.id == StreamLease.session_id)
            .where(StreamLease.user_id == user_id, *_live(now))
            .order_by(StreamLease.started_at, StreamLease.id)
        )
    )


def open_stream(
    session: Session,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    profile_id: uuid.UUID | None,
    video_id: uuid.UUID,
    limit: int,
    now: datetime | None = None,
) -> StreamSlot:
    """Take or refresh the lease of login session ``session_id``, within ``limit``
    devices streaming at once.

    A session that already streams keeps its lease (for any video, as any profile) while
    it is among the ``limit`` oldest: after a downgrade the newest streams lose theirs at
    their next renewal, so the plan's limit holds without cutting off the oldest.
    """
    now = now or utcnow()
    lock_account(session, user_id=user_id)
    session.execute(
        delete(StreamLease).where(
            StreamLease.user_id == user_id, StreamLease.last_seen_at < now - PURGE_AFTER
        )
    )
    active = active_streams(session, user_id=user_id, now=now)
    mine = next((lease for lease in active if lease.session_id == session_id), None)
    others = [lease for lease in active if lease is not mine]
    if mine is not None:
        if mine in active[: max(limit, 0)]:
            mine.video_id, mine.profile_id, mine.last_seen_at = video_id, profile_id, now
            session.flush()
            return StreamSlot(mine, others)
        session.delete(mine)
        session.flush()
        return StreamSlot(None, others)
    if len(active) >= limit:
        return StreamSlot(None, others)
    # A lease of this session that lapsed is replaced, so a session has one row at most.
    session.execute(delete(StreamLease).where(StreamLease.session_id == session_id))
    lease = StreamLease(
        user_id=user_id,
        session_id=session_id,
        profile_id=profile_id,
        video_id=video_id,
        started_at=now,
        last_seen_at=now,
    )
    session.add(lease)
    session.flush()
    return StreamSlot(lease, others)


def touch_stream(session: Session, *, session_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Keep this session's live lease alive (a progress report); False when it has none
    (it lapsed or was stopped: only starting or renewing playback takes a new one)."""
    now = now or utcnow()
    result = session.execute(
        update(StreamLease)
        .where(
            StreamLease.session_id == session_id,
            StreamLease.last_seen_at >= now - LEASE_TTL,
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def end_streams(
    session: Session, *, session_id: uuid.UUID, video_id: uuid.UUID | None = None
) -> int:
    """End the session's stream (of ``video_id`` only, when given: a player closing
    late must not end the stream the same device started since). Returns how many."""
    stmt = delete(StreamLease).where(StreamLease.session_id == session_id)
    if video_id is not None:
        stmt = stmt.where(StreamLease.video_id == video_id)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def describe(session: Session, leases: list[StreamLease]) -> list[StreamInfo]:
    """Each lease with its device's name, its video (title loaded) and its profile."""
    session_ids = {lease.session_id for lease in leases if lease.session_id is not None}
    devices = {
        row.id: row
        for row in session.scalars(select(AuthSession).where(AuthSession.id.in_(session_ids)))
    }
    videos = {
        v.id: v
        for v in session.scalars(
            select(Video)
            .where(Video.id.in_({lease.video_id for lease in leases}))
            .options(selectinload(Video.title))
        )
    }
    profile_ids = {lease.profile_id for lease in leases if lease.profile_id is not None}
    profiles = {
        p.id: p for p in session.scalars(select(Profile).where(Profile.id.in_(profile_ids)))
    }
    out = []
    for lease in leases:
        device = devices.get(lease.session_id) if lease.session_id is not None else None
        out.append(
            StreamInfo(
                lease=lease,
                device_name=device.device_name if device is not None else "",
                user_agent=device.user_agent if device is not None else "",
                video=videos.get(lease.video_id),
                profile=profiles.get(lease.profile_id) if lease.profile_id is not None else None,
            )
        )
    return out
