from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from kinema.catalog.models import RunState, SuggestionKind, SuggestionSource, SuggestionState


class SuggestionPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    title_name: str
    kind: SuggestionKind
    value: str
    source: SuggestionSource
    state: SuggestionState
    confidence: float
    reason: str
    # The title's value this suggestion would change (maturity only), so the admin
    # sees the conflict before replacing it.
    current: str | None = None
    created_at: datetime
    decided_at: datetime | None = None


class TaggingRunPublic(BaseModel):
    state: RunState
    source: SuggestionSource | None = None
    # Why it failed: the title stays published and untagged.
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class TitleSuggestions(BaseModel):
    title_id: uuid.UUID
    run: TaggingRunPublic | None = None
    suggestions: list[SuggestionPublic]


class AcceptSuggestion(BaseModel):
    # Replace the title's own value (maturity): without it a differing maturity is
    # refused with 409 suggestion_conflict and the suggestion stays pending.
    replace: bool = False
