"""Playback rollups: what the analytics dashboard reads instead of raw events.

Each table is keyed by a grain (``hour`` or ``day``), the bucket's first instant (UTC),
and the dimensions the dashboard breaks numbers down by: the video (its title is kept
alongside for the by-title breakdown), the viewer's plan, their browser and the rendition
rung. Ingestion adds to the rows of both grains in the same transaction as the raw
events (:mod:`kinema.catalog.services.rollups`), so rows only ever grow by addition and a
dashboard request reads sums of them, never ``playback_events``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from kinema.catalog.models.base import Base

GRAINS = ("hour", "day")


class RollupKey:
    """The key columns every rollup table shares (its primary key starts with them)."""

    grain: Mapped[str] = mapped_column(String(4), primary_key=True, sort_order=-9)
    bucket: Mapped[datetime] = mapped_column(primary_key=True, sort_order=-8)

    @declared_attr
    def video_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True, sort_order=-7
        )

    plan: Mapped[str] = mapped_column(String(63), primary_key=True, sort_order=-6)
    browser: Mapped[str] = mapped_column(String(32), primary_key=True, sort_order=-5)
    rung: Mapped[str] = mapped_column(String(16), primary_key=True, sort_order=-4)
    # The video's title (a denormalized copy: the by-title breakdown needs no join).
    title_id: Mapped[uuid.UUID] = mapped_column(sort_order=-3)


class PlaybackRollup(RollupKey, Base):
    """Counts and sums of a bucket: plays (``start`` events, with their startup time) and
    views (the player's ``end``/``error`` reports, one per viewing)."""

    __tablename__ = "playback_rollups"
    __table_args__ = (Index("ix_playback_rollups_title", "grain", "title_id", "bucket"),)

    plays: Mapped[int] = mapped_column(default=0)
    startup_ms_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    views: Mapped[int] = mapped_column(default=0)
    # Exits before video start: a view that ended without a first frame and without error.
    ebvs: Mapped[int] = mapped_column(default=0)
    start_failures: Mapped[int] = mapped_column(default=0)
    playback_failures: Mapped[int] = mapped_column(default=0)
    watched_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    rebuffer_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    rebuffer_count: Mapped[int] = mapped_column(default=0)
    # Bitrate weighted by watch time (bits/s times ms), over views that reported one.
    bitrate_ms: Mapped[float] = mapped_column(Float, default=0.0)
    bitrate_watched_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    switches: Mapped[int] = mapped_column(default=0)
    # Views that reached 90 % of the video (see docs/analytics.md).
    completed: Mapped[int] = mapped_column(default=0)
    # Views that reported how far they got (the denominator of completion and retention).
    reach_views: Mapped[int] = mapped_column(default=0)


class StartupRollup(RollupKey, Base):
    """Startup times as a histogram of 10 ms buckets (percentiles without raw events)."""

    __tablename__ = "startup_rollups"
    __table_args__ = (Index("ix_startup_rollups_title", "grain", "title_id", "bucket"),)

    bucket_ms: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ErrorRollup(RollupKey, Base):
    """Failed views by the player's error code (``"none"`` when it gave none) and by when
    they failed: ``start`` (before the first frame) or ``playback`` (after it)."""

    __tablename__ = "error_rollups"
    __table_args__ = (Index("ix_error_rollups_title", "grain", "title_id", "bucket"),)

    phase: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class RetentionRollup(RollupKey, Base):
    """How far views got: a histogram of the furthest point reached, in 5 % steps of the
    video's duration (``reach_pct`` 0, 5, ..., 100); a retention curve is its tail sum."""

    __tablename__ = "retention_rollups"
    __table_args__ = (Index("ix_retention_rollups_title", "grain", "title_id", "bucket"),)

    reach_pct: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
