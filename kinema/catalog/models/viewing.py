"""What viewers do: My List, watch progress and history, ratings and reviews, comments
and reactions, playback analytics events and active streams."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, utcnow
from kinema.catalog.models.titles import Title, Video


class MyListItem(Base):
    __tablename__ = "my_list"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    title: Mapped[Title] = relationship()


class WatchProgress(Base):
    """Where a profile is in a video; Continue Watching is derived from it."""

    __tablename__ = "watch_progress"
    __table_args__ = (Index("ix_watch_progress_profile_updated", "profile_id", "updated_at"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    video_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    position_s: Mapped[float] = mapped_column(default=0.0)
    duration_s: Mapped[float | None]
    completed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    video: Mapped[Video] = relationship()


class WatchHistory(IdMixin, Base):
    """One row per viewing session of a video (start, last position, finish)."""

    __tablename__ = "watch_history"
    __table_args__ = (Index("ix_watch_history_profile_watched", "profile_id", "watched_at"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    watched_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_position_s: Mapped[float] = mapped_column(default=0.0)
    completed: Mapped[bool] = mapped_column(default=False)

    video: Mapped[Video] = relationship()


class Rating(Base):
    __tablename__ = "ratings"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True
    )
    # 1..5 stars.
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(IdMixin, Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("profile_id", "title_id", name="uq_reviews_profile_title"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(IdMixin, Base):
    __tablename__ = "comments"

    video_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Reaction(IdMixin, Base):
    """An emoji reaction at a moment of a video (or on a comment)."""

    __tablename__ = "reactions"

    video_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE")
    )
    emoji: Mapped[str] = mapped_column(String(16))
    position_s: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaybackEvent(IdMixin, Base):
    """Player analytics: start, heartbeat, stall, quality change, error, end."""

    __tablename__ = "playback_events"
    __table_args__ = (Index("ix_playback_events_video_created", "video_id", "created_at"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(32))
    position_s: Mapped[float | None]
    bitrate: Mapped[int | None]
    payload: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StreamLease(IdMixin, Base):
    """An active stream on one device (login session), refreshed while playing and
    ended when the player stops; counted against the plan's devices."""

    __tablename__ = "stream_leases"
    __table_args__ = (Index("ix_stream_leases_user_seen", "user_id", "last_seen_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE")
    )
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    # The login session (device) streaming; its end (logout, sign-out) ends the stream.
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
