from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from kinema_api.schemas.titles import TitleCard, VideoSummary

# A day-long video is 86 400 s; a week is a generous upper bound for any position.
Seconds = Annotated[float, Field(ge=0, le=7 * 24 * 3600, allow_inf_nan=False)]


class ProgressUpdate(BaseModel):
    position_s: Seconds
    duration_s: Annotated[float, Field(gt=0, le=7 * 24 * 3600, allow_inf_nan=False)] | None = None


class ProgressPublic(BaseModel):
    video_id: uuid.UUID
    position_s: float
    duration_s: float | None
    completed: bool
    updated_at: datetime


class HistoryItem(BaseModel):
    title: TitleCard
    video: VideoSummary
    watched_at: datetime
    last_position_s: float
    completed: bool


class RatingUpdate(BaseModel):
    score: Annotated[int, Field(ge=1, le=5)]


class RatingPublic(BaseModel):
    title_id: uuid.UUID
    score: int
    average: float | None
    count: int
