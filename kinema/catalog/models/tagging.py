"""Auto-tagging: what a model suggested for a title (genres, moods, themes, a maturity),
awaiting an admin's accept or reject, and one run per title (its state, why it failed,
what the Claude call cost).

Suggestions never change the title by themselves: accepting one does.

``claude_calls`` records every other Claude call (the recommender's "why you may like
it" notes): with the tagging runs' usage it makes the month's spend, which the cost cap
bounds.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import Base, IdMixin, str_enum, utcnow
from kinema.catalog.models.titles import Title


class SuggestionKind(enum.StrEnum):
    GENRE = "genre"
    MOOD = "mood"
    THEME = "theme"
    MATURITY = "maturity"


class SuggestionSource(enum.StrEnum):
    LOCAL = "local"
    CLAUDE = "claude"


class SuggestionState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class RunState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TagSuggestion(IdMixin, Base):
    __tablename__ = "tag_suggestions"
    __table_args__ = (
        # One row per (title, kind, value): a rejected suggestion is not made again.
        UniqueConstraint("title_id", "kind", "value", name="uq_tag_suggestions_value"),
        Index("ix_tag_suggestions_state", "state"),
    )

    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    kind: Mapped[SuggestionKind] = mapped_column(str_enum(SuggestionKind))
    # The tag or genre name as shown, or the maturity value ("16+").
    value: Mapped[str] = mapped_column(String(80))
    source: Mapped[SuggestionSource] = mapped_column(str_enum(SuggestionSource))
    state: Mapped[SuggestionState] = mapped_column(
        str_enum(SuggestionState), default=SuggestionState.PENDING
    )
    confidence: Mapped[float] = mapped_column(default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    title: Mapped[Title] = relationship()


class TaggingRun(Base):
    """The auto-tagging of one title: queued when it is published, then done or failed."""

    __tablename__ = "tagging_runs"

    title_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[RunState] = mapped_column(str_enum(RunState), default=RunState.QUEUED)
    source: Mapped[SuggestionSource | None] = mapped_column(str_enum(SuggestionSource))
    # Why it failed (or why Claude was not used and the local classifier was).
    error: Mapped[str | None] = mapped_column(String(500))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)


class ClaudeCall(IdMixin, Base):
    """A Claude call made for something other than tagging, with what it cost."""

    __tablename__ = "claude_calls"
    __table_args__ = (Index("ix_claude_calls_finished_at", "finished_at"),)

    purpose: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(String(500))
