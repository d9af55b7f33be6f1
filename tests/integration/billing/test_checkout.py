"""Checkout, the Billing Portal, cancelling and invoices against PostgreSQL and
stripe-mock: what the API asks Stripe for (read through the recording proxy), and that
none of it changes a plan by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from kinema.catalog.models import Plan, User
from kinema_api.context import AppContext
from tests.integration.billing.conftest import PRICES, PUBLIC_URL, StripeRecorder
from tests.utils import stripe_events
from tests.utils.factories import admin_token, bearer, signup

pytestmark = pytest.mark.integration


def _me(client: TestClient, h: dict[str, str]) -> dict[str, object]:
    body: dict[str, object] = client.get("/api/v1/auth/me", headers=h).json()
    return body


def _post_event(client: TestClient, body: bytes) -> str:
    resp = client.post(
        "/api/v1/billing/webhook",
        content=body,
        headers={"Stripe-Signature": stripe_events.signature(body)},
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["outcome"])


def test_checkout_asks_stripe_for_the_plans_price_and_one_customer(
    pg_billing_ctx: AppContext, pg_client: TestClient, stripe_calls: StripeRecorder
) -> None:
    client = pg_client
    h = bearer(signup(client, email="payer@example.com"))
    user_id = str(_me(client, h)["id"])
    resp = client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h)
    assert resp.status_code == 200, resp.text
    assert resp.json()["url"].startswith("https://checkout.stripe.com/")

    (customer,) = stripe_calls.to("POST", "/v1/customers")
    assert customer.idempotency_key == f"kinema-customer-{user_id}"
    assert customer.params["email"] == "payer@example.com"
    assert customer.params["metadata[kinema_user_id]"] == user_id
    with pg_billing_ctx.sessions() as s:
        stored = s.scalar(select(User.stripe_customer_id).where(User.email == "payer@example.com"))
    assert stored and stored.startswith("cus_")

    (session,) = stripe_calls.to("POST", "/v1/checkout/sessions")
    assert session.params == {
        "mode": "subscription",
        "customer": stored,
        "client_reference_id": user_id,
        "line_items[0][price]": PRICES["premium"],
        "line_items[0][quantity]": "1",
        "success_url": f"{PUBLIC_URL}/account?checkout=success",
        "cancel_url": f"{PUBLIC_URL}/account?checkout=cancel",
        "metadata[kinema_user_id]": user_id,
        "metadata[kinema_plan_slug]": "premium",
        "subscription_data[metadata][kinema_user_id]": user_id,
        "subscription_data[metadata][kinema_plan_slug]": "premium",
        "subscription_data[trial_period_days]": "7",  # the Plan's trial
    }
    # Going to Checkout changes nothing: the plan moves when Stripe says it was paid.
    assert _me(client, h)["plan"]["slug"] == "free"  # type: ignore[index]

    # A second visit (another plan, then the portal) reuses the customer.
    assert client.post("/api/v1/billing/checkout", json={"plan": "basic"}, headers=h).is_success
    portal = client.post("/api/v1/billing/portal", headers=h)
    assert portal.status_code == 200, portal.text
    assert portal.json()["url"].startswith("https://")
    assert len(stripe_calls.to("POST", "/v1/customers")) == 1
    second = stripe_calls.to("POST", "/v1/checkout/sessions")[1]
    assert (second.params["customer"], second.params["line_items[0][price]"]) == (
        stored,
        PRICES["basic"],
    )
    assert "subscription_data[trial_period_days]" not in second.params  # basic has none
    (opened,) = stripe_calls.to("POST", "/v1/billing_portal/sessions")
    assert opened.params == {"customer": stored, "return_url": f"{PUBLIC_URL}/account"}


def test_the_portal_creates_the_customer_when_there_is_none(
    pg_client: TestClient, stripe_calls: StripeRecorder
) -> None:
    h = bearer(signup(pg_client))
    assert pg_client.post("/api/v1/billing/portal", headers=h).status_code == 200
    assert pg_client.post("/api/v1/billing/portal", headers=h).status_code == 200
    assert len(stripe_calls.to("POST", "/v1/customers")) == 1
    assert len(stripe_calls.to("POST", "/v1/billing_portal/sessions")) == 2


def test_checkout_refusals_leave_the_viewer_free(
    pg_billing_ctx: AppContext, pg_client: TestClient, stripe_calls: StripeRecorder
) -> None:
    client = pg_client
    h = bearer(signup(client))
    with pg_billing_ctx.sessions() as s:
        s.execute(update(Plan).where(Plan.slug == "basic").values(retired=True))
        s.commit()
    refused = {
        plan: client.post("/api/v1/billing/checkout", json={"plan": plan}, headers=h)
        for plan in ("free", "gold", "family", "basic")
    }
    got = {plan: (r.status_code, r.json()["code"]) for plan, r in refused.items()}
    assert got == {
        "free": (400, "free_plan"),
        "gold": (404, "not_found"),
        "family": (409, "plan_not_synced"),  # no Stripe price in the catalog yet
        "basic": (404, "not_found"),  # retired
    }
    me = _me(client, h)
    # Billing on: the admin endpoint refuses everyone, the viewer first of all.
    admin = bearer(admin_token(pg_billing_ctx, client))
    url = f"/api/v1/admin/users/{me['id']}/plan"
    assert client.put(url, json={"plan": "premium"}, headers=h).status_code == 403
    by_admin = client.put(url, json={"plan": "premium"}, headers=admin)
    assert (by_admin.status_code, by_admin.json()["code"]) == (409, "billing_on")
    gone = client.put("/api/v1/auth/subscription", json={"plan": "premium"}, headers=h)
    assert gone.status_code == 404
    nothing = client.post("/api/v1/billing/cancel", headers=h)
    assert (nothing.status_code, nothing.json()["code"]) == (409, "no_subscription")
    unsigned = client.post("/api/v1/billing/webhook", content=b"{}")
    assert (unsigned.status_code, unsigned.json()["code"]) == (400, "bad_signature")
    assert stripe_calls.to("POST", "/v1/checkout/sessions") == []
    after = _me(client, h)
    assert after["plan"]["slug"] == "free"  # type: ignore[index]
    assert after["entitlements"]["max_height"] == 480  # type: ignore[index]


def test_one_subscription_one_trial_and_cancel_at_period_end(
    pg_billing_ctx: AppContext, pg_client: TestClient, stripe_calls: StripeRecorder
) -> None:
    client = pg_client
    h = bearer(signup(client))
    user_id = str(_me(client, h)["id"])
    now = datetime.now(UTC).replace(microsecond=0)
    trial_end = now + timedelta(days=7)
    meta = {"kinema_user_id": user_id, "kinema_plan_slug": "premium"}
    trialing = stripe_events.subscription(
        "sub_trial_1",
        status="trialing",
        price_id=PRICES["premium"],
        period_end=trial_end,
        trial_end=trial_end,
        metadata=meta,
    )
    body = stripe_events.event("customer.subscription.created", trialing, created=now)
    assert _post_event(client, body) == "applied"
    billing = client.get("/api/v1/billing", headers=h).json()
    assert billing["plan"]["slug"] == "premium"
    assert billing["entitlements"]["standing"] == "trialing"
    assert billing["subscription"]["trial_end"].startswith(trial_end.strftime("%Y-%m-%dT%H:%M"))

    # A second Checkout would bill twice: plan changes go through the portal.
    again = client.post("/api/v1/billing/checkout", json={"plan": "basic"}, headers=h)
    assert (again.status_code, again.json()["code"]) == (409, "already_subscribed")

    # Downgrade to Free: Stripe stops the renewal; the plan holds until the period ends.
    canceled = client.post("/api/v1/billing/cancel", headers=h)
    assert canceled.status_code == 200, canceled.text
    (call,) = stripe_calls.to("POST", "/v1/subscriptions/sub_trial_1")
    assert call.params == {"cancel_at_period_end": "true"}
    state = canceled.json()
    assert state["subscription"]["cancel_at_period_end"] is True
    assert state["plan"]["slug"] == "premium"

    # Once it ended, a new Checkout is allowed, without a second trial.
    ended = stripe_events.subscription(
        "sub_trial_1",
        status="canceled",
        price_id=PRICES["premium"],
        period_end=now,
        trial_end=trial_end,
        ended_at=now,
        metadata=meta,
    )
    body = stripe_events.event(
        "customer.subscription.deleted", ended, created=now + timedelta(seconds=1)
    )
    assert _post_event(client, body) == "applied"
    assert client.get("/api/v1/billing", headers=h).json()["plan"]["slug"] == "free"
    assert client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h).is_success
    last = stripe_calls.to("POST", "/v1/checkout/sessions")[-1]
    assert "subscription_data[trial_period_days]" not in last.params


def test_invoices_come_from_stripe_for_the_customer(
    pg_client: TestClient, stripe_calls: StripeRecorder
) -> None:
    h = bearer(signup(pg_client))
    assert pg_client.get("/api/v1/billing/invoices", headers=h).json() == []
    assert stripe_calls.to("GET", "/v1/invoices") == []  # no customer: nothing to ask
    pg_client.post("/api/v1/billing/portal", headers=h)
    invoices = pg_client.get("/api/v1/billing/invoices", headers=h)
    assert invoices.status_code == 200, invoices.text
    listed = invoices.json()
    assert listed and set(listed[0]) == {
        "id",
        "number",
        "status",
        "amount_due",
        "amount_paid",
        "currency",
        "created",
        "hosted_invoice_url",
        "invoice_pdf",
    }
    assert listed[0]["id"].startswith("in_")
    (call,) = stripe_calls.to("GET", "/v1/invoices")
    assert call.params["customer"].startswith("cus_")
