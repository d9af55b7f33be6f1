"""Stripe webhooks, signed with the real scheme and posted to the real API, change what
a viewer may play: on PostgreSQL + Redis and on the embedded SQLite.

Deliveries are at least once and in any order; the final state must follow the events'
times, not the order they arrive in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from kinema.catalog.models import BillingEvent, Subscription
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from kinema_api.viewing.services import playback as playback_service
from tests.integration.billing.conftest import PRICES
from tests.utils import stripe_events
from tests.utils.factories import bearer, make_playable_video, signup

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
LATER = NOW + timedelta(days=30)


@dataclass
class Account:
    client: TestClient
    ctx: AppContext
    headers: dict[str, str]
    user_id: str
    video_id: uuid.UUID
    sub_id: str

    def post(self, type_: str, obj: dict[str, Any], *, created: datetime,
             event_id: str | None = None) -> str:  # fmt: skip
        body = stripe_events.event(type_, obj, created=created, event_id=event_id)
        resp = self.client.post(
            "/api/v1/billing/webhook",
            content=body,
            headers={"Stripe-Signature": stripe_events.signature(body)},
        )
        assert resp.status_code == 200, resp.text
        return str(resp.json()["outcome"])

    def subscription(self, status: str, *, plan: str = "premium", **kw: Any) -> dict[str, Any]:
        meta = {"kinema_user_id": self.user_id, "kinema_plan_slug": plan}
        kw.setdefault("period_end", LATER)
        return stripe_events.subscription(
            self.sub_id, status=status, price_id=PRICES[plan], metadata=meta, **kw
        )

    def billing(self) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get("/api/v1/billing", headers=self.headers).json()
        return body

    def heights(self) -> list[int]:
        """The rungs a new playback's master playlist offers."""
        play = self.client.get(f"/api/v1/playback/{self.video_id}", headers=self.headers)
        assert play.status_code == 200, play.text
        master = self.client.get(play.json()["hls_url"]).text
        return [v.height or 0 for v in manifests.variants(master) if not v.iframe]


@pytest.fixture
def account(billing_ctx: AppContext, client: TestClient) -> Account:
    with billing_ctx.sessions() as s:
        video_id = make_playable_video(s, billing_ctx.store, duration_s=12).id
        s.commit()
    h = bearer(signup(client))
    user_id = client.get("/api/v1/auth/me", headers=h).json()["id"]
    return Account(client, billing_ctx, h, user_id, video_id, f"sub_{uuid.uuid4().hex[:12]}")


FREE = [240, 480]
PREMIUM = [240, 480, 720, 1080]


def test_an_upgrade_paid_through_checkout_serves_1080p(account: Account) -> None:
    assert account.heights() == FREE
    play = account.client.get(f"/api/v1/playback/{account.video_id}", headers=account.headers)
    hls_url = play.json()["hls_url"]
    checkout = stripe_events.checkout_session(
        user_id=account.user_id, plan="premium", sub_id=account.sub_id
    )
    assert account.post("checkout.session.completed", checkout, created=NOW) == "applied"
    created = account.subscription("active")
    assert account.post("customer.subscription.created", created, created=NOW) == "applied"
    billing = account.billing()
    assert billing["plan"]["slug"] == "premium"
    assert billing["entitlements"]["standing"] == "active"
    assert billing["subscription"]["status"] == "active"
    assert billing["subscription"]["current_period_end"].startswith(LATER.strftime("%Y-%m-%d"))
    assert account.heights() == PREMIUM
    # The playback started on Free gets the new plan at its next renewal.
    assert "1080p" not in account.client.get(hls_url).text
    renewed = account.client.post(
        f"/api/v1/playback/{account.video_id}/renew", headers=account.headers
    )
    assert renewed.json()["max_height"] == 2160


def test_a_failed_payment_keeps_the_plan_for_the_grace_period_then_480p(
    account: Account,
) -> None:
    started = NOW - timedelta(days=30)
    account.post("customer.subscription.created", account.subscription("active"), created=started)
    failed_at = NOW - timedelta(days=1)  # delivered a day late (Stripe retried)
    invoice = stripe_events.invoice(account.sub_id)
    assert account.post("invoice.payment_failed", invoice, created=failed_at) == "applied"
    billing = account.billing()
    sub = billing["subscription"]
    assert (sub["status"], billing["entitlements"]["standing"]) == ("past_due", "past_due")
    grace = account.ctx.settings.billing_grace
    assert datetime.fromisoformat(sub["past_due_since"]) == failed_at
    assert datetime.fromisoformat(sub["grace_until"]) == failed_at + grace
    assert account.heights() == PREMIUM  # in grace

    # Three days after the first failure, still unpaid: the free plan's 480p.
    with account.ctx.sessions() as s:
        s.execute(
            update(Subscription)
            .where(Subscription.external_id == account.sub_id)
            .values(past_due_since=NOW - grace - timedelta(minutes=1))
        )
        s.commit()
        playback_service.forget_user_sessions(account.ctx, s, user_id=uuid.UUID(account.user_id))
    assert account.heights() == FREE
    assert account.billing()["entitlements"]["standing"] == "lapsed"

    # Paid at last: the plan is back and past_due_since is cleared.
    paid = stripe_events.invoice(account.sub_id, period_end=LATER + timedelta(days=30))
    assert account.post("invoice.paid", paid, created=NOW) == "applied"
    sub = account.billing()["subscription"]
    assert (sub["status"], sub["past_due_since"]) == ("active", None)
    assert account.heights() == PREMIUM


def test_cancelled_subscriptions_fall_to_free_when_the_period_ends(account: Account) -> None:
    account.post("customer.subscription.created", account.subscription("active"), created=NOW)
    canceling = account.subscription("active", cancel_at_period_end=True)
    assert account.post("customer.subscription.updated", canceling, created=NOW) == "applied"
    billing = account.billing()
    assert billing["entitlements"]["standing"] == "canceling"
    assert billing["subscription"]["cancel_at_period_end"] is True
    assert account.heights() == PREMIUM  # paid until the period ends

    # The period ends (a second ago); Stripe deletes the subscription.
    end = NOW - timedelta(seconds=1)
    ended = account.subscription("canceled", period_end=end, ended_at=end)
    assert account.post("customer.subscription.deleted", ended, created=NOW) == "applied"
    billing = account.billing()
    assert billing["plan"]["slug"] == "free"
    assert billing["entitlements"]["standing"] == "ended"
    assert account.heights() == FREE
    # Stripe never revives a canceled subscription: a late "active" changes nothing.
    late = account.subscription("active")
    an_hour = NOW + timedelta(hours=1)
    assert account.post("customer.subscription.updated", late, created=an_hour) == "ignored"
    assert account.heights() == FREE


def test_the_same_event_twice_is_applied_once(account: Account) -> None:
    account.post("customer.subscription.created", account.subscription("active"), created=NOW)
    at = NOW + timedelta(seconds=30)
    invoice = stripe_events.invoice(account.sub_id)
    failed_id = f"evt_failed_{uuid.uuid4().hex[:8]}"
    assert account.post("invoice.payment_failed", invoice, created=at, event_id=failed_id) == (
        "applied"
    )
    # Paid in the same second; then Stripe redelivers the failure. Applied again it
    # would make the subscription past due once more.
    assert account.post("invoice.paid", invoice, created=at) == "applied"
    again = account.post("invoice.payment_failed", invoice, created=at, event_id=failed_id)
    assert again == "duplicate"
    assert account.billing()["subscription"]["status"] == "active"
    with account.ctx.sessions() as s:
        count = s.scalar(
            select(func.count()).select_from(BillingEvent).where(BillingEvent.id == failed_id)
        )
    assert count == 1


@pytest.mark.parametrize("order", ["created_first", "updated_first"])
def test_updated_before_created_ends_in_the_same_state(account: Account, order: str) -> None:
    created = (
        "customer.subscription.created",
        account.subscription("incomplete", period_end=LATER),
        NOW,
    )
    updated = (
        "customer.subscription.updated",
        account.subscription("trialing", period_end=LATER, trial_end=LATER),
        NOW + timedelta(seconds=3),
    )
    events = [created, updated] if order == "created_first" else [updated, created]
    outcomes = [account.post(t, obj, created=at) for t, obj, at in events]
    assert outcomes == (["applied", "applied"] if order == "created_first" else
                        ["applied", "stale"])  # fmt: skip
    billing = account.billing()
    assert billing["plan"]["slug"] == "premium"
    assert billing["subscription"]["status"] == "trialing"
    assert billing["subscription"]["trial_end"] is not None
    assert account.heights() == PREMIUM


def test_a_plan_change_in_the_portal_moves_the_plan(account: Account) -> None:
    account.post("customer.subscription.created", account.subscription("active"), created=NOW)
    basic = account.subscription("active", plan="basic")
    basic["metadata"] = {}  # the portal keeps Checkout's metadata; the price decides
    later = NOW + timedelta(seconds=10)
    assert account.post("customer.subscription.updated", basic, created=later) == "applied"
    assert account.billing()["plan"]["slug"] == "basic"
    assert account.heights() == [240, 480, 720]


def test_events_about_nothing_of_ours_are_recorded_and_ignored(account: Account) -> None:
    stranger = stripe_events.subscription(
        "sub_elsewhere", status="active", price_id="price_unknown", customer="cus_unknown"
    )
    assert account.post("customer.subscription.created", stranger, created=NOW) == "ignored"
    assert account.post("charge.refunded", {"id": "ch_1"}, created=NOW) == "ignored"
    orphan = stripe_events.invoice("sub_never_seen")
    assert account.post("invoice.payment_failed", orphan, created=NOW) == "ignored"
    assert account.billing()["plan"]["slug"] == "free"


def test_bad_or_stale_signatures_are_refused_and_change_nothing(account: Account) -> None:
    body = stripe_events.event(
        "customer.subscription.created", account.subscription("active"), created=NOW
    )
    now = int(datetime.now(UTC).timestamp())
    attempts = {
        "missing": {},
        "wrong secret": {"Stripe-Signature": stripe_events.signature(body, "whsec_wrong")},
        "stale": {"Stripe-Signature": stripe_events.signature(body, at=now - 301)},
        "garbage": {"Stripe-Signature": "not a signature"},
    }
    for why, headers in attempts.items():
        resp = account.client.post("/api/v1/billing/webhook", content=body, headers=headers)
        assert (resp.status_code, resp.json()["code"]) == (400, "bad_signature"), why
    tampered = body.replace(b'"active"', b'"trialing"')
    resp = account.client.post(
        "/api/v1/billing/webhook",
        content=tampered,
        headers={"Stripe-Signature": stripe_events.signature(body)},
    )
    assert resp.status_code == 400
    with account.ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(BillingEvent)) == 0
    assert account.billing()["plan"]["slug"] == "free"
    assert account.heights() == FREE
    # Within the tolerance, the same body verifies and applies.
    fresh = {"Stripe-Signature": stripe_events.signature(body, at=now - 60)}
    ok = account.client.post("/api/v1/billing/webhook", content=body, headers=fresh)
    assert ok.json()["outcome"] == "applied"
    assert account.heights() == PREMIUM
