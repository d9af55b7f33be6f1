"""Audience rollups: who watches, when, on what, and in what runs.

- :class:`AudienceRollup`: plays and watch time per bucket and device (browser and
  operating system), with binge sessions and the plays inside them. Its hour rows make the
  time-of-day by weekday heatmap.
- :class:`ProfileRollup`: which profiles played something in a bucket (one row per
  profile and dimensions), so distinct viewers over a range are a count of rows, not of
  events.
- :class:`ProfileFirstPlay`: each profile's first play ever (new vs returning).
- :class:`ViewingStreak`: each profile's current run of videos, the state the binge count
  is kept from as events arrive.

All are maintained at ingest in the same transaction as the raw events
(:mod:`kinema.catalog.services.audience_rollups`); definitions in ``docs/analytics.md``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kinema.catalog.models.analytics import RollupKey
from kinema.catalog.models.base import Base


class AudienceRollup(RollupKey, Base):
    """Plays, views and watch time by device; binge sessions that reached their third
    video in the bucket and the plays counted inside binges."""

    __tablename__ = "audience_rollups"
    __table_args__ = (Index("ix_audience_rollups_title", "grain", "title_id", "bucket"),)

    os: Mapped[str] = mapped_column(String(16), primary_key=True)
    plays: Mapped[int] = mapped_column(default=0)
    views: Mapped[int] = mapped_column(default=0)
    watched_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    binge_sessions: Mapped[int] = mapped_column(default=0)
    binge_plays: Mapped[int] = mapped_column(default=0)


class ProfileRollup(RollupKey, Base):
    """A profile that played something in the bucket (``plays``: how many times)."""

    __tablename__ = "profile_rollups"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    plays: Mapped[int] = mapped_column(default=0)


class ProfileFirstPlay(Base):
    """When a profile first played anything (the earliest ``start`` event seen)."""

    __tablename__ = "profile_first_plays"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    first_at: Mapped[datetime]


class ViewingStreak(Base):
    """A profile's current run of back-to-back videos: ``videos`` different videos so far,
    the last one ``last_video_id``, the profile's latest event at ``last_at``."""

    __tablename__ = "viewing_streaks"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    last_at: Mapped[datetime]
    last_video_id: Mapped[uuid.UUID | None]
    videos: Mapped[int] = mapped_column(default=0)
