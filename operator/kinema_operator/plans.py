"""Plan resources into the catalog's plans table (what the API's entitlements read).

:func:`catalog_plan` is the pure mapping; :func:`plan_status` says whether the Plan was
accepted. Stripe products and prices are not synced here yet.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kinema.catalog.services.accounts import PlanSpec as CatalogPlan
from kinema.resources.common import now
from kinema.resources.plan import PlanSpec, PlanStatus
from kinema_operator.conditions import condition, merge


def catalog_plan(slug: str, spec: PlanSpec) -> CatalogPlan:
    return CatalogPlan(
        slug=slug,
        name=spec.display_name,
        max_height=spec.max_resolution,
        concurrent_streams=spec.concurrent_streams,
        max_profiles=spec.profiles,
        price_cents=spec.price.amount,
        currency=spec.price.currency,
        interval=spec.interval.value,
        downloads=spec.downloads,
        ads=spec.ads,
        is_default=spec.default,
    )


def parse(body: dict[str, Any]) -> tuple[PlanSpec | None, str]:
    """The Plan's spec, or None and why it cannot be used."""
    try:
        return PlanSpec.model_validate(body.get("spec") or {}), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        return None, f"invalid spec at {where}: {first['msg']}"


def plan_status(body: dict[str, Any], error: str) -> dict[str, Any]:
    generation = int((body.get("metadata") or {}).get("generation") or 1)
    old = PlanStatus.model_validate(body.get("status") or {})
    ready = (
        condition("Ready", False, "Invalid" if error.startswith("invalid") else "SyncFailed",
                  error, generation=generation)
        if error
        else condition("Ready", True, "Synced", "in the catalog", generation=generation)
    )  # fmt: skip
    status = old.model_copy(
        update={
            "observed_generation": generation,
            "conditions": merge(old.conditions, [ready], now()),
        }
    )
    return status.to_wire()
