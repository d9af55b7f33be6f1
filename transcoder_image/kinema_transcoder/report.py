"""The records a run leaves behind for later runs: ``chunks/<i>/chunk.json`` and
``records.json``.

``chunk.json`` is what one chunk pod hands to ``kinema package``: every segment's
timing, size and fragment byte ranges, thumbnails, poster candidates and quality sums,
so packaging writes the manifests without reading a segment back. ``records.json`` keeps
the same for a whole output, so a later ``--reuse`` run can copy parts of it.

``kinema.json``, the output contract the operator and the API read, is
:class:`kinema.output.TranscodeReport` in the core (one model for the writer and both
readers); these records are the transcoder's own and are built from its parts.
"""

from __future__ import annotations

import math

from pydantic import Field

from kinema.ladder import LadderPlan
from kinema.media import ProbeSummary
from kinema.output import (
    REPORT_FILE,
    REPORT_VERSION,
    EncoderChoice,
    ErrorInfo,
    OutputModel,
    PosterCandidate,
    Quality,
    RenditionSummary,
    ReuseRecord,
    SheetRecord,
    SubtitleRecord,
    Timing,
    TranscodeReport,
    TrickplayRecord,
    embedded,
)
from kinema.pertitle import PerTitleDecision
from kinema.resources.ladder import LadderSpec

# The transcoder's modules import the contract's parts from here, beside the records
# built from them; the models themselves are defined once, in kinema.output.
__all__ = [
    "RECORDS",
    "REPORT",
    "AudioTrackRecord",
    "ChunkReport",
    "EncoderChoice",
    "ErrorInfo",
    "FragmentRecord",
    "OutputRecords",
    "PosterCandidate",
    "Quality",
    "QualitySums",
    "RenditionRecord",
    "RenditionSummary",
    "ReuseRecord",
    "SegmentRecord",
    "SheetRecord",
    "SubtitleRecord",
    "Timing",
    "TranscodeReport",
    "TrickplayRecord",
    "embedded",
    "quality_from",
]

REPORT = REPORT_FILE
RECORDS = "records.json"


class FragmentRecord(OutputModel):
    offset: int
    size: int
    decode_time: int
    duration: int
    samples: int
    sync: bool
    iframe_end: int = Field(description="Byte offset just past the fragment's first sample.")


class SegmentRecord(OutputModel):
    number: int
    uri: str
    decode_time: int
    duration: int
    size: int
    starts_with_keyframe: bool
    fragments: list[FragmentRecord] = Field(default_factory=list)


class RenditionRecord(OutputModel):
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


class AudioTrackRecord(OutputModel):
    rendition: RenditionRecord
    language: str
    title: str | None = None
    default: bool = False
    source_index: int


class QualitySums(OutputModel):
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


class OutputRecords(OutputModel):
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
    per_title: PerTitleDecision | None = None


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
    stages: dict[str, float] = Field(default_factory=dict)
