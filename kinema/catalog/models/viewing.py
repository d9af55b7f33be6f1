"""What viewers do: My List, watch progress and history, ratings and reviews (with
helpful votes), comments (with reactions and reports) and timestamped reactions,
playback analytics events and active streams."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.accounts import Profile
from kinema.catalog.models.base import Base, IdMixin, str_enum, utcnow
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


class Emoji(enum.StrEnum):
    """The reactions offered, by name: the web app draws the glyph (shown beside each),
    so neither a URL nor a column has to carry a multi-code-point emoji."""

    LIKE = "like"  # 👍
    LOVE = "love"  # ❤️
    LAUGH = "laugh"  # 😂
    WOW = "wow"  # 😮
    SAD = "sad"  # 😢
    SCARY = "scary"  # 😱
    FIRE = "fire"  # 🔥
    CLAP = "clap"  # 👏


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    SPOILER = "spoiler"
    OTHER = "other"


class Rating(Base):
    __tablename__ = "ratings"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own for a title's average and distribution.
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # 1..5 stars.
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(IdMixin, Base):
    """A profile's review of a title (one each); writing one also sets its rating."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("profile_id", "title_id", name="uq_reviews_profile_title"),)

    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    # 1..5 stars, the same as the profile's rating of the title when it was written.
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    profile: Mapped[Profile] = relationship()


class ReviewVote(Base):
    """A profile found a review helpful (one vote each, never on its own review)."""

    __tablename__ = "review_votes"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(IdMixin, Base):
    """A comment on a title, or on one of its videos (a movie's feature, an episode) and
    then optionally pinned to a moment of it. A reply has a parent (one level only).

    Deleting one keeps the row (``deleted_at`` set, body cleared), so its replies stay
    in place under a "deleted" marker.
    """

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_title_created", "title_id", "created_at"),)

    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    # None: a comment on the title as a whole.
    video_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # Plain text, returned as it was written (clients render it as text, never HTML).
    body: Mapped[str] = mapped_column(Text)
    # The moment of the video it is pinned to ("at 12:31"), in seconds.
    position_s: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    profile: Mapped[Profile] = relationship()


class CommentReaction(Base):
    """A profile's emoji on a comment: at most one of each emoji per profile."""

    __tablename__ = "comment_reactions"

    comment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    emoji: Mapped[Emoji] = mapped_column(str_enum(Emoji), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommentReport(IdMixin, Base):
    """A profile reporting a comment to the admins (once per comment)."""

    __tablename__ = "comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "profile_id", name="uq_comment_reports_comment_profile"),
        Index("ix_comment_reports_resolved_created", "resolved_at", "created_at"),
    )

    comment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(str_enum(ReportReason))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when an admin dismissed the report or deleted the comment.
    resolved_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship()
    profile: Mapped[Profile] = relationship()


class Reaction(IdMixin, Base):
    """An emoji at a moment of a video: what the density strip above the seek bar
    counts. Reactions on comments are :class:`CommentReaction`."""

    __tablename__ = "reactions"
    __table_args__ = (Index("ix_reactions_video_position", "video_id", "position_s"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    emoji: Mapped[Emoji] = mapped_column(str_enum(Emoji))
    position_s: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaybackEvent(IdMixin, Base):
    """Player analytics: start, heartbeat, stall, quality change, error, end."""

    __tablename__ = "playback_events"
    __table_args__ = (
        Index("ix_playback_events_video_created", "video_id", "created_at"),
        # Retention pruning deletes by age alone.
        Index("ix_playback_events_created", "created_at"),
    )

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
