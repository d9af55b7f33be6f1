"""The Video resource: one piece of content to transcode, package and publish.

``spec`` is what a platform engineer (or the API, after an upload) declares; ``status``
is what the operator observed last: phase, percent done, the probe summary, the
renditions, manifest URLs and conditions (Ready, Transcoding, Published, Failed).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, JsonValue, model_validator

from kinema.media import ProbeSummary
from kinema.resources.common import (
    CONDITIONS_LIST,
    DNS_LABEL,
    LANGUAGE_TAG,
    SOURCE_URI,
    Condition,
    LocalRef,
    Model,
)

KIND = "Video"
PLURAL = "videos"

# Ratings in increasing order, as the catalog stores them (kinema.catalog Maturity).
MaturityRating = Literal["all", "7+", "13+", "16+", "18+"]


class VideoType(StrEnum):
    MOVIE = "movie"
    EPISODE = "episode"


class DeletionPolicy(StrEnum):
    """What happens to the transcoded output when the Video is deleted."""

    DELETE = "Delete"
    RETAIN = "Retain"


class Episode(Model):
    """Where an episode sits in its series."""

    series: str = Field(min_length=1, max_length=200, description="Series title.")
    season: int = Field(ge=0, le=1000, description="Season number (0 for specials).")
    number: int = Field(ge=0, le=10000, description="Episode number within the season.")


class AudioTrack(Model):
    """Labels for one audio language of the source (every language is encoded)."""

    language: str = Field(pattern=LANGUAGE_TAG, max_length=35, description="BCP 47 tag.")
    label: str | None = Field(default=None, max_length=100, description="Shown in the player.")
    default: bool = Field(default=False, description="The track players start with.")


class Subtitle(Model):
    """A sidecar subtitle file (SRT or WebVTT) to publish as a WebVTT track."""

    language: str = Field(pattern=LANGUAGE_TAG, max_length=35, description="BCP 47 tag.")
    source: str = Field(
        pattern=SOURCE_URI, max_length=2048, description="s3://, https:// or upload: URI."
    )
    label: str | None = Field(default=None, max_length=100, description="Shown in the player.")


_NEEDS_EPISODE = "an episode needs spec.episode (series, season, number)"
_ONLY_EPISODE = "spec.episode is only for type: episode"
_EPISODE_RULES: list[JsonValue] = [
    {"rule": "self.type != 'episode' || has(self.episode)", "message": _NEEDS_EPISODE},
    {"rule": "self.type == 'episode' || !has(self.episode)", "message": _ONLY_EPISODE},
]


class Chapters(Model):
    """Where the opening titles and the end credits are, for skip-intro and next-episode."""

    intro_start_seconds: float | None = Field(default=None, ge=0, le=86_400)
    intro_end_seconds: float | None = Field(default=None, gt=0, le=86_400)
    credits_start_seconds: float | None = Field(
        default=None, gt=0, le=86_400, description="Players offer the next episode from here."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        start, end = self.intro_start_seconds, self.intro_end_seconds
        if (start is None) != (end is None):
            raise ValueError("an intro needs both introStartSeconds and introEndSeconds")
        if start is not None and end is not None and end <= start:
            raise ValueError("introEndSeconds must be after introStartSeconds")
        return self


class VideoSpec(Model):
    """``spec`` of a Video."""

    model_config = ConfigDict(json_schema_extra={"x-kubernetes-validations": _EPISODE_RULES})

    source: str = Field(
        pattern=SOURCE_URI,
        max_length=2048,
        description="The master file: s3://bucket/key, https://..., or upload:<id>/<file>.",
    )
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    genres: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    tags: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=50
    )
    maturity_rating: MaturityRating = Field(
        default="13+", description="Highest audience rating the content needs."
    )
    type: VideoType = Field(default=VideoType.MOVIE, description="movie or episode.")
    episode: Episode | None = Field(default=None, description="Required for episodes.")
    year: int | None = Field(default=None, ge=1870, le=2200, description="Release year.")
    ladder_ref: LocalRef | None = Field(
        default=None, description="Ladder in this namespace; the built-in default when unset."
    )
    audio_tracks: list[AudioTrack] = Field(default_factory=list, max_length=32)
    subtitles: list[Subtitle] = Field(default_factory=list, max_length=64)
    revision: int = Field(
        default=0,
        ge=0,
        le=1_000_000,
        description="Bump to transcode again from scratch (e.g. after a failure).",
    )
    chapters: Chapters | None = Field(
        default=None, description="Intro and credits times (metadata: nothing is re-encoded)."
    )
    published: bool = Field(default=False, description="Visible to viewers once Ready.")
    distribution_ref: LocalRef | None = Field(
        default=None, description="Distribution (CDN) that serves the output."
    )
    deletion_policy: DeletionPolicy = Field(
        default=DeletionPolicy.DELETE,
        description="Delete removes the transcoded output with the Video; Retain keeps it.",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.type is VideoType.EPISODE and self.episode is None:
            raise ValueError(_NEEDS_EPISODE)
        if self.type is VideoType.MOVIE and self.episode is not None:
            raise ValueError(_ONLY_EPISODE)
        languages = [s.language for s in self.subtitles]
        dupes = sorted({lang for lang in languages if languages.count(lang) > 1})
        if dupes:
            raise ValueError(f"one subtitle per language; repeated: {', '.join(dupes)}")
        return self


class VideoPhase(StrEnum):
    PENDING = "Pending"
    PROBING = "Probing"
    TRANSCODING = "Transcoding"
    PACKAGING = "Packaging"
    READY = "Ready"
    FAILED = "Failed"


class RenditionKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    SUBTITLE = "subtitle"


class RenditionSummary(Model):
    """One rendition as the Video's status lists it."""

    name: str = Field(pattern=DNS_LABEL, max_length=63)
    kind: RenditionKind
    width: int | None = Field(default=None, ge=0)
    height: int | None = Field(default=None, ge=0)
    bitrate_kbps: int | None = Field(default=None, ge=0)
    codec: str | None = None
    language: str | None = None
    size_bytes: int | None = Field(default=None, ge=0)


class Manifests(Model):
    """Where players find the output."""

    hls: str = Field(description="HLS master playlist URL.")
    dash: str = Field(description="DASH MPD URL.")
    thumbnails: str | None = Field(default=None, description="Trickplay WebVTT URL.")
    poster: str | None = Field(default=None, description="Poster image URL.")


class JobRefs(Model):
    """The Jobs working for the current spec."""

    probe: str | None = None
    transcode: str | None = None
    package: str | None = None
    subtitles: str | None = Field(default=None, description="Rewrites the subtitle tracks only.")


class VideoStatus(Model):
    """``status`` of a Video: recomputed from the Jobs that exist, never from memory."""

    observed_generation: int | None = Field(default=None, ge=0)
    phase: VideoPhase = VideoPhase.PENDING
    progress: int = Field(default=0, ge=0, le=100, description="Percent done.")
    duration: str | None = Field(default=None, description="Source duration, e.g. 1h02m03s.")
    message: str | None = Field(default=None, max_length=4096)
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
    digest: str | None = Field(
        default=None, description="Names the output prefix and its Jobs (see mediaDigest)."
    )
    media_digest: str | None = Field(
        default=None,
        description="Hash of what the media output depends on (source, ladder, revision).",
    )
    subtitles_digest: str | None = Field(
        default=None, description="Hash of the sidecar subtitle set the output lists."
    )
    ladder: str | None = Field(default=None, description="The ladder used: a name or 'builtin'.")
    output: str | None = Field(default=None, description="Object-store URL of the output.")
    published_digest: str | None = Field(
        default=None, description="The digest whose output is live (kept during re-transcodes)."
    )
    probe: ProbeSummary | None = None
    chunks: int | None = Field(default=None, ge=1, description="Parallel transcode slices.")
    jobs: JobRefs | None = None
    renditions: list[RenditionSummary] = Field(default_factory=list)
    manifests: Manifests | None = None
