"""Artwork A/B tests: a title's poster variants, their counters, and which variant each
profile is shown (sticky for some days, with the probability it was chosen with).

See docs/artwork.md. The statistics live in :mod:`kinema.artwork`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, str_enum, utcnow
from kinema.catalog.models.titles import Title


class ArtworkTestState(enum.StrEnum):
    RUNNING = "running"
    ENDED = "ended"


class ArtworkTest(IdMixin, Base):
    """One test of a title's artwork; at most one runs per title at a time."""

    __tablename__ = "artwork_tests"
    __table_args__ = (Index("ix_artwork_tests_title_id", "title_id"),)

    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    state: Mapped[ArtworkTestState] = mapped_column(
        str_enum(ArtworkTestState), default=ArtworkTestState.RUNNING
    )
    # The variant that became the default when the test ended (no FK: a cycle).
    winner_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    title: Mapped[Title] = relationship()
    variants: Mapped[list[ArtworkVariant]] = relationship(
        back_populates="test", order_by="ArtworkVariant.position", cascade="all, delete-orphan"
    )


class ArtworkVariant(IdMixin, Base):
    """One image under test (a store key) and its counters."""

    __tablename__ = "artwork_variants"
    __table_args__ = (UniqueConstraint("test_id", "key", name="uq_artwork_variants_key"),)

    test_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artwork_tests.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(500))
    # Where it came from: "default" (the title's poster), "candidate" (the transcoder's).
    source: Mapped[str] = mapped_column(String(16), default="candidate")
    impressions: Mapped[int] = mapped_column(default=0)
    takes: Mapped[int] = mapped_column(default=0)

    test: Mapped[ArtworkTest] = relationship(back_populates="variants")


class ArtworkAssignment(Base):
    """The variant a profile sees during a test, until ``expires_at`` (then drawn again)."""

    __tablename__ = "artwork_assignments"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    test_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("artwork_tests.id", ondelete="CASCADE"), primary_key=True
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("artwork_variants.id", ondelete="CASCADE")
    )
    # Thompson sampling's probability of choosing this variant when it was drawn.
    propensity: Mapped[float] = mapped_column(default=1.0)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # The last UTC day an impression was counted (one a day per profile and title).
    impression_day: Mapped[date | None]
    # When a play was attributed to the variant (one take per assignment).
    taken_at: Mapped[datetime | None]
