"""Conditions after the Kubernetes API conventions. Pure.

``lastTransitionTime`` moves only when a condition's status changes, so a status
recomputed on every resync keeps the time of the real transition.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kinema.resources.common import Condition, ConditionStatus


def condition(
    type_: str, ok: bool | None, reason: str, message: str = "", *, generation: int
) -> Condition:
    status = (
        ConditionStatus.UNKNOWN
        if ok is None
        else ConditionStatus.TRUE
        if ok
        else ConditionStatus.FALSE
    )
    return Condition(
        type=type_,
        status=status,
        reason=reason,
        message=message[:4096],
        observed_generation=generation,
    )


def merge(old: Iterable[Condition], new: Iterable[Condition], at: datetime) -> list[Condition]:
    """``new`` with transition times carried over from ``old`` where status is unchanged."""
    before = {c.type: c for c in old}
    merged = []
    for cond in new:
        prev = before.get(cond.type)
        when = (
            prev.last_transition_time
            if prev is not None and prev.status == cond.status and prev.last_transition_time
            else at
        )
        merged.append(cond.model_copy(update={"last_transition_time": when}))
    return merged


def get(conditions: Iterable[Condition], type_: str) -> Condition | None:
    return next((c for c in conditions if c.type == type_), None)


def is_true(conditions: Iterable[Condition], type_: str) -> bool:
    found = get(conditions, type_)
    return found is not None and found.status is ConditionStatus.TRUE
