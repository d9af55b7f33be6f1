"""The Rendition resource: one output of a Video (a video rung, an audio or a subtitle track).

Renditions are created and owned by the operator (garbage-collected with their Video);
they make each output visible with ``kubectl get renditions``: its Job, progress, output
path, size and measured quality.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from kinema.resources.common import CONDITIONS_LIST, DNS_LABEL, Condition, Model
from kinema.resources.video import RenditionKind

KIND = "Rendition"
PLURAL = "renditions"


class RenditionSpec(Model):
    """``spec`` of a Rendition: what to produce (written by the operator)."""

    video: str = Field(pattern=DNS_LABEL, max_length=253, description="The owning Video.")
    kind: RenditionKind
    name: str = Field(
        pattern=DNS_LABEL, max_length=63, description="Name in output paths (720p, audio-en)."
    )
    codec: str | None = Field(default=None, max_length=32)
    width: int | None = Field(default=None, ge=2, le=8192)
    height: int | None = Field(default=None, ge=2, le=8192)
    bitrate_kbps: int | None = Field(default=None, ge=1, le=400_000)
    language: str | None = Field(default=None, max_length=35)
    source: str | None = Field(default=None, max_length=2048, description="Sidecar subtitle.")
    digest: str = Field(
        min_length=1, max_length=64, description="The Video digest this rendition belongs to."
    )


class RenditionPhase(StrEnum):
    PENDING = "Pending"
    ENCODING = "Encoding"
    READY = "Ready"
    FAILED = "Failed"


class Quality(Model):
    """Measured against the source (from the transcoder's report)."""

    psnr: float | None = Field(default=None, description="dB.")
    psnr_min: float | None = Field(default=None, description="Worst frame, dB.")
    ssim: float | None = None
    vmaf: float | None = None


class PerTitleRung(Model):
    """What a perTitle ladder chose for this rung (from the transcoder's report)."""

    crf: float | None = Field(default=None, description="Capped-CRF value encoded with.")
    bitrate_kbps: int | None = Field(default=None, description="Expected average, kbit/s.")
    ladder_kbps: int | None = Field(default=None, description="The fixed ladder's bitrate.")
    predicted_vmaf: float | None = Field(default=None, description="From the test encodes.")
    target_vmaf: float | None = Field(default=None, description="The ladder's target (top).")


class RenditionStatus(Model):
    observed_generation: int | None = Field(default=None, ge=0)
    phase: RenditionPhase = RenditionPhase.PENDING
    progress: int = Field(default=0, ge=0, le=100)
    job: str | None = Field(default=None, description="The Job that encodes it.")
    output: str | None = Field(default=None, description="Playlist path under the output.")
    size_bytes: int | None = Field(default=None, ge=0)
    segments: int | None = Field(default=None, ge=0)
    quality: Quality | None = None
    per_title: PerTitleRung | None = None
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
