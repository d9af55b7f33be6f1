"""The part of the transcoder's ``kinema.json`` the operator reads. Pure.

``kinema.json`` is the output contract (written last by ``kinema transcode`` or
``kinema package``); the operator never imports the transcoder, so it reads the file
through this tolerant model: unknown fields are ignored, so the transcoder may add
fields without breaking the operator.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from kinema.media import ProbeSummary

REPORT_FILE = "kinema.json"
THUMBNAILS_FILE = "thumbnails.vtt"


class _Report(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class ReportQuality(_Report):
    psnr: float | None = None
    psnr_min: float | None = None
    ssim: float | None = None
    vmaf: float | None = None


class ReportRendition(_Report):
    name: str
    kind: Literal["video", "audio"]
    codec: str
    width: int | None = None
    height: int | None = None
    language: str | None = None
    playlist: str
    target_bitrate_kbps: int | None = None
    average_bitrate: int = 0
    bytes: int = 0
    segments: int = 0
    quality: ReportQuality | None = None


class ReportSubtitle(_Report):
    language: str
    name: str
    uri: str
    source: str = ""


class ReportPoster(_Report):
    uri: str


class ReportError(_Report):
    code: str = ""
    message: str = ""


class ReportReuse(_Report):
    source: str = ""
    rungs: list[str] = Field(default_factory=list)
    audio: bool = False


class TranscodeReport(_Report):
    status: Literal["complete", "failed", "running"]
    source: str = ""
    error: ReportError | None = None
    probe: ProbeSummary | None = None
    renditions: list[ReportRendition] = Field(default_factory=list)
    subtitles: list[ReportSubtitle] = Field(default_factory=list)
    posters: list[ReportPoster] = Field(default_factory=list)
    trickplay: dict[str, object] | None = None
    manifests: dict[str, str] = Field(default_factory=dict)
    duration: float | None = None
    chunks: int = 1
    reused: ReportReuse | None = None  # what was copied from an earlier output

    @property
    def hls(self) -> str | None:
        return self.manifests.get("hls")

    @property
    def dash(self) -> str | None:
        return self.manifests.get("dash")

    @property
    def thumbnails(self) -> str | None:
        return THUMBNAILS_FILE if self.trickplay else None

    @property
    def poster(self) -> str | None:
        return self.posters[0].uri if self.posters else None

    @property
    def playable(self) -> bool:
        return self.status == "complete" and bool(self.hls and self.dash)
