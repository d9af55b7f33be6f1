from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kinema.catalog.models import (
    JobStatus,
    Maturity,
    TitleKind,
    UploadMethod,
    UploadStatus,
    VideoStatus,
)
from kinema_api.schemas.common import Label, LongText, OrmModel, ShortText
from kinema_api.schemas.playback import Chapters

MAX_UPLOAD_BYTES = 50 * 1024**3
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
# A file name without folders or control characters that neither starts nor ends with
# whitespace (stated in the pattern, so the OpenAPI schema says exactly what is accepted).
_NAME_CHAR = r"[^/\\\x00-\x1f\x7f-\x9f]"
_NAME_EDGE = r"[^\s/\\\x00-\x1f\x7f-\x9f]"
Filename = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=255, pattern=rf"^{_NAME_EDGE}(?:{_NAME_CHAR}*{_NAME_EDGE})?$"
    ),
]


class UploadCreate(BaseModel):
    filename: Filename
    size: Annotated[int, Field(gt=0, le=MAX_UPLOAD_BYTES)]
    content_type: Annotated[str, StringConstraints(max_length=255)] = "application/octet-stream"
    sha256: Sha256Hex | None = None
    # Default: browser-direct multipart on S3, resumable chunks (tus) to the API otherwise.
    method: UploadMethod | None = None


class UploadPublic(OrmModel):
    id: uuid.UUID
    method: UploadMethod
    status: UploadStatus
    filename: str
    key: str
    size: int
    offset: int
    part_size: int | None
    part_count: int | None = None
    tus_url: str | None = None
    parts_received: list[int] = Field(default_factory=list)
    created_at: datetime
    completed_at: datetime | None


class PartUrlsRequest(BaseModel):
    part_numbers: Annotated[
        list[Annotated[int, Field(ge=1, le=10_000)]], Field(min_length=1, max_length=100)
    ]
    # Base64 MD5 of each part: when given, the store refuses corrupted bytes.
    content_md5: dict[str, Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]{22}==$")]] = (
        Field(default_factory=dict)
    )


class PartUrl(BaseModel):
    part_number: int
    url: str
    headers: dict[str, str]


class PartUrlsPublic(BaseModel):
    urls: list[PartUrl]
    expires_in_s: int


class PartIn(BaseModel):
    number: Annotated[int, Field(ge=1, le=10_000)]
    etag: Annotated[str, StringConstraints(max_length=80)]


class UploadComplete(BaseModel):
    parts: Annotated[list[PartIn], Field(max_length=10_000)] | None = None


class _VideoFields(BaseModel):
    title: ShortText
    description: LongText = ""
    year: Annotated[int, Field(ge=1870, le=2200)] | None = None
    maturity: Maturity = Maturity.TEEN
    genres: Annotated[list[Label], Field(max_length=20)] = Field(default_factory=list)
    tags: Annotated[list[Label], Field(max_length=50)] = Field(default_factory=list)
    published: bool = True
    chapters: Chapters | None = None
    upload_id: uuid.UUID | None = None


class MovieCreate(_VideoFields):
    """A movie: a new title with one video."""

    kind: Literal[TitleKind.MOVIE] = TitleKind.MOVIE


class EpisodeCreate(_VideoFields):
    """An episode: of the series ``series_id``, or of a new series named ``title``."""

    kind: Literal[TitleKind.SERIES]
    series_id: uuid.UUID | None = None
    season_number: Annotated[int, Field(ge=0, le=1000)]
    episode_number: Annotated[int, Field(ge=0, le=100_000)]


VideoCreate = MovieCreate | EpisodeCreate


class VideoUpdate(BaseModel):
    title: ShortText | None = None
    description: LongText | None = None
    year: Annotated[int, Field(ge=1870, le=2200)] | None = None
    maturity: Maturity | None = None
    genres: Annotated[list[Label], Field(max_length=20)] | None = None
    tags: Annotated[list[Label], Field(max_length=50)] | None = None
    published: bool | None = None
    # Replaces the chapters; an object with every field null clears them.
    chapters: Chapters | None = None


class JobPublic(OrmModel):
    id: uuid.UUID
    status: JobStatus
    attempts: int
    progress: float
    stage: str
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None


class AdminVideoPublic(BaseModel):
    id: uuid.UUID
    title_id: uuid.UUID
    title: str
    name: str
    kind: TitleKind
    season_number: int | None
    episode_number: int | None
    status: VideoStatus
    progress: float
    error: str | None
    # Ready, but the latest re-transcode failed (``error`` says why); the previous
    # output is still what viewers play.
    retranscode_failed: bool = False
    published: bool
    source: str | None
    duration_s: float | None
    chapters: Chapters | None = None
    renditions: list[str]
    job: JobPublic | None
    created_at: datetime
    updated_at: datetime
