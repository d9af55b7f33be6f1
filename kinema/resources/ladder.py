"""The Ladder resource: ``spec`` is :class:`kinema.ladder.LadderSpec`, the encoding ladder.

The spec model lives beside the planner in :mod:`kinema.ladder` (the transcoder reads
the same YAML); this module adds the resource's status and names.
"""

from __future__ import annotations

from pydantic import Field

from kinema.ladder import LadderSpec
from kinema.resources.common import CONDITIONS_LIST, Condition, Model

KIND = "Ladder"
PLURAL = "ladders"

__all__ = ["KIND", "PLURAL", "LadderSpec", "LadderStatus"]


class LadderStatus(Model):
    """``status`` of a Ladder: whether the operator accepts it (condition Ready)."""

    observed_generation: int | None = Field(default=None, ge=0)
    rungs: int | None = Field(default=None, ge=0, description="Number of video rungs.")
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra=CONDITIONS_LIST)
