from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field


class RenditionPublic(BaseModel):
    name: str
    width: int
    height: int
    bitrate: int
    codec: str


class SubtitlePublic(BaseModel):
    language: str
    label: str
    url: str


class PlaybackPublic(BaseModel):
    video_id: uuid.UUID
    title: str
    hls_url: str
    dash_url: str | None
    thumbnails_url: str | None
    poster_url: str | None
    subtitles: list[SubtitlePublic]
    renditions: list[RenditionPublic]
    max_height: int
    resume_position_s: float
    duration_s: float | None
    expires_at: datetime


class PlaybackEventKind(StrEnum):
    START = "start"
    HEARTBEAT = "heartbeat"
    STALL = "stall"
    QUALITY_CHANGE = "quality_change"
    SEEK = "seek"
    ERROR = "error"
    END = "end"


class PlaybackEventCreate(BaseModel):
    kind: PlaybackEventKind
    position_s: Annotated[float, Field(ge=0, le=7 * 24 * 3600, allow_inf_nan=False)] | None = None
    bitrate: Annotated[int, Field(ge=0, le=10**10)] | None = None
    # Small free-form details (player version, error code...), bounded by the schema.
    payload: (
        Annotated[
            dict[
                Annotated[str, Field(max_length=40)],
                Annotated[str, Field(max_length=200)] | float | bool | None,
            ],
            Field(max_length=20),
        ]
        | None
    ) = None
