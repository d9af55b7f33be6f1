"""Clip bodies.

A range is ``start_s`` to ``end_s`` seconds into one video: at least one second, at
most :data:`MAX_CLIP_S`; whether it fits the video is checked against the video's
duration by the service. A caption is plain text (the social schemas' rule: no control
characters, trimmed) of at most :data:`CAPTION_MAX` characters, returned verbatim in
JSON and escaped wherever the server writes it into HTML (the link card).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from kinema.catalog.models import PreviewState
from kinema_api.social.schemas import MAX_POSITION_S, PLAIN_TEXT_PATTERN, Author

MAX_CLIP_S = 60.0
MIN_CLIP_S = 1.0
CAPTION_MAX = 280

Caption = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=CAPTION_MAX, pattern=PLAIN_TEXT_PATTERN
    ),
]
Seconds = Annotated[float, Field(ge=0, le=MAX_POSITION_S, allow_inf_nan=False)]


class ClipCreate(BaseModel):
    video_id: uuid.UUID
    start_s: Seconds
    end_s: Seconds
    caption: Caption | None = None

    @field_validator("end_s")
    @classmethod
    def _range(cls, end_s: float, info: ValidationInfo) -> float:
        start_s = info.data.get("start_s")
        if start_s is None:  # start_s itself was refused
            return end_s
        length = end_s - start_s
        if length < MIN_CLIP_S:
            raise ValueError(f"end_s must be at least {MIN_CLIP_S:.0f} s after start_s")
        if length > MAX_CLIP_S + 1e-6:
            raise ValueError(f"end_s: a clip is at most {MAX_CLIP_S:.0f} s long")
        return end_s


class ClipPreview(BaseModel):
    """``pending`` while a worker makes it, then ``ready`` (the URLs answer) or
    ``failed``. The files are public: link cards are fetched signed out."""

    state: PreviewState
    video_url: str | None
    still_url: str | None


class ClipPublic(BaseModel):
    id: uuid.UUID
    url: str = Field(description="The clip's page, relative to the web app: /clip/<id>")
    video_id: uuid.UUID
    title_id: uuid.UUID
    title: str
    episode: str | None = Field(description="'S1:E2 Name' for an episode, else null")
    start_s: float
    end_s: float
    caption: str | None
    created_at: datetime
    preview: ClipPreview
    mine: bool
    can_delete: bool
    playable: bool = Field(
        description="Signed in on a profile that may see the title: the watch page may "
        "ask for playback (which checks the plan as always). False when signed out."
    )


class ClipModerated(ClipPublic):
    """A clip as the admins' list shows it: who made it, and why a preview failed."""

    maker: Author = Field(description="The profile that made it.")
    preview_error: str | None


class ClipModerationPage(BaseModel):
    items: list[ClipModerated]
    total: int
    next_offset: int | None
