"""The Ladder resource: its ``spec`` (:class:`LadderSpec`, the encoding ladder) and status.

A ladder is data, not code. :class:`LadderSpec` is the schema of the ``Ladder`` custom
resource (``kinema.dev/v1alpha1``; camelCase field names, the CRD is generated from this
model) and of the YAML files shipped in ``kinema/ladders/`` (``load_ladder("default")``).
The planner that turns a ladder and a source's probe into renditions is
:mod:`kinema.ladder`.

Errors::

    KinemaError
    └── LadderError              a ladder that cannot be loaded or is invalid
"""

from __future__ import annotations

import re
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from kinema.errors import KinemaError
from kinema.resources.common import CONDITIONS_LIST, Condition, Model

KIND = "Ladder"
PLURAL = "ladders"
LADDER_API_VERSION = "kinema.dev/v1alpha1"
LADDER_KIND = KIND
# Kubernetes resource quantities ("1", "500m", "4Gi", "1.5").
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def even_pixels(value: float) -> int:
    """``value`` rounded to an even pixel count, at least 2 (what H.264 4:2:0 needs)."""
    return max(2, 2 * round(value / 2))


class LadderError(KinemaError):
    """A ladder that cannot be loaded, or whose content is invalid."""


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


class X264Options(Model):
    """x264 settings over its preset's, for rungs encoded with libx264 (CPU H.264); other
    encoders ignore them. Each is a typed option, never a raw parameter string."""

    subme: int | None = Field(
        default=None,
        ge=0,
        le=11,
        description="Subpixel motion estimation and mode decision (veryfast: 2, medium: 7). "
        "1 on the veryfast rungs costs about a quarter less encode time.",
    )
    bframes: int | None = Field(
        default=None,
        ge=0,
        le=16,
        description="Most consecutive B-frames (every preset from veryfast up: 3).",
    )

    def params(self) -> list[str]:
        """``key=value`` pairs for ``-x264-params``, in field order (each field is named
        as x264 names the option)."""
        return [f"{key}={value}" for key, value in self.model_dump(exclude_none=True).items()]


_PROFILES: dict[Codec, tuple[str, ...]] = {
    Codec.H264: ("baseline", "main", "high"),
    Codec.HEVC: ("main", "main10"),
    Codec.AV1: ("main",),
}
_DEFAULT_PROFILE = {Codec.H264: "high", Codec.HEVC: "main", Codec.AV1: "main"}


class Rung(Model):
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
    preset: Preset | None = Field(
        default=None,
        description="This rung's encoder preset; defaults to the ladder's (small rungs can "
        "afford slower presets: the top rung dominates the encode time).",
    )
    x264: X264Options | None = Field(
        default=None,
        description="This rung's x264 settings over its preset's; defaults to the ladder's "
        "when the rung has no preset of its own.",
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
        return self.width or even_pixels(self.height * 16 / 9)

    @property
    def effective_profile(self) -> str:
        return self.profile or _DEFAULT_PROFILE[self.codec]

    @property
    def effective_maxrate(self) -> int:
        return self.maxrate_kbps or round(self.bitrate_kbps * 1.1)

    @property
    def effective_bufsize(self) -> int:
        return self.bufsize_kbps or self.bitrate_kbps * 2


class AudioSpec(Model):
    """Audio encoding, applied to every audio language of the source."""

    codec: Literal["aac"] = Field(default="aac", description="AAC-LC, playable everywhere.")
    bitrate_kbps: int = Field(default=128, ge=32, le=512, description="kbit/s per track.")
    channels: int = Field(default=2, ge=1, le=2, description="Downmix to this many channels.")
    sample_rate: Literal[44100, 48000] = Field(default=48000, description="Hz.")


class Strategy(StrEnum):
    """``fixed``: every title gets the ladder's bitrates. ``perTitle``: test encodes of
    sampled scenes, scored with VMAF, choose each rung's quality and which rungs to keep."""

    FIXED = "fixed"
    PER_TITLE = "perTitle"


class PerTitle(Model):
    """How a ``perTitle`` ladder measures the content before the full encode."""

    target_vmaf: float = Field(
        default=95, ge=40, le=100, description="VMAF the top rung aims at (scored at its size)."
    )
    samples: int = Field(default=3, ge=1, le=12, description="Scenes sampled across the title.")
    sample_seconds: float = Field(
        default=2, ge=0.5, le=20, description="Length of each sampled scene."
    )
    crfs: list[int] = Field(
        default_factory=lambda: [20, 26, 32],
        min_length=2,
        max_length=6,
        description="Test-encode CRFs per candidate resolution (capped by the rung's maxrate).",
    )
    vmaf_subsample: int = Field(
        default=3, ge=1, le=30, description="Score one test-encode frame in this many."
    )

    @field_validator("crfs")
    @classmethod
    def _crfs(cls, value: list[int]) -> list[int]:
        if any(not 0 <= c <= 51 for c in value) or len(set(value)) != len(value):
            raise ValueError("crfs must be distinct values between 0 and 51")
        return sorted(value)


class QualityPass(Model):
    """The quality pass after the encode (PSNR/SSIM, VMAF when asked or per-title)."""

    vmaf: bool = Field(default=False, description="Also score VMAF (on for perTitle ladders).")
    every_seconds: int = Field(
        default=1,
        ge=1,
        le=60,
        description=(
            "Compare one second in about every N seconds, each from a keyframe; only those "
            "GOPs of the rungs are decoded (1: every frame)."
        ),
    )


class Toleration(Model):
    """A Kubernetes toleration for the transcode pods."""

    key: str | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = Field(default=None, ge=0)


class ResourceList(Model):
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


class Scheduling(Model):
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


class Chunking(Model):
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


class RetryPolicy(Model):
    backoff_limit: int = Field(default=2, ge=0, le=20, description="Job retries per chunk.")
    active_deadline_seconds: int | None = Field(
        default=None, ge=60, description="Kill a transcode pod that runs longer."
    )


class Trickplay(Model):
    interval_seconds: float = Field(default=5, ge=1, le=60, description="One tile per interval.")
    tile_width: int = Field(default=240, ge=64, le=640, description="Thumbnail width.")
    columns: int = Field(default=10, ge=1, le=20)
    rows: int = Field(default=10, ge=1, le=20)


class LadderSpec(Model):
    """``spec`` of a Ladder resource."""

    rungs: list[Rung] = Field(min_length=1, max_length=16)
    audio: AudioSpec = Field(default_factory=AudioSpec)
    segment_seconds: float = Field(default=6, ge=1, le=20, description="Segment length.")
    gop_seconds: float = Field(
        default=2, ge=0.5, le=10, description="Keyframe interval; divides segmentSeconds."
    )
    max_frame_rate: int = Field(default=60, ge=10, le=120, description="Frame-rate cap.")
    preset: Preset = Field(default=Preset.MEDIUM, description="Encoder speed/quality trade.")
    x264: X264Options | None = Field(
        default=None,
        description="x264 settings over the ladder's preset, for the rungs that use it (a "
        "rung with its own preset or x264 settings keeps those). Fixed ladders only.",
    )
    encoder: EncoderPreference = Field(
        default=EncoderPreference.AUTO,
        description="auto: NVENC only when a trial encode works, else CPU.",
    )
    scheduling: Scheduling = Field(default_factory=Scheduling)
    chunking: Chunking = Field(default_factory=Chunking)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    trickplay: Trickplay = Field(default_factory=Trickplay)
    strategy: Strategy = Field(
        default=Strategy.FIXED, description="fixed bitrates, or chosen per title (perTitle)."
    )
    per_title: PerTitle = Field(default_factory=PerTitle)
    quality: QualityPass = Field(default_factory=QualityPass)
    encoder_threads: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Threads per rung's encoder (default: the encoder's own choice).",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        ratio = self.segment_seconds / self.gop_seconds
        if abs(ratio - round(ratio)) > 1e-6:
            raise ValueError("segmentSeconds must be a whole multiple of gopSeconds")
        names = [r.key for r in self.rungs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"rung names must be unique; set 'name' on: {', '.join(dupes)}")
        if self.strategy is Strategy.PER_TITLE and (
            self.x264 is not None or any(r.x264 is not None for r in self.rungs)
        ):
            raise ValueError(
                "x264 settings trade bits for encode speed, which per-title exists to save "
                "(its CRF encodes lost most of their savings with them): remove 'x264' from "
                "the ladder and its rungs, or use strategy: fixed"
            )
        return self

    def x264_for(self, rung: Rung) -> X264Options | None:
        """The x264 settings ``rung`` is encoded with: its own, else the ladder's when it
        encodes at the ladder's preset (settings go with the preset they were chosen for)."""
        if rung.x264 is not None:
            return rung.x264
        return self.x264 if rung.preset is None else None


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


class LadderStatus(Model):
    """``status`` of a Ladder: whether the operator accepts it (condition Ready)."""

    observed_generation: int | None = Field(default=None, ge=0)
    rungs: int | None = Field(default=None, ge=0, description="Number of video rungs.")
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
