"""Encoding ladders: the Ladder resource's ``spec`` and the pure planner over it.

A ladder is data, not code. :class:`LadderSpec` is the schema of the ``Ladder`` custom
resource (``kinema.dev/v1alpha1``; camelCase field names, the CRD is generated from this
model) and of the YAML files shipped in ``kinema/ladders/`` (``load_ladder("default")``).

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
import re
from enum import StrEnum
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from kinema.errors import KinemaError
from kinema.media import ProbeSummary, VideoInfo, parse_rate

MAX_SIDE = 8192
MAX_PIXELS = 1 << 27
# The source must be this much larger than the top kept rung to earn a rung of its own.
SOURCE_RUNG_MARGIN = 1.10
LADDER_API_VERSION = "kinema.dev/v1alpha1"
LADDER_KIND = "Ladder"
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
# Kubernetes resource quantities ("1", "500m", "4Gi", "1.5").
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class LadderError(KinemaError):
    """A ladder that cannot be loaded, or whose content is invalid."""


class SourceRejected(LadderError):
    """A source that no ladder can encode: no video stream, or an absurd frame size."""


class _Spec(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class Codec(StrEnum):
    H264 = "h264"
    HEVC = "hevc"
    AV1 = "av1"


class EncoderPreference(StrEnum):
    AUTO = "auto"
    NVENC = "nvenc"
    CPU = "cpu"


class Preset(StrEnum):
    """x264/x265 speed presets; NVENC and SVT-AV1 get the nearest equivalent."""

    ULTRAFAST = "ultrafast"
    SUPERFAST = "superfast"
    VERYFAST = "veryfast"
    FASTER = "faster"
    FAST = "fast"
    MEDIUM = "medium"
    SLOW = "slow"
    SLOWER = "slower"


_PROFILES: dict[Codec, tuple[str, ...]] = {
    Codec.H264: ("baseline", "main", "high"),
    Codec.HEVC: ("main", "main10"),
    Codec.AV1: ("main",),
}
_DEFAULT_PROFILE = {Codec.H264: "high", Codec.HEVC: "main", Codec.AV1: "main"}


class Rung(_Spec):
    """One video rendition of the ladder."""

    name: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Rendition name used in paths; defaults to '<height>p'.",
    )
    height: int = Field(
        ge=64, le=4320, description="Size class in pixels (the short side of the picture)."
    )
    width: int | None = Field(
        default=None,
        ge=64,
        le=8192,
        description="Width of the box the picture is fitted into; defaults to 16:9.",
    )
    bitrate_kbps: int = Field(ge=16, le=200_000, description="Target average bitrate, kbit/s.")
    maxrate_kbps: int | None = Field(
        default=None, ge=16, le=400_000, description="Peak bitrate cap, kbit/s (default 110%)."
    )
    bufsize_kbps: int | None = Field(
        default=None, ge=16, le=800_000, description="VBV buffer, kbit (default 200% of bitrate)."
    )
    crf: int | None = Field(
        default=None,
        ge=0,
        le=51,
        description="Constant-quality factor; with it the bitrate caps become ceilings.",
    )
    codec: Codec = Field(default=Codec.H264, description="Video codec of this rung.")
    profile: str | None = Field(
        default=None, description="Codec profile (h264: baseline/main/high; hevc: main/main10)."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.profile is not None and self.profile not in _PROFILES[self.codec]:
            allowed = ", ".join(_PROFILES[self.codec])
            raise ValueError(
                f"profile {self.profile!r} is not a {self.codec.value} profile ({allowed})"
            )
        if self.height % 2 or (self.width is not None and self.width % 2):
            raise ValueError("rung width and height must be even")
        if self.maxrate_kbps is not None and self.maxrate_kbps < self.bitrate_kbps:
            raise ValueError("maxrateKbps must be at least bitrateKbps")
        return self

    @property
    def key(self) -> str:
        return self.name or f"{self.height}p"

    @property
    def box_width(self) -> int:
        return self.width or _even(self.height * 16 / 9)

    @property
    def effective_profile(self) -> str:
        return self.profile or _DEFAULT_PROFILE[self.codec]

    @property
    def effective_maxrate(self) -> int:
        return self.maxrate_kbps or round(self.bitrate_kbps * 1.1)

    @property
    def effective_bufsize(self) -> int:
        return self.bufsize_kbps or self.bitrate_kbps * 2


class AudioSpec(_Spec):
    """Audio encoding, applied to every audio language of the source."""

    codec: Literal["aac"] = Field(default="aac", description="AAC-LC, playable everywhere.")
    bitrate_kbps: int = Field(default=128, ge=32, le=512, description="kbit/s per track.")
    channels: int = Field(default=2, ge=1, le=2, description="Downmix to this many channels.")
    sample_rate: Literal[44100, 48000] = Field(default=48000, description="Hz.")


class Toleration(_Spec):
    """A Kubernetes toleration for the transcode pods."""

    key: str | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = Field(default=None, ge=0)


class ResourceList(_Spec):
    limits: dict[str, str] = Field(
        default_factory=dict, description="e.g. {'nvidia.com/gpu': '1', 'cpu': '4'}."
    )
    requests: dict[str, str] = Field(default_factory=dict)

    @field_validator("limits", "requests")
    @classmethod
    def _quantities(cls, value: dict[str, str]) -> dict[str, str]:
        for name, quantity in value.items():
            if not _LABEL_KEY.match(name):
                raise ValueError(f"{name!r} is not a resource name")
            if not _QUANTITY.match(str(quantity)):
                raise ValueError(f"{quantity!r} is not a Kubernetes quantity (for {name})")
        return value


class Scheduling(_Spec):
    """Where transcode Jobs run: GPU resources, node placement, optional Kueue queue."""

    resources: ResourceList = Field(default_factory=ResourceList)
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    runtime_class_name: str | None = Field(default=None, description="e.g. 'nvidia'.")
    kueue_queue_name: str | None = Field(
        default=None, description="Sets the kueue.x-k8s.io/queue-name label on Jobs."
    )

    @field_validator("node_selector")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _LABEL_KEY.match(key):
                raise ValueError(f"{key!r} is not a valid label key")
        return value

    @field_validator("runtime_class_name", "kueue_queue_name")
    @classmethod
    def _dns_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError(f"{value!r} is not a valid Kubernetes name")
        return value


class Chunking(_Spec):
    """Split one encode over parallel Indexed-Job pods; give at most one of the two."""

    chunks: int | None = Field(default=None, ge=1, le=64, description="Number of slices.")
    chunk_seconds: float | None = Field(
        default=None, ge=10, le=3600, description="Target slice length in seconds."
    )

    @model_validator(mode="after")
    def _one(self) -> Self:
        if self.chunks is not None and self.chunk_seconds is not None:
            raise ValueError("set either chunks or chunkSeconds, not both")
        return self


class RetryPolicy(_Spec):
    backoff_limit: int = Field(default=2, ge=0, le=20, description="Job retries per chunk.")
    active_deadline_seconds: int | None = Field(
        default=None, ge=60, description="Kill a transcode pod that runs longer."
    )


class Trickplay(_Spec):
    interval_seconds: float = Field(default=5, ge=1, le=60, description="One tile per interval.")
    tile_width: int = Field(default=240, ge=64, le=640, description="Thumbnail width.")
    columns: int = Field(default=10, ge=1, le=20)
    rows: int = Field(default=10, ge=1, le=20)


class LadderSpec(_Spec):
    """``spec`` of a Ladder resource."""

    rungs: list[Rung] = Field(min_length=1, max_length=16)
    audio: AudioSpec = Field(default_factory=AudioSpec)
    segment_seconds: float = Field(default=6, ge=1, le=20, description="Segment length.")
    gop_seconds: float = Field(
        default=2, ge=0.5, le=10, description="Keyframe interval; divides segmentSeconds."
    )
    max_frame_rate: int = Field(default=60, ge=10, le=120, description="Frame-rate cap.")
    preset: Preset = Field(default=Preset.MEDIUM, description="Encoder speed/quality trade.")
    encoder: EncoderPreference = Field(
        default=EncoderPreference.AUTO,
        description="auto: NVENC only when a trial encode works, else CPU.",
    )
    scheduling: Scheduling = Field(default_factory=Scheduling)
    chunking: Chunking = Field(default_factory=Chunking)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    trickplay: Trickplay = Field(default_factory=Trickplay)

    @model_validator(mode="after")
    def _check(self) -> Self:
        ratio = self.segment_seconds / self.gop_seconds
        if abs(ratio - round(ratio)) > 1e-6:
            raise ValueError("segmentSeconds must be a whole multiple of gopSeconds")
        names = [r.key for r in self.rungs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rung names must be unique; set 'name' on: {', '.join(dupes)}")
        return self


# --- loading -------------------------------------------------------------------------


def ladder_from_data(data: Any, origin: str = "ladder") -> LadderSpec:
    """A LadderSpec from a Ladder resource document or a bare spec mapping."""
    if isinstance(data, dict) and "spec" in data:
        if data.get("kind", LADDER_KIND) != LADDER_KIND:
            raise LadderError(f"{origin}: kind is {data.get('kind')!r}, expected Ladder")
        data = data["spec"]
    if not isinstance(data, dict):
        raise LadderError(f"{origin}: expected a mapping with 'rungs', got {type(data).__name__}")
    try:
        return LadderSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        raise LadderError(f"{origin}: invalid ladder at {where}: {first['msg']}") from exc


def builtin_ladders() -> list[str]:
    folder = resources.files("kinema") / "ladders"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_ladder(name_or_path: str | Path = "default") -> LadderSpec:
    """A ladder by built-in name (``default``) or from a YAML file path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LadderError(f"cannot read ladder file {path}: {exc.strerror}") from exc
        origin = str(path)
    else:
        name = str(name_or_path)
        if name not in builtin_ladders():
            known = ", ".join(builtin_ladders())
            raise LadderError(f"no built-in ladder named {name!r} (known: {known})")
        text = (resources.files("kinema") / "ladders" / f"{name}.yaml").read_text("utf-8")
        origin = f"built-in ladder {name!r}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LadderError(f"{origin} is not valid YAML: {exc}") from exc
    return ladder_from_data(data, origin)


# --- planning ------------------------------------------------------------------------


class PlannedRung(_Spec):
    """A rung as it will be encoded for one source."""

    name: str
    codec: Codec
    profile: str
    width: int
    height: int
    bitrate_kbps: int
    maxrate_kbps: int
    bufsize_kbps: int
    crf: int | None = None
    source_sized: bool = Field(default=False, description="Added at the source's own size.")


class DroppedRung(_Spec):
    name: str
    height: int
    reason: str


class LadderPlan(_Spec):
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


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


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
    return _even(sw * scale), _even(sh * scale)


def _planned(rung: Rung, size: tuple[int, int], **over: Any) -> PlannedRung:
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
    rungs = [_planned(r, s) for r, s in kept]
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


class ChunkSpan(_Spec):
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
