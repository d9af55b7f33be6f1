"""The ladder planner: which renditions to encode for one source with one ladder.

The ladder itself (the ``Ladder`` resource's spec, :class:`LadderSpec`, and the loaders
of built-in and file ladders) is :mod:`kinema.resources.ladder`.

:func:`plan_ladder` turns a source's probe summary and a ladder into the renditions to
encode, and says which rungs were dropped and why. The rules:

- A rung's ``height`` names its size class for landscape video; the picture is fitted
  inside the rung's box (``width`` x ``height``; width defaults to 16:9) keeping the
  source's displayed aspect ratio with even dimensions. For portrait video (a phone held
  upright) the box is turned, so a 1080 rung of a 1080x1920 source is 1080x1920.
- Displayed size means after the sample aspect ratio and the rotation metadata: ffmpeg
  rotates on decode, so a 1920x1080 file tagged 90 degrees is planned as 1080x1920.
- Never upscale: a rung whose fitted size exceeds the source is dropped. When the source
  lies between rungs (more than 10% above the largest kept one), a rung at the source's
  own size takes the dropped rung's place, its bitrate interpolated by pixel count.
- Frame rate is kept, capped at ``maxFrameRate`` by an integer divisor (120 -> 60,
  100 -> 50) so motion cadence stays even; VFR sources are planned as CFR.
- 10-bit and HDR sources get 8-bit H.264 rungs, tone-mapped when the transfer is PQ/HLG.
- Sources beyond 8192 px a side or 2^27 pixels a frame are refused (decompression bombs).

:func:`plan_chunks` cuts a duration into segment-aligned slices for ``--chunk I/N``.

Errors::

    KinemaError
    └── LadderError              a ladder that cannot be loaded or is invalid
        └── SourceRejected       a source no ladder can encode (no video, absurd size)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from pydantic import Field

from kinema.media import ProbeSummary, VideoInfo, parse_rate
from kinema.resources.common import Model
from kinema.resources.ladder import (
    Codec,
    LadderError,
    LadderSpec,
    Preset,
    Rung,
    X264Options,
    even_pixels,
)

MAX_SIDE = 8192
MAX_PIXELS = 1 << 27
# The source must be this much larger than the top kept rung to earn a rung of its own.
SOURCE_RUNG_MARGIN = 1.10
_STANDARD_RATES = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(48),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
)


class SourceRejected(LadderError):
    """A source that no ladder can encode: no video stream, or an absurd frame size."""


class PlannedRung(Model):
    """A rung as it will be encoded for one source."""

    name: str
    codec: Codec
    profile: str
    width: int
    height: int
    bitrate_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    crf: float | None = Field(default=None, description="Per-title CRFs are fractional.")
    preset: Preset | None = Field(default=None, description="Overrides the ladder's preset.")
    x264: X264Options | None = Field(default=None, description="x264 settings over the preset's.")
    tune: str | None = Field(default=None, description="x264 -tune (per-title: animation).")
    source_sized: bool = Field(default=False, description="Added at the source's own size.")


class DroppedRung(Model):
    name: str
    height: int
    reason: str


class LadderPlan(Model):
    """Everything the transcoder needs to encode one source with one ladder."""

    source_width: int = Field(description="Displayed width of the source.")
    source_height: int = Field(description="Displayed height of the source.")
    frame_rate: str = Field(description="Output frame rate, e.g. 30000/1001.")
    fps: float
    gop_frames: int
    segment_seconds: float
    tonemap: bool = Field(description="HDR to SDR tone mapping is applied.")
    ten_bit_to_eight: bool = Field(description="A >8-bit source is reduced to 8 bits.")
    rungs: list[PlannedRung]
    dropped: list[DroppedRung]
    notes: list[str] = Field(default_factory=list)


def check_source(video: VideoInfo | None) -> VideoInfo:
    """Refuse what cannot be a normal video: no stream, zero or absurd dimensions."""
    if video is None:
        raise SourceRejected("the source has no video stream (audio-only or not a video)")
    w, h = video.display_width, video.display_height
    if w <= 0 or h <= 0:
        raise SourceRejected("the source's video stream has no frame size (corrupt header?)")
    if max(w, h) > MAX_SIDE or w * h > MAX_PIXELS:
        raise SourceRejected(
            f"the source's frames are {w}x{h}: over the {MAX_SIDE} px / 2^27 pixel limit "
            "(a decompression bomb or not a real video)"
        )
    return video


def output_frame_rate(video: VideoInfo, cap: int) -> Fraction:
    """The CFR rate to encode at: the source's rate (VFR snapped to a standard rate),
    divided by the smallest integer that brings it under ``cap``."""
    rate = parse_rate(video.frame_rate, default=Fraction(25))
    if video.vfr or rate.denominator not in (1, 1001):
        near = min(_STANDARD_RATES, key=lambda r: abs(r - rate))
        rate = near if abs(near - rate) / near < Fraction(5, 100) else Fraction(round(rate) or 25)
    divisor = 1
    while rate / divisor > cap:
        divisor += 1
    return rate / divisor


def fit(source: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Largest even size with the source's aspect ratio inside ``box``."""
    sw, sh = source
    bw, bh = box
    scale = min(bw / sw, bh / sh)
    return even_pixels(sw * scale), even_pixels(sh * scale)


def _planned(ladder: LadderSpec, rung: Rung, size: tuple[int, int], **over: Any) -> PlannedRung:
    values: dict[str, Any] = {
        "name": rung.key,
        "codec": rung.codec,
        "profile": rung.effective_profile,
        "width": size[0],
        "height": size[1],
        "bitrate_kbps": rung.bitrate_kbps,
        "maxrate_kbps": rung.effective_maxrate,
        "bufsize_kbps": rung.effective_bufsize,
        "crf": rung.crf,
        "preset": rung.preset,
        "x264": ladder.x264_for(rung),
    }
    values.update(over)
    return PlannedRung(**values)


def plan_ladder(probe: ProbeSummary, ladder: LadderSpec) -> LadderPlan:
    """The renditions to encode for ``probe``'s source with ``ladder``."""
    video = check_source(probe.video)
    src = (video.display_width, video.display_height)
    portrait = src[1] > src[0]
    src_even = (src[0] - src[0] % 2, src[1] - src[1] % 2)
    kept: list[tuple[Rung, tuple[int, int]]] = []
    over: list[tuple[Rung, tuple[int, int]]] = []
    for rung in sorted(ladder.rungs, key=lambda r: (r.height, r.bitrate_kbps)):
        box = (rung.height, rung.box_width) if portrait else (rung.box_width, rung.height)
        size = fit(src, box)
        (over if size[0] > src_even[0] or size[1] > src_even[1] else kept).append((rung, size))

    dropped: list[DroppedRung] = []
    rungs = [_planned(ladder, r, s) for r, s in kept]
    src_short = min(src_even)
    top_short = min(kept[-1][1]) if kept else 0
    if over and src_short > top_short * SOURCE_RUNG_MARGIN:
        upper, upper_size = over[0]
        area = src_even[0] * src_even[1]
        if kept:
            lower, lower_size = kept[-1]
            lo_area = lower_size[0] * lower_size[1]
            hi_area = upper_size[0] * upper_size[1]
            share = (area - lo_area) / (hi_area - lo_area) if hi_area > lo_area else 1.0
            kbps = lower.bitrate_kbps + share * (upper.bitrate_kbps - lower.bitrate_kbps)
        else:
            kbps = upper.bitrate_kbps * area / (upper_size[0] * upper_size[1])
        kbps_i = max(16, round(kbps))
        name = f"{src_short}p"
        scale = kbps_i / upper.bitrate_kbps
        rungs.append(
            _planned(
                ladder,
                upper,
                src_even,
                name=name if name not in {r.name for r in rungs} else f"{upper.key}-source",
                bitrate_kbps=kbps_i,
                maxrate_kbps=max(kbps_i, round(upper.effective_maxrate * scale)),
                bufsize_kbps=max(kbps_i, round(upper.effective_bufsize * scale)),
                source_sized=True,
            )
        )
        first, *rest = over
        dropped.append(
            DroppedRung(
                name=upper.key,
                height=upper.height,
                reason=(
                    f"{first[1][0]}x{first[1][1]} would upscale the {src[0]}x{src[1]} source; "
                    f"replaced by a {src_even[0]}x{src_even[1]} rung at {kbps_i} kbit/s"
                ),
            )
        )
        over = rest
    for rung, size in over:
        dropped.append(
            DroppedRung(
                name=rung.key,
                height=rung.height,
                reason=f"{size[0]}x{size[1]} would upscale the {src[0]}x{src[1]} source",
            )
        )

    rate = output_frame_rate(video, ladder.max_frame_rate)
    notes: list[str] = []
    source_rate = parse_rate(video.frame_rate)
    if video.vfr:
        notes.append(f"variable frame rate source encoded at a constant {float(rate):.3f} fps")
    elif source_rate and rate != source_rate:
        notes.append(f"{float(source_rate):.3f} fps capped to {float(rate):.3f} fps")
    if video.rotation:
        notes.append(f"rotation {video.rotation} degrees applied; planned as {src[0]}x{src[1]}")
    # Every rung is 8-bit SDR today (HDR passthrough on HEVC Main10 is not offered yet).
    tonemap = video.hdr
    if tonemap:
        notes.append(f"HDR ({video.color_transfer}) tone-mapped to SDR BT.709")
    return LadderPlan(
        source_width=src[0],
        source_height=src[1],
        frame_rate=f"{rate.numerator}/{rate.denominator}",
        fps=round(float(rate), 3),
        gop_frames=max(1, round(float(rate) * ladder.gop_seconds)),
        segment_seconds=ladder.segment_seconds,
        tonemap=tonemap,
        ten_bit_to_eight=video.bit_depth > 8,
        rungs=sorted(rungs, key=lambda r: (r.height * r.width, r.bitrate_kbps), reverse=True),
        dropped=dropped,
        notes=notes,
    )


# --- chunks --------------------------------------------------------------------------


class ChunkSpan(Model):
    """One segment-aligned slice of the timeline, encoded by one Indexed-Job pod."""

    index: int
    start: float = Field(description="Seconds from the start of the source.")
    end: float
    first_segment: int = Field(description="Number of this slice's first segment.")
    segments: int


def segment_count(duration: float, segment_seconds: float) -> int:
    # A last sliver shorter than a millisecond is rounding, not a segment.
    return max(1, math.ceil(duration / segment_seconds - 1e-3))


def chunk_count(duration: float, ladder: LadderSpec) -> int:
    """How many slices the ladder's chunking asks for, never more than segments."""
    total = segment_count(duration, ladder.segment_seconds)
    if ladder.chunking.chunks is not None:
        wanted = ladder.chunking.chunks
    elif ladder.chunking.chunk_seconds is not None:
        wanted = math.ceil(duration / ladder.chunking.chunk_seconds)
    else:
        wanted = 1
    return max(1, min(wanted, total))


def plan_chunks(duration: float, segment_seconds: float, count: int) -> list[ChunkSpan]:
    """Cut ``duration`` into ``count`` slices of whole segments (the last one short).

    Slices are as even as whole segments allow; when there are fewer segments than
    ``count`` the trailing slices are empty (``segments == 0``) so every index exists.
    """
    if count < 1:
        raise LadderError(f"chunk count must be at least 1, got {count}")
    total = segment_count(duration, segment_seconds)
    base, extra = divmod(total, count)
    spans: list[ChunkSpan] = []
    first = 0
    for index in range(count):
        n = base + (1 if index < extra else 0)
        start = min(first * segment_seconds, duration)
        end = duration if first + n >= total else (first + n) * segment_seconds
        spans.append(ChunkSpan(index=index, start=start, end=end, first_segment=first, segments=n))
        first += n
    return spans
