"""The API's one door to Stripe: customers, Checkout and Billing Portal sessions,
cancelling at period end, invoices, and verifying webhook signatures.

Everything above this module speaks in Kinema's terms (a user id, a plan slug, a URL);
Stripe's errors leave it as :class:`StripeFailed` with Stripe's own words, so a viewer
sees what went wrong and nothing crashes.

The client follows the operator's (``kinema_operator.plan.stripe``): ``StripeClient``
with ``KINEMA_STRIPE_API_BASE`` as its API address when set (stripe-mock in tests), and
two network retries. One client per key and address is kept for the process, so its
HTTP connections are reused.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import stripe

from kinema.settings import Settings
from kinema_api.billing.services.errors import BadSignature, BillingOff, StripeFailed
from kinema_api.billing.services.stripe_objects import PLAN_KEY, USER_KEY, timestamp

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

# Seconds a webhook's signature stays valid (Stripe's own default): a replayed delivery
# older than this is refused even with a correct signature.
WEBHOOK_TOLERANCE_S = 300
INVOICES_SHOWN = 24


@contextmanager
def _stripe(what: str) -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as exc:
        said = exc.user_message or str(exc) or type(exc).__name__
        raise StripeFailed(f"{what}: Stripe said: {said}") from exc


@dataclass(frozen=True, slots=True)
class StripeEvent:
    """A verified webhook event: the parts Kinema reads."""

    id: str
    type: str
    created: datetime
    object: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str | None
    status: str | None
    amount_due: int
    amount_paid: int
    currency: str
    created: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None


def verify_event(payload: bytes, signature: str | None, secret: str) -> StripeEvent:
    """The event in ``payload`` when ``signature`` (the ``Stripe-Signature`` header) is
    Stripe's HMAC-SHA256 of it under ``secret``, made less than five minutes ago."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_S
        )
    except stripe.SignatureVerificationError as exc:
        raise BadSignature(f"the Stripe-Signature header does not verify: {exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:  # signed, but not JSON
        raise BadSignature(f"the webhook body is not a Stripe event: {exc}") from exc
    data = event.to_dict()
    inner = data.get("data")
    obj = inner.get("object") if isinstance(inner, Mapping) else None
    created = timestamp(data.get("created"))
    if not isinstance(obj, Mapping) or created is None or not data.get("id"):
        raise BadSignature("the webhook body is not a Stripe event (id, created, data.object)")
    return StripeEvent(str(data["id"]), str(data.get("type") or ""), created, obj)


class StripeDoor:
    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @classmethod
    def connect(cls, api_key: str, api_base: str | None = None) -> StripeDoor:
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        return cls(stripe.StripeClient(api_key, base_addresses=base, max_network_retries=2))

    def create_customer(self, *, user_id: uuid.UUID, email: str, name: str) -> str:
        """A Customer for ``user_id``. The idempotency key makes a retry, or a second
        request racing this one, get the same Customer instead of a second one."""
        with _stripe("creating your Stripe customer"):
            customer = self.client.v1.customers.create(
                params={"email": email, "name": name, "metadata": {USER_KEY: str(user_id)}},
                options={"idempotency_key": f"kinema-customer-{user_id}"},
            )
        return customer.id

    def checkout(
        self,
        *,
        customer: str,
        price_id: str,
        user_id: uuid.UUID,
        plan_slug: str,
        trial_days: int,
        success_url: str,
        cancel_url: str,
    ) -> str:
        """A Checkout Session subscribing ``customer`` to ``price_id``; its URL."""
        metadata = {USER_KEY: str(user_id), PLAN_KEY: plan_slug}
        subscription_data: dict[str, Any] = {"metadata": metadata}
        if trial_days > 0:
            subscription_data["trial_period_days"] = trial_days
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": customer,
            "client_reference_id": str(user_id),
            "line_items": [{"price": price_id, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            "subscription_data": subscription_data,
        }
        with _stripe("starting Stripe Checkout"):
            session = self.client.v1.checkout.sessions.create(params=cast(Any, params))
        if not session.url:
            raise StripeFailed("starting Stripe Checkout: Stripe answered no URL")
        return session.url

    def portal(self, *, customer: str, return_url: str) -> str:
        with _stripe("opening the Stripe billing portal"):
            session = self.client.v1.billing_portal.sessions.create(
                params={"customer": customer, "return_url": return_url}
            )
        return session.url

    def cancel_at_period_end(self, subscription_id: str) -> bool:
        """Stop ``subscription_id`` renewing; whether Stripe now says it will."""
        with _stripe(f"cancelling Stripe subscription {subscription_id}"):
            sub = self.client.v1.subscriptions.update(
                subscription_id, params={"cancel_at_period_end": True}
            )
        return bool(sub.cancel_at_period_end)

    def invoices(self, customer: str) -> list[Invoice]:
        with _stripe("listing your invoices"):
            listed = self.client.v1.invoices.list(
                params={"customer": customer, "limit": INVOICES_SHOWN}
            )
        out = []
        for item in listed.data:
            inv = item.to_dict()
            out.append(
                Invoice(
                    id=str(inv.get("id") or ""),
                    number=inv.get("number"),
                    status=inv.get("status"),
                    amount_due=int(inv.get("amount_due") or 0),
                    amount_paid=int(inv.get("amount_paid") or 0),
                    currency=str(inv.get("currency") or ""),
                    created=timestamp(inv.get("created")),
                    hosted_invoice_url=inv.get("hosted_invoice_url"),
                    invoice_pdf=inv.get("invoice_pdf"),
                )
            )
        return out


_doors: dict[tuple[str, str | None], StripeDoor] = {}
_doors_lock = threading.Lock()


def door(settings: Settings) -> StripeDoor:
    """The door for ``settings``' key and address; BillingOff without a key."""
    if not settings.billing_enabled or settings.stripe_api_key is None:
        raise BillingOff(
            "billing is not configured on this server (KINEMA_STRIPE_API_KEY is unset); "
            "an admin sets plans"
        )
    key = (settings.stripe_api_key.get_secret_value(), settings.stripe_api_base or None)
    with _doors_lock:
        found = _doors.get(key)
        if found is None:
            found = _doors[key] = StripeDoor.connect(*key)
        return found
