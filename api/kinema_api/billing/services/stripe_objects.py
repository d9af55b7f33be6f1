"""What Stripe's objects say, as typed facts: the parts of a Subscription, a Checkout
Session and an Invoice that the subscription lifecycle reads. Pure.

Stripe moves fields between API versions: a Subscription's ``current_period_end`` lives
on its items since 2025-03 (and on the Subscription before), an Invoice's subscription
under ``parent.subscription_details`` (and at the top before). Both places are read, so
an endpoint pinned to an older API version works too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kinema.catalog.models import SubscriptionStatus

# Metadata Kinema writes on Checkout Sessions and the subscriptions they create.
USER_KEY = "kinema_user_id"
PLAN_KEY = "kinema_plan_slug"

_STATUSES = {s.value: s for s in SubscriptionStatus}
# Stripe's statuses that Kinema has no member for.
_ALIASES = {"incomplete_expired": SubscriptionStatus.CANCELED}


def stripe_status(value: object) -> SubscriptionStatus:
    """Stripe's subscription status as ours; an unknown one counts as ``incomplete``
    (no entitlements) rather than granting anything."""
    text = str(value or "")
    return _STATUSES.get(text) or _ALIASES.get(text) or SubscriptionStatus.INCOMPLETE


def timestamp(value: object) -> datetime | None:
    """A Stripe timestamp (seconds since the epoch) as an aware datetime."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _id(value: object) -> str | None:
    """An expandable field: an id, or the expanded object's id."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) and found else None
    return None


def _metadata(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _items(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = obj.get("items")
    data = items.get("data") if isinstance(items, Mapping) else None
    return [i for i in data if isinstance(i, Mapping)] if isinstance(data, list) else []


@dataclass(frozen=True, slots=True)
class SubscriptionFacts:
    id: str
    customer: str | None
    status: SubscriptionStatus
    price_id: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    trial_end: datetime | None
    ended_at: datetime | None
    user_id: str | None  # from Kinema's metadata
    plan_slug: str | None


def subscription_facts(obj: Mapping[str, Any]) -> SubscriptionFacts:
    items = _items(obj)
    price_id = _id(items[0].get("price")) if items else None
    period_end = timestamp(obj.get("current_period_end"))
    if period_end is None:
        ends = [t for t in (timestamp(i.get("current_period_end")) for i in items) if t]
        period_end = max(ends, default=None)
    metadata = _metadata(obj)
    return SubscriptionFacts(
        id=str(obj.get("id") or ""),
        customer=_id(obj.get("customer")),
        status=stripe_status(obj.get("status")),
        price_id=price_id,
        current_period_end=period_end,
        # A subscription set to cancel at a date (``cancel_at``) also stops renewing.
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        trial_end=timestamp(obj.get("trial_end")),
        ended_at=timestamp(obj.get("ended_at")),
        user_id=_text(metadata.get(USER_KEY)),
        plan_slug=_text(metadata.get(PLAN_KEY)),
    )


@dataclass(frozen=True, slots=True)
class CheckoutFacts:
    id: str
    customer: str | None
    subscription_id: str | None
    user_id: str | None  # client_reference_id, else the metadata
    plan_slug: str | None
    # Stripe's ``payment_status``: paid, unpaid, no_payment_required (a free trial).
    payment_status: str


def checkout_facts(obj: Mapping[str, Any]) -> CheckoutFacts:
    metadata = _metadata(obj)
    return CheckoutFacts(
        id=str(obj.get("id") or ""),
        customer=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")),
        user_id=_text(obj.get("client_reference_id")) or _text(metadata.get(USER_KEY)),
        plan_slug=_text(metadata.get(PLAN_KEY)),
        payment_status=str(obj.get("payment_status") or ""),
    )


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    id: str
    customer: str | None
    subscription_id: str | None
    # The end of the latest period the invoice bills (a renewal's new period end).
    period_end: datetime | None


def invoice_facts(obj: Mapping[str, Any]) -> InvoiceFacts:
    subscription = _id(obj.get("subscription"))
    parent = obj.get("parent")
    if subscription is None and isinstance(parent, Mapping):
        details = parent.get("subscription_details")
        if isinstance(details, Mapping):
            subscription = _id(details.get("subscription"))
    lines = obj.get("lines")
    data = lines.get("data") if isinstance(lines, Mapping) else None
    ends = []
    for line in data if isinstance(data, list) else []:
        period = line.get("period") if isinstance(line, Mapping) else None
        end = timestamp(period.get("end")) if isinstance(period, Mapping) else None
        if end is not None:
            ends.append(end)
    return InvoiceFacts(
        id=str(obj.get("id") or ""),
        customer=_id(obj.get("customer")),
        subscription_id=subscription,
        period_end=max(ends, default=None),
    )
