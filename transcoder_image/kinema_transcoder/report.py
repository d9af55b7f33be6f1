"""The records a run leaves behind: ``chunks/<i>/chunk.json`` and ``kinema.json``.

``chunk.json`` is what one chunk pod hands to ``kinema package``: every segment's
timing, size and fragment byte ranges, thumbnails, poster candidates and quality sums,
so packaging writes the manifests without reading a segment back.

``kinema.json`` is the output contract the operator and the API read (camelCase):
``status`` is ``complete`` only when the manifests were written; a failed run writes
``status: failed`` with an ``error`` object and no manifests.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from kinema.ladder import DroppedRung, LadderPlan, LadderSpec
from kinema.media import ProbeSummary

REPORT_VERSION = 1
REPORT = "kinema.json"
RECORDS = "records.json"
# SubtitleRecord.source of a track extracted from the source (``embedded:<stream>``).
EMBEDDED = "embedded:"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2, exclude_none=True)


class FragmentRecord(_Model):
    offset: int
    size: int
    decode_time: int
    duration: int
    samples: int
    sync: bool
    iframe_end: int = Field(description="Byte offset just past the fragment's first sample.")


class SegmentRecord(_Model):
    number: int
    uri: str
    decode_time: int
    duration: int
    size: int
    starts_with_keyframe: bool
    fragments: list[FragmentRecord] = Field(default_factory=list)


class RenditionRecord(_Model):
    name: str
    timescale: int
    codec: str
    width: int = 0
    height: int = 0
    init_sha256: str
    segments: list[SegmentRecord] = Field(default_factory=list)

    def timeline(self) -> list[tuple[int, float, float]]:
        """(number, start s, duration s) of every segment: equal across aligned rungs."""
        return [
            (
                s.number,
                round(s.decode_time / self.timescale, 4),
                round(s.duration / self.timescale, 4),
            )
            for s in self.segments
        ]


class AudioTrackRecord(_Model):
    rendition: RenditionRecord
    language: str
    title: str | None = None
    default: bool = False
    source_index: int


class SubtitleRecord(_Model):
    language: str
    name: str
    uri: str
    source: str = Field(description="'embedded:<stream index>' or the sidecar file.")
    cues: int


def embedded(subtitles: list[SubtitleRecord]) -> list[SubtitleRecord]:
    """The tracks extracted from the source (not sidecars), in order."""
    return [s for s in subtitles if s.source.startswith(EMBEDDED)]


class SheetRecord(_Model):
    uri: str
    first: int = Field(description="Thumbnail number of the sheet's first tile.")
    count: int


class TrickplayRecord(_Model):
    interval: float
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    sheets: list[SheetRecord] = Field(default_factory=list)


class PosterCandidate(_Model):
    uri: str
    time: float
    blur: float = Field(description="blurdetect score: lower is sharper.")
    scene: float = Field(description="Scene-change score of the frame (0..1).")


class QualitySums(_Model):
    """Per-frame sums, so chunks add up to the whole before averaging."""

    frames: int = 0
    mse_sum: float = 0.0
    psnr_min: float | None = None
    ssim_sum: float = 0.0
    vmaf_sum: float = 0.0
    vmaf_frames: int = 0

    def add(self, other: QualitySums) -> QualitySums:
        mins = [m for m in (self.psnr_min, other.psnr_min) if m is not None]
        return QualitySums(
            frames=self.frames + other.frames,
            mse_sum=self.mse_sum + other.mse_sum,
            psnr_min=min(mins) if mins else None,
            ssim_sum=self.ssim_sum + other.ssim_sum,
            vmaf_sum=self.vmaf_sum + other.vmaf_sum,
            vmaf_frames=self.vmaf_frames + other.vmaf_frames,
        )


class Quality(_Model):
    reference: str
    frames_compared: int
    psnr: float | None = Field(description="dB, from the mean MSE over compared frames.")
    psnr_min: float | None = None
    ssim: float | None = None
    vmaf: float | None = None


def quality_from(sums: QualitySums, reference: str) -> Quality:
    if sums.frames == 0:
        return Quality(reference=reference, frames_compared=0, psnr=None, ssim=None)
    mse = sums.mse_sum / sums.frames
    psnr = 100.0 if mse <= 0 else 10 * math.log10(255**2 / mse)
    return Quality(
        reference=reference,
        frames_compared=sums.frames,
        psnr=round(min(psnr, 100.0), 3),
        psnr_min=round(sums.psnr_min, 3) if sums.psnr_min is not None else None,
        ssim=round(sums.ssim_sum / sums.frames, 5),
        vmaf=round(sums.vmaf_sum / sums.vmaf_frames, 3) if sums.vmaf_frames else None,
    )


class EncoderChoice(_Model):
    requested: str
    video: dict[str, str] = Field(description="Codec -> encoder used.")
    reason: str


class ErrorInfo(_Model):
    code: str
    type: str
    message: str


class ReuseRecord(_Model):
    """What a run copied from a previous output instead of encoding it again."""

    source: str = Field(description="The previous output (OUTDIR) the parts came from.")
    rungs: list[str] = Field(default_factory=list, description="Video rungs copied.")
    audio: bool = Field(default=False, description="Audio tracks copied.")
    pictures: bool = Field(
        default=False,
        description="Nothing was encoded: thumbnails, posters and embedded subtitles copied.",
    )


class OutputRecords(_Model):
    """``records.json``: what a later run needs to copy parts of this output.

    Written beside ``kinema.json`` by packaging: every rendition's segment records (the
    manifests are rebuilt from them, no segment is read back), the quality sums, and the
    source, revision, probe and settings they were made with, which decide whether a
    part may be reused (see ``reuse.py``). A chunk's report holds the same for its
    slice (:class:`ChunkReport`); there ``subtitles`` also lists the sidecars.
    """

    version: int = REPORT_VERSION
    source: str
    revision: int = 0
    probe: ProbeSummary
    ladder: LadderSpec
    plan: LadderPlan
    encoder: EncoderChoice
    video: list[RenditionRecord] = Field(default_factory=list)
    audio: list[AudioTrackRecord] = Field(default_factory=list)
    subtitles: list[SubtitleRecord] = Field(
        default_factory=list, description="In records.json, tracks extracted from the source."
    )
    trickplay: TrickplayRecord | None = None
    posters: list[PosterCandidate] = Field(default_factory=list)
    quality: dict[str, QualitySums] = Field(default_factory=dict)


class ChunkReport(OutputRecords):
    """``chunks/<i>/chunk.json``: one slice's records, for ``kinema package``."""

    index: int
    count: int
    start: float
    end: float
    frames: int
    reuse: ReuseRecord | None = None
    wall_s: float
    cpu_s: float


class RenditionSummary(_Model):
    name: str
    kind: Literal["video", "audio"]
    codec: str
    width: int | None = None
    height: int | None = None
    language: str | None = None
    playlist: str
    target_bitrate_kbps: int | None = None
    average_bitrate: int = Field(description="bit/s over the whole rendition.")
    peak_bitrate: int = Field(description="bit/s of the largest segment.")
    bytes: int
    segments: int
    duration: float
    quality: Quality | None = None


class Timing(_Model):
    wall_s: float
    cpu_s: float
    chunk_wall_s: list[float] = Field(default_factory=list)
    speed_x_realtime: float | None = None


class TranscodeReport(_Model):
    """``kinema.json``."""

    version: int = REPORT_VERSION
    status: Literal["complete", "failed", "running"]
    source: str
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
