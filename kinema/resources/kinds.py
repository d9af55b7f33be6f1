"""The five Kinema kinds: names, models and how ``kubectl get`` shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kinema.resources import distribution, ladder, plan, rendition, video
from kinema.resources.common import DNS_LABEL, GROUP


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    name: str
    type: str  # string, integer, number, boolean, date
    json_path: str
    description: str = ""
    priority: int = 0  # 1: only with -o wide


@dataclass(frozen=True, slots=True)
class ResourceKind:
    kind: str
    plural: str
    short_names: tuple[str, ...]
    spec: type[BaseModel]
    status: type[BaseModel]
    description: str
    columns: tuple[PrinterColumn, ...] = field(default_factory=tuple)
    # Schema additions at dotted paths ("spec.rungs[]", "spec.x.limits{}") for what a
    # spec model shared with other code cannot carry itself (CEL rules, key patterns).
    patches: tuple[tuple[str, dict[str, Any]], ...] = field(default_factory=tuple)

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def crd_name(self) -> str:
        return f"{self.plural}.{GROUP}"


def _condition(type_: str) -> str:
    return f'.status.conditions[?(@.type=="{type_}")].status'


AGE = PrinterColumn("Age", "date", ".metadata.creationTimestamp")

VIDEO = ResourceKind(
    kind=video.KIND,
    plural=video.PLURAL,
    short_names=("vid", "vids"),
    spec=video.VideoSpec,
    status=video.VideoStatus,
    description="A video to transcode, package and publish.",
    columns=(
        PrinterColumn("Ready", "string", _condition("Ready"), "Ready condition."),
        PrinterColumn("Phase", "string", ".status.phase", "Where processing is."),
        PrinterColumn("Progress", "integer", ".status.progress", "Percent done."),
        PrinterColumn("Duration", "string", ".status.duration", "Source duration."),
        AGE,
        PrinterColumn("Title", "string", ".spec.title", priority=1),
        PrinterColumn("Ladder", "string", ".status.ladder", priority=1),
    ),
)

RENDITION = ResourceKind(
    kind=rendition.KIND,
    plural=rendition.PLURAL,
    short_names=("rend",),
    spec=rendition.RenditionSpec,
    status=rendition.RenditionStatus,
    description="One output of a Video: a video rung, an audio or a subtitle track.",
    columns=(
        PrinterColumn("Video", "string", ".spec.video"),
        PrinterColumn("Kind", "string", ".spec.kind"),
        PrinterColumn("Height", "integer", ".spec.height"),
        PrinterColumn("Kbps", "integer", ".spec.bitrateKbps"),
        PrinterColumn("Phase", "string", ".status.phase"),
        PrinterColumn("Progress", "integer", ".status.progress"),
        AGE,
        PrinterColumn("Size", "integer", ".status.sizeBytes", priority=1),
        PrinterColumn("PSNR", "number", ".status.quality.psnr", priority=1),
    ),
)

# Kubernetes quantities and label keys, as kinema.ladder checks them.
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"
_LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
_KEYS_RULE = {
    "rule": f"self.all(k, k.matches('{_LABEL_KEY}'))",
    "message": "keys must be label keys or resource names (example.com/name)",
}
_MAP_BOUNDS = {"maxProperties": 32, "x-kubernetes-validations": [_KEYS_RULE]}
_PROFILE_RULE = (
    "!has(self.profile) || (self.codec == 'h264' ? self.profile in ['baseline', 'main', 'high']"
    " : self.codec == 'hevc' ? self.profile in ['main', 'main10'] : self.profile == 'main')"
)

LADDER = ResourceKind(
    kind=ladder.KIND,
    plural=ladder.PLURAL,
    short_names=("ldr",),
    spec=ladder.LadderSpec,
    status=ladder.LadderStatus,
    description="An encoding ladder: rungs, audio, segments, encoder and GPU scheduling.",
    columns=(
        PrinterColumn("Ready", "string", _condition("Ready")),
        PrinterColumn("Rungs", "integer", ".status.rungs"),
        PrinterColumn("Encoder", "string", ".spec.encoder"),
        PrinterColumn("Queue", "string", ".spec.scheduling.kueueQueueName"),
        AGE,
    ),
    patches=(
        (
            "spec.rungs[]",
            {
                "x-kubernetes-validations": [
                    {"rule": _PROFILE_RULE, "message": "profile does not belong to the codec"},
                    {"rule": "self.height % 2 == 0", "message": "height must be even"},
                    {
                        "rule": "!has(self.width) || self.width % 2 == 0",
                        "message": "width must be even",
                    },
                    {
                        "rule": "!has(self.maxrateKbps) || self.maxrateKbps >= self.bitrateKbps",
                        "message": "maxrateKbps must be at least bitrateKbps",
                    },
                ]
            },
        ),
        (
            "spec.chunking",
            {
                "x-kubernetes-validations": [
                    {
                        "rule": "!(has(self.chunks) && has(self.chunkSeconds))",
                        "message": "set either chunks or chunkSeconds, not both",
                    }
                ]
            },
        ),
        ("spec.scheduling.runtimeClassName", {"pattern": DNS_LABEL, "maxLength": 63}),
        ("spec.scheduling.kueueQueueName", {"pattern": DNS_LABEL, "maxLength": 63}),
        ("spec.scheduling.nodeSelector", _MAP_BOUNDS),
        ("spec.scheduling.resources.limits", _MAP_BOUNDS),
        ("spec.scheduling.resources.requests", _MAP_BOUNDS),
        ("spec.scheduling.resources.limits{}", {"pattern": _QUANTITY}),
        ("spec.scheduling.resources.requests{}", {"pattern": _QUANTITY}),
        ("spec.scheduling.tolerations", {"maxItems": 32}),
    ),
)

PLAN = ResourceKind(
    kind=plan.KIND,
    plural=plan.PLURAL,
    short_names=("kplan",),
    spec=plan.PlanSpec,
    status=plan.PlanStatus,
    description="A subscription plan, synced to the catalog and to Stripe.",
    columns=(
        PrinterColumn("Display", "string", ".spec.displayName"),
        PrinterColumn("Price", "integer", ".spec.price.amount", "Minor units."),
        PrinterColumn("Currency", "string", ".spec.price.currency"),
        PrinterColumn("Interval", "string", ".spec.interval"),
        PrinterColumn("MaxRes", "integer", ".spec.maxResolution"),
        PrinterColumn("Ready", "string", _condition("Ready")),
        AGE,
    ),
)

DISTRIBUTION = ResourceKind(
    kind=distribution.KIND,
    plural=distribution.PLURAL,
    short_names=("dist",),
    spec=distribution.DistributionSpec,
    status=distribution.DistributionStatus,
    description="The CDN that serves processed output (CloudFront or none).",
    columns=(
        PrinterColumn("Provider", "string", ".spec.provider"),
        PrinterColumn("Domain", "string", ".status.domainName"),
        PrinterColumn("Ready", "string", _condition("Ready")),
        AGE,
    ),
)

KINDS: tuple[ResourceKind, ...] = (VIDEO, RENDITION, LADDER, PLAN, DISTRIBUTION)
