"""Playback, progress, history and rating bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kinema.catalog.models import Video
from kinema_api.catalog.schemas import TitleCard, VideoSummary

# A day-long video is 86 400 s; a week is a generous upper bound for any position.
Seconds = Annotated[float, Field(ge=0, le=7 * 24 * 3600, allow_inf_nan=False)]


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


class Chapters(BaseModel):
    """The opening titles (players offer "Skip intro") and where the end credits start."""

    intro_start_s: Seconds | None = None
    intro_end_s: Seconds | None = None
    credits_start_s: Seconds | None = None

    @model_validator(mode="after")
    def _check(self) -> Chapters:
        start, end = self.intro_start_s, self.intro_end_s
        if (start is None) != (end is None):
            raise ValueError("an intro needs both intro_start_s and intro_end_s")
        if start is not None and end is not None and end <= start:
            raise ValueError("intro_end_s must be after intro_start_s")
        return self

    @classmethod
    def of(cls, video: Video) -> Chapters | None:
        """The video's chapters, or None when it declares none."""
        values = (video.intro_start_s, video.intro_end_s, video.credits_start_s)
        if all(v is None for v in values):
            return None
        return cls(intro_start_s=values[0], intro_end_s=values[1], credits_start_s=values[2])


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
    chapters: Chapters | None = None
    expires_at: datetime
    # The stream token inside every media URL above, and when the player should ask for
    # the next one (``POST /playback/{video_id}/renew``), well before ``expires_at``.
    token: str
    renew_after_s: int
    # The viewer's plan shows ads: the player asks for a pre-roll (``/ads/decision``)
    # before the title. False: it never asks.
    ads: bool = False
    ad_breaks: list[float] = Field(
        default_factory=list,
        description="Mid-roll break points (chapter starts, seconds): when playback crosses "
        "one the player asks `/ads/decision?video=…&break=<point>`. Empty without ads.",
    )
    ad_break_spacing_s: float = Field(
        default=0.0,
        description="Seconds of the title to play after the start or a break before "
        "the next mid-roll may play.",
    )


class PlaybackRenewal(BaseModel):
    """A fresh stream token for a playback in progress: the player puts it in place of
    the old one in every media URL (``/api/v1/stream/<token>/...``)."""

    token: str
    expires_at: datetime
    renew_after_s: int
    max_height: int


class StreamHolder(BaseModel):
    """A device streaming now, as a refusal over the plan's limit names it."""

    device_id: uuid.UUID = Field(
        description="The device's id in `/devices` (its login session): "
        "`POST /devices/{device_id}/stop-playback` frees its slot."
    )
    device_name: str
    title: str | None = Field(
        description="What it plays; null when the asking profile may not see that title."
    )
    profile: str | None = Field(description="The profile watching; null when unknown.")


class TooManyStreamsPublic(BaseModel):
    """429 ``too_many_streams``: every device the plan allows is streaming."""

    detail: str
    code: Literal["too_many_streams"]
    streams: list[StreamHolder]


class PlaybackEventKind(StrEnum):
    START = "start"
    HEARTBEAT = "heartbeat"
    STALL = "stall"
    QUALITY_CHANGE = "quality_change"
    SEEK = "seek"
    ERROR = "error"
    END = "end"


# The player's report fields and the largest value each may plausibly take; a report with
# a value beyond (or below zero) is refused (422), not stored (docs/analytics.md).
QOE_BOUNDS: dict[str, float] = {
    "startup_ms": 10 * 60 * 1000,
    "rebuffer_ms": 7 * 24 * 3600 * 1000,
    "rebuffer_count": 100_000,
    "bitrate_switches": 100_000,
    "fatal_errors": 1_000,
    "watched_s": 7 * 24 * 3600,
    "average_bitrate": 10**9,
    "duration_s": 7 * 24 * 3600,
    "height": 8640,
    "width": 8640,
}


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
    client_time: datetime | None = Field(
        default=None,
        description="When it happened by the player's clock (a batch sent later says so); "
        "the server's receipt time when omitted. Refused when too far from the server's.",
    )

    @model_validator(mode="after")
    def _plausible(self) -> PlaybackEventCreate:
        for key, value in (self.payload or {}).items():
            bound = QOE_BOUNDS.get(key)
            if bound is None or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"payload.{key} must be a number")
            if not 0 <= value <= bound:
                raise ValueError(f"payload.{key} must be between 0 and {bound:g}")
        if self.client_time is not None and self.client_time.tzinfo is None:
            raise ValueError("client_time needs a time zone")
        return self


class PlaybackEventItem(PlaybackEventCreate):
    video_id: uuid.UUID


class PlaybackEventBatch(BaseModel):
    events: Annotated[list[PlaybackEventItem], Field(min_length=1, max_length=100)]


class PlaybackEventsAccepted(BaseModel):
    accepted: int = Field(description="Events stored.")
    refused: dict[str, int] = Field(
        description="Events left out, by reason: clock_skew (a client_time too far from "
        "the server's), unknown_video."
    )


class ProgressUpdate(BaseModel):
    position_s: Seconds
    duration_s: Annotated[float, Field(gt=0, le=7 * 24 * 3600, allow_inf_nan=False)] | None = None


class ProgressPublic(BaseModel):
    """Where a profile is in a video, as last reported."""

    # Built from the stored record's attributes (the writer's and the catalog's).
    model_config = ConfigDict(from_attributes=True)

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
