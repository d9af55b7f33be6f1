"""Kinema's custom resources (``kinema.dev/v1alpha1``) as pydantic models.

These models are the single source of truth for the CRDs in ``crds/``
(:mod:`kinema.resources.crd` generates them) and for the operator, which validates
specs and writes statuses through them.
"""

from kinema.resources.common import API_VERSION, GROUP, VERSION, Condition, ConditionStatus
from kinema.resources.kinds import KINDS, ResourceKind

__all__ = [
    "API_VERSION",
    "GROUP",
    "KINDS",
    "VERSION",
    "Condition",
    "ConditionStatus",
    "ResourceKind",
]
