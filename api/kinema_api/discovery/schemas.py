from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from kinema_api.catalog.schemas import TitleCard

RecommendationReasonKind = Literal["shared", "story", "viewers", "why"]


class RecommendationReason(BaseModel):
    # shared: the titles share genres or tags (``terms``); story: their descriptions
    # are alike; viewers: the same profiles watched both; why: Claude's note on a top
    # pick (with a Claude key), already in the language asked for.
    kind: RecommendationReasonKind
    terms: list[str]
    # The English line ("Also a heist comedy"), which the web app words per language;
    # for "why", the note itself.
    text: str


class RecommendedTitle(BaseModel):
    title: TitleCard
    reason: RecommendationReason | None = None


class SeedTitle(BaseModel):
    id: uuid.UUID
    name: str


class DiscoveryRow(BaseModel):
    key: str
    kind: Literal["top_picks", "because"]
    # English name ("Top picks for Ana", "Because you watched The Vault").
    name: str
    profile_name: str
    seed: SeedTitle | None = None
    items: list[RecommendedTitle]


class DiscoveryRows(BaseModel):
    rows: list[DiscoveryRow]
    # When the lists were last trained; None before the first run (cold start only).
    trained_at: datetime | None


class SimilarTitles(BaseModel):
    title_id: uuid.UUID
    items: list[RecommendedTitle]
