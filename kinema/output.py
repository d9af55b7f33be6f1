"""The transcoder's output contract: ``kinema.json``, as one typed model. Pure.

``kinema transcode`` / ``kinema package`` / ``kinema subtitles`` write
:class:`TranscodeReport` last, into the output folder; the operator (from a Job's output
in the object store) and the API's embedded worker pool (from a local run) read it back
with the same model and turn it into catalog rows through
:func:`kinema.catalog.services.sync.report_upsert`. The model lives in the core because
all three use it and none may import another.

Shape of the contract, so the writer and its readers can move at different speeds:

- keys are camelCase (``averageBitrate``); unknown keys are ignored, so the transcoder
  may add fields without breaking an older reader;
- every field a reader can do without has a default, so a partial or older document
  still reads (the transcoder always writes them all);
- ``status`` is ``complete`` only once the manifests exist; a failed run writes
  ``status: failed`` with an :class:`ErrorInfo` and no manifests.

``probe.json`` (``kinema probe SRC --out URL``, what a probe Job leaves beside the output)
is named here too: the operator reads it back as the probe step's result.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from kinema.ladder import DroppedRung, LadderPlan
from kinema.media import ProbeSummary
from kinema.pertitle import PerTitleDecision
from kinema.resources.ladder import LadderSpec

REPORT_VERSION = 1
REPORT_FILE = "kinema.json"
PROBE_FILE = "probe.json"
THUMBNAILS_FILE = "thumbnails.vtt"
# SubtitleRecord.source of a track extracted from the source (``embedded:<stream>``).
EMBEDDED = "embedded:"


class OutputModel(BaseModel):
    """Base of every document the transcoder writes: camelCase, extra keys ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2, exclude_none=True)


class Quality(OutputModel):
    reference: str = ""
    frames_compared: int = 0
    psnr: float | None = Field(
        default=None, description="dB, from the mean MSE over compared frames."
    )
    psnr_min: float | None = None
    ssim: float | None = None
    vmaf: float | None = None


class RenditionSummary(OutputModel):
    name: str
    kind: Literal["video", "audio"]
    codec: str
    width: int | None = None
    height: int | None = None
    language: str | None = None
    playlist: str
    target_bitrate_kbps: int | None = None
    average_bitrate: int = Field(default=0, description="bit/s over the whole rendition.")
    peak_bitrate: int = Field(default=0, description="bit/s of the largest segment.")
    bytes: int = 0
    segments: int = 0
    duration: float = 0.0
    quality: Quality | None = None


class SubtitleRecord(OutputModel):
    language: str
    name: str
    uri: str
    source: str = Field(default="", description="'embedded:<stream index>' or the sidecar file.")
    cues: int = 0

    @property
    def sidecar(self) -> bool:
        """Given with ``--subtitle`` rather than extracted from the source."""
        return not self.source.startswith(EMBEDDED)


def embedded(subtitles: list[SubtitleRecord]) -> list[SubtitleRecord]:
    """The tracks extracted from the source (not sidecars), in order."""
    return [s for s in subtitles if not s.sidecar]


class SheetRecord(OutputModel):
    uri: str
    first: int = Field(description="Thumbnail number of the sheet's first tile.")
    count: int


class TrickplayRecord(OutputModel):
    interval: float
    tile_width: int = 0
    tile_height: int = 0
    columns: int = 0
    rows: int = 0
    sheets: list[SheetRecord] = Field(default_factory=list)


class PosterCandidate(OutputModel):
    uri: str
    time: float = 0.0
    blur: float = Field(default=0.0, description="blurdetect score: lower is sharper.")
    scene: float = Field(default=0.0, description="Scene-change score of the frame (0..1).")


class EncoderChoice(OutputModel):
    requested: str
    video: dict[str, str] = Field(description="Codec -> encoder used.")
    reason: str


class ErrorInfo(OutputModel):
    code: str = ""
    type: str = ""
    message: str = ""


class ReuseRecord(OutputModel):
    """What a run copied from a previous output instead of encoding it again."""

    source: str = Field(default="", description="The previous output (OUTDIR) the parts came from.")
    rungs: list[str] = Field(default_factory=list, description="Video rungs copied.")
    audio: bool = Field(default=False, description="Audio tracks copied.")
    pictures: bool = Field(
        default=False,
        description="Nothing was encoded: thumbnails, posters and embedded subtitles copied.",
    )


class Timing(OutputModel):
    wall_s: float
    cpu_s: float
    chunk_wall_s: list[float] = Field(default_factory=list)
    speed_x_realtime: float | None = None
    stages: dict[str, float] = Field(
        default_factory=dict,
        description="Wall seconds by stage (perTitle, encode, extras, quality), chunks summed.",
    )


class TranscodeReport(OutputModel):
    """``kinema.json``."""

    version: int = REPORT_VERSION
    status: Literal["complete", "failed", "running"]
    source: str = ""
    error: ErrorInfo | None = None
    probe: ProbeSummary | None = None
    ladder: LadderSpec | None = None
    plan: LadderPlan | None = None
    dropped: list[DroppedRung] = Field(default_factory=list)
    encoder: EncoderChoice | None = None
    renditions: list[RenditionSummary] = Field(default_factory=list)
    subtitles: list[SubtitleRecord] = Field(default_factory=list)
    trickplay: TrickplayRecord | None = None
    posters: list[PosterCandidate] = Field(default_factory=list)
    manifests: dict[str, str] = Field(default_factory=dict)
    duration: float | None = None
    chunks: int = 1
    timing: Timing | None = None
    reused: ReuseRecord | None = None
    per_title: PerTitleDecision | None = Field(
        default=None, description="What a perTitle ladder chose, with each rung's VMAF."
    )

    @property
    def hls(self) -> str | None:
        return self.manifests.get("hls")

    @property
    def dash(self) -> str | None:
        return self.manifests.get("dash")

    @property
    def thumbnails(self) -> str | None:
        return self.manifests.get("thumbnails") or (THUMBNAILS_FILE if self.trickplay else None)

    @property
    def poster(self) -> str | None:
        return self.posters[0].uri if self.posters else None

    @property
    def playable(self) -> bool:
        return self.status == "complete" and bool(self.hls and self.dash)

    @property
    def video(self) -> list[RenditionSummary]:
        return [r for r in self.renditions if r.kind == "video"]

    @property
    def audio(self) -> list[RenditionSummary]:
        return [r for r in self.renditions if r.kind == "audio"]

    def failure(self) -> str:
        """Why the output is not complete, in one line ("" when it is)."""
        if self.status == "complete":
            return ""
        message = self.error.message if self.error else ""
        return message or f"transcode status is {self.status!r}"
