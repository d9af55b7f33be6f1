"""Pieces every Kinema custom resource shares: the API group, conditions, references.

Resource models are pydantic v2 models whose aliases are the camelCase field names of
the Kubernetes objects; :mod:`kinema.resources.crd` turns them into CRD schemas, so
these models are the single source of truth for ``crds/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict

GROUP = "kinema.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
CATEGORY = "kinema"

# RFC 1123 label: what Kubernetes accepts as an object name in most places.
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# BCP 47 language tags as players use them: "en", "pt-BR", "zh-Hant".
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# Where media may come from: an S3 object, an HTTP(S) URL, or an upload in the store.
SOURCE_URI = (
    r"^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]+"
    r"|https?://[^\s/]+(/[^\s]*)?"
    r"|upload:[A-Za-z0-9][A-Za-z0-9._-]*(/[^\s/]+)*)$"
)


class Model(BaseModel):
    """Base of resource models: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON-ready mapping as it is stored in Kubernetes (unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ConditionStatus(StrEnum):
    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


class Condition(Model):
    """One observation of the object's state, after the Kubernetes API conventions."""

    type: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Z][A-Za-z0-9]*$", description="e.g. Ready."
    )
    status: ConditionStatus
    reason: str = Field(
        default="",
        max_length=64,
        pattern=r"^([A-Z][A-Za-z0-9]*)?$",
        description="CamelCase word a program can switch on.",
    )
    message: str = Field(default="", max_length=4096, description="For people.")
    last_transition_time: datetime | None = Field(
        default=None, description="When status last changed."
    )
    observed_generation: int | None = Field(
        default=None, ge=0, description="The metadata.generation this condition was set from."
    )


class LocalRef(Model):
    """A reference to another object in the same namespace."""

    name: str = Field(min_length=1, max_length=253, pattern=DNS_LABEL)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# Conditions are a list keyed by type: server-side apply and strategic merges treat
# them as a map, and the CRD schema says so.
CONDITIONS_LIST: JsonDict = {
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
}
