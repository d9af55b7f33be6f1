"""Plan resources into the catalog's plans table (what the API's entitlements read).

:func:`catalog_plan` is the pure mapping; :func:`plan_status` says whether the Plan was
accepted, and where it went: the catalog always, Stripe when a key is configured
(:mod:`kinema_operator.plan.stripe` does the talking). :func:`retire_in_catalog` is the
catalog side of a deleted Plan: the row goes, unless subscriptions name it (then it stays
for them, ``retired``: no longer offered to anyone else).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from kinema.catalog.services.accounts import PlanRetirement, retire_plan
from kinema.catalog.services.accounts import PlanSpec as CatalogPlan
from kinema.resources.common import now
from kinema.resources.plan import PlanSpec, PlanStatus
from kinema_operator.catalog import Catalog
from kinema_operator.conditions import condition, merge
from kinema_operator.errors import CatalogSyncError
from kinema_operator.plan.stripe import StripeIds


def catalog_plan(slug: str, spec: PlanSpec, stripe_price_id: str | None = None) -> CatalogPlan:
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
        download_limit=spec.download_limit,
        ads=spec.ads,
        trial_days=spec.trial_days,
        is_default=spec.default,
        stripe_price_id=stripe_price_id,
    )


def parse(body: dict[str, Any]) -> tuple[PlanSpec | None, str]:
    """The Plan's spec, or None and why it cannot be used."""
    try:
        return PlanSpec.model_validate(body.get("spec") or {}), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "spec"
        return None, f"invalid spec at {where}: {first['msg']}"


def plan_status(
    body: dict[str, Any],
    error: str,
    *,
    stripe: StripeIds | None = None,
    stripe_enabled: bool = True,
    failure_reason: str = "SyncFailed",
) -> dict[str, Any]:
    generation = int((body.get("metadata") or {}).get("generation") or 1)
    old = PlanStatus.model_validate(body.get("status") or {})
    if error:
        reason = "Invalid" if error.startswith("invalid") else failure_reason
        ready = condition("Ready", False, reason, error, generation=generation)
    elif not stripe_enabled:
        ready = condition(
            "Ready", True, "StripeDisabled",
            "in the catalog; not synced to Stripe (KINEMA_STRIPE_API_KEY is unset)",
            generation=generation,
        )  # fmt: skip
    else:
        where = (
            f"in the catalog and Stripe (price {stripe.price_id})" if stripe else "in the catalog"
        )
        ready = condition("Ready", True, "Synced", where, generation=generation)
    update: dict[str, Any] = {
        "observed_generation": generation,
        "conditions": merge(old.conditions, [ready], now()),
    }
    if stripe is not None:
        update |= {"stripe_product_id": stripe.product_id, "stripe_price_id": stripe.price_id}
    return old.model_copy(update=update).to_wire()


def retire_in_catalog(catalog: Catalog, slug: str) -> PlanRetirement:
    try:
        with catalog.sessions.begin() as session:
            return retire_plan(session, slug=slug)
    except SQLAlchemyError as exc:
        raise CatalogSyncError(f"catalog removal of plan {slug} failed: {exc}") from exc
