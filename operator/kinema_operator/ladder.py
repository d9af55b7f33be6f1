"""The Ladder resource's status: accepted (Ready) or not, and why. Pure.

The CRD schema catches most mistakes; what it cannot say (a segment length that is
not a whole number of GOPs, repeated rung names) the model in :mod:`kinema.ladder`
does, and this status is how a GitOps pipeline sees it.
"""

from __future__ import annotations

from typing import Any

from kinema.resources.common import ConditionStatus, now
from kinema.resources.ladder import (
    EncoderPreference,
    LadderError,
    LadderSpec,
    LadderStatus,
    Scheduling,
    ladder_from_data,
)
from kinema_operator.conditions import condition, merge


def ladder_status(body: dict[str, Any]) -> dict[str, Any]:
    meta = body.get("metadata") or {}
    generation = int(meta.get("generation") or 1)
    name = meta.get("name", "ladder")
    try:
        spec = ladder_from_data(body, f"Ladder {name}")
    except LadderError as exc:
        ready = condition("Ready", False, "Invalid", str(exc), generation=generation)
        rungs = None
    else:
        ready = condition("Ready", True, "Valid", generation=generation)
        rungs = len(spec.rungs)
    old = LadderStatus.model_validate(body.get("status") or {}).conditions
    status = LadderStatus(
        observed_generation=generation, rungs=rungs, conditions=merge(old, [ready], now())
    )
    return status.to_wire()


def is_valid(status: dict[str, Any]) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == ConditionStatus.TRUE.value
        for c in status.get("conditions", [])
    )


def message(status: dict[str, Any]) -> str:
    for cond in status.get("conditions", []):
        if cond["type"] == "Ready":
            return str(cond.get("message") or "")
    return ""


def with_gpu_defaults(ladder: LadderSpec, defaults: dict[str, Any]) -> LadderSpec:
    """The ladder with the cluster's GPU node pool filled in, when it asks for NVENC
    but says nothing about scheduling (``KINEMA_OPERATOR_GPU_DEFAULTS``)."""
    sched = ladder.scheduling
    empty = not (
        sched.resources.limits
        or sched.resources.requests
        or sched.node_selector
        or sched.tolerations
        or sched.runtime_class_name
    )
    if not defaults or ladder.encoder is not EncoderPreference.NVENC or not empty:
        return ladder
    resource = str(defaults.get("resourceName") or "nvidia.com/gpu")
    filled = Scheduling.model_validate(
        {
            "resources": {"limits": {resource: "1"}},
            "nodeSelector": defaults.get("nodeSelector") or {},
            "tolerations": defaults.get("tolerations") or [],
            "runtimeClassName": defaults.get("runtimeClassName"),
            "kueueQueueName": sched.kueue_queue_name,
        }
    )
    return ladder.model_copy(update={"scheduling": filled})
