"""Scored lists the recommender's training job writes and the home rows read.

One table, ``recommendations``, holds every list of the last training run:

- ``top_picks``: per profile (``subject_id`` = profile id), titles ranked for it;
- ``similar``: per title (``subject_id`` = title id), "More like this" (collaborative
  item-item weights blended with content similarity), with the reason kind;
- ``popular``: one catalog-wide list (``subject_id`` NULL), the cold-start fallback.

A run replaces all rows in one transaction, so readers see one run or the next, never a
mix. ``subject_id`` has no foreign key (it is a profile or a title); lists of a deleted
profile are dropped by the next run, and reads join the titles they list.

``why_notes`` keeps, with a Claude key, one line per profile, recommended title and
language saying why the profile may like it; notes outlive training runs (a title that
stays in a profile's picks is not written about twice).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, str_enum, utcnow
from kinema.catalog.models.titles import Title


class RecommendationKind(enum.StrEnum):
    TOP_PICKS = "top_picks"
    SIMILAR = "similar"
    POPULAR = "popular"


class Recommendation(IdMixin, Base):
    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_kind_subject_rank", "kind", "subject_id", "rank"),)

    kind: Mapped[RecommendationKind] = mapped_column(str_enum(RecommendationKind))
    subject_id: Mapped[uuid.UUID | None]
    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    rank: Mapped[int]
    score: Mapped[float]
    # Why a "similar" title is listed: "content" (shared genres or tags), "viewers" (the
    # same profiles watched both), or "" for the other kinds.
    reason: Mapped[str] = mapped_column(String(16), default="")
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)

    title: Mapped[Title] = relationship()


class WhyNote(Base):
    """Why a profile may like a recommended title, in one language (Claude's line)."""

    __tablename__ = "why_notes"

    profile_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True
    )
    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
