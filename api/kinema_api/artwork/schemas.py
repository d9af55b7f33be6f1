from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from kinema.catalog.models import ArtworkTestState


class ImpressionBatch(BaseModel):
    """Title cards this profile saw (at least half visible for a second)."""

    title_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)


class ImpressionsCounted(BaseModel):
    counted: int


class VariantStats(BaseModel):
    id: uuid.UUID
    source: str
    image_url: str
    impressions: int
    takes: int
    # takes / impressions as observed, then the Beta posterior's mean and 95 % interval.
    take_rate: float
    mean: float
    low: float
    high: float
    p_best: float
    is_winner: bool = False


class ArtworkTestPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    title_name: str
    state: ArtworkTestState
    created_at: datetime
    ended_at: datetime | None = None
    winner_id: uuid.UUID | None = None
    # The variant with the highest posterior mean (what ending without a choice picks).
    leader_id: uuid.UUID | None = None
    variants: list[VariantStats]


class StartTest(BaseModel):
    title_id: uuid.UUID


class EndTest(BaseModel):
    # The variant that becomes the default; without one, the highest posterior mean.
    winner_id: uuid.UUID | None = None


class ArtworkUploadIn(BaseModel):
    """A completed upload (``POST /api/v1/admin/uploads``) holding a JPEG or PNG."""

    upload_id: uuid.UUID


class ArtworkUploadPublic(BaseModel):
    """One image an admin uploaded for a title: a variant of its next artwork test."""

    name: str
    image_url: str
