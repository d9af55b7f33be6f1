"""Ad creatives as admins see and edit them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from kinema.catalog.models import VideoStatus
from kinema.catalog.services.ads import MAX_WEIGHT

Weight = Annotated[int, Field(ge=1, le=MAX_WEIGHT)]


class AdCreativeCreate(BaseModel):
    """Mark a video as an ad creative (its title leaves the catalog)."""

    weight: Weight = 1
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _window(self) -> AdCreativeCreate:
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValueError("starts_at must be before ends_at")
        return self


class AdCreativeUpdate(BaseModel):
    """Fields left out stay as they are; ``null`` opens that end of the window."""

    weight: Weight | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class AdCreativePublic(BaseModel):
    video_id: uuid.UUID
    title_id: uuid.UUID
    name: str
    status: VideoStatus
    duration_s: float | None
    weight: int
    starts_at: datetime | None
    ends_at: datetime | None
    # Ready and inside its window now: the decision may draw it.
    active: bool
    created_at: datetime
    updated_at: datetime


class AdEvent(StrEnum):
    """VAST tracking events Kinema records (the pixel's path names one)."""

    IMPRESSION = "impression"
    START = "start"
    FIRST_QUARTILE = "firstQuartile"
    MIDPOINT = "midpoint"
    THIRD_QUARTILE = "thirdQuartile"
    COMPLETE = "complete"

    @property
    def kind(self) -> str:
        """The analytics event's kind (``playback_events.kind``)."""
        return {
            "impression": "ad_impression",
            "start": "ad_start",
            "firstQuartile": "ad_first_quartile",
            "midpoint": "ad_midpoint",
            "thirdQuartile": "ad_third_quartile",
            "complete": "ad_complete",
        }[self.value]
