from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from kinema.catalog.models import (
    JobStatus,
    Maturity,
    TitleKind,
    UploadMethod,
    UploadStatus,
    VideoStatus,
)
from kinema.resources.common import LANGUAGE_TAG
from kinema_api.billing.schemas import AdminUserPublic
from kinema_api.common import Label, LongText, OrmModel, ShortText
from kinema_api.viewing.schemas import Chapters

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


# Sidecar subtitle files are text: anything larger is not a subtitle file.
MAX_SUBTITLE_BYTES = 5 * 1024**2
SUBTITLE_SUFFIXES = (".srt", ".vtt")


# Shown in the player instead of the language's name; ``\S``: blank is refused.
SubtitleLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S")
]


class SubtitleIn(BaseModel):
    """A sidecar subtitle file (SRT or WebVTT, a completed upload) for one language."""

    # The Video resource's rule for subtitle languages (a BCP 47 tag such as fr, pt-BR).
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_TAG, max_length=35)]
    upload_id: uuid.UUID
    label: SubtitleLabel | None = None


def _one_per_language(subtitles: list[SubtitleIn]) -> list[SubtitleIn]:
    # Tags are case-insensitive (BCP 47): fr and FR would be the same track.
    counts = Counter(s.language.lower() for s in subtitles)
    repeated = sorted(lang for lang, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(f"one subtitle file per language; repeated: {', '.join(repeated)}")
    return subtitles


# Replaces the whole sidecar set; [] removes every sidecar subtitle.
Subtitles = Annotated[list[SubtitleIn], Field(max_length=64), AfterValidator(_one_per_language)]


class SubtitleFilePublic(BaseModel):
    language: str
    label: str | None = None
    upload_id: uuid.UUID
    filename: str


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
    subtitles: Subtitles = Field(default_factory=list)


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
    # Replaces the sidecar subtitles ([] removes them); a ready video gets its subtitle
    # tracks rewritten without a new encode.
    subtitles: Subtitles | None = None


class JobPublic(OrmModel):
    id: uuid.UUID
    # "transcode", or "subtitles" (the subtitle tracks of the output rewritten in place).
    kind: str = "transcode"
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
    subtitles: list[SubtitleFilePublic] = Field(default_factory=list)
    renditions: list[str]
    job: JobPublic | None
    created_at: datetime
    updated_at: datetime


class AdminDevice(BaseModel):
    """One of a user's signed-in devices (a live login session)."""

    id: uuid.UUID
    name: str
    user_agent: str
    created_at: datetime
    last_seen_at: datetime
    streaming: bool = Field(description="Whether it holds a live stream now.")


class AdminUserDetail(BaseModel):
    user: AdminUserPublic
    devices: list[AdminDevice]


class AdminUserActive(BaseModel):
    active: bool = Field(description="False disables the account and signs it out everywhere.")
