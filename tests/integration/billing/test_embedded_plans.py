"""``kinema up`` with a Stripe key puts its plans into Stripe (stripe-mock), so Checkout
works on one machine without an operator; a second start reuses what the first made.

The start-up is ``kinema up``'s own (``serve.prepare_plans`` on a migrated SQLite data
directory); Stripe is stripe-mock behind the recording proxy, with the memory of the
Products and Prices made through it (``tests.utils.stripe_memory``): stripe-mock alone
answers every retrieve with a fixture of other terms, so reuse could not show.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.billing.stripe_plans import PriceAction
from kinema.catalog import migrate
from kinema.catalog.models import Plan
from kinema.settings import Settings
from kinema_api.app import create_app
from kinema_api.billing.services import plan_sync
from kinema_api.billing.services.plan_sync import PlanSync
from kinema_api.context import AppContext, build_context
from kinema_api.serve import prepare_plans
from tests.integration.billing.conftest import PUBLIC_URL, StripeCall, StripeRecorder, stripe_proxy
from tests.utils.factories import bearer, live_server, signup
from tests.utils.ports import free_port
from tests.utils.stripe_events import WEBHOOK_SECRET
from tests.utils.stripe_mock import StripeMock

pytestmark = pytest.mark.integration

PAID = {"basic": 999, "premium": 1499, "family": 1999}


def start(data_dir: Path, *, api_key: str, api_base: str) -> tuple[AppContext, PlanSync]:
    """What ``kinema up`` does before it serves: migrate, open, seed and sync the plans."""
    settings = Settings(
        data_dir=data_dir,
        stripe_api_key=api_key,
        stripe_api_base=api_base,
        stripe_webhook_secret=WEBHOOK_SECRET,
        public_url=PUBLIC_URL,
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)
    ctx = build_context(settings, create_secret=True)
    sync = prepare_plans(ctx)
    assert sync is not None
    assert sync.wait(60), "the plan sync did not end"
    return ctx, sync


def prices(ctx: AppContext) -> dict[str, tuple[str, str | None]]:
    with ctx.sessions() as s:
        return {p.slug: (str(p.id), p.stripe_price_id) for p in s.scalars(select(Plan))}


def test_kinema_up_puts_its_plans_into_stripe_and_checkout_works(
    tmp_path: Path, stripe_mock: StripeMock, stripe_remembering: StripeRecorder
) -> None:
    calls = stripe_remembering
    ctx, sync = start(tmp_path / "data", api_key=stripe_mock.api_key, api_base=calls.url)
    try:
        assert not sync.pending
        first = prices(ctx)
        assert set(first) == {"free", *PAID}
        for slug, (_, price_id) in first.items():
            assert price_id and price_id.startswith("price_"), slug
            synced = sync.outcomes[slug].synced
            assert synced is not None and synced.action is PriceAction.CREATE, slug

        products = calls.to("POST", "/v1/products")
        assert {c.params["metadata[kinema_plan]"] for c in products} == {
            f"embedded:{slug}" for slug in first
        }
        made = {c.params["metadata[kinema_plan]"]: c for c in calls.to("POST", "/v1/prices")}
        for slug, amount in PAID.items():
            plan_id = first[slug][0]
            (product,) = [c for c in products if c.params["name"] == slug.title()]
            assert product.idempotency_key == f"kinema-product-{plan_id}"
            price = made[f"embedded:{slug}"]
            assert (price.params["unit_amount"], price.params["currency"]) == (str(amount), "usd")
            assert price.params["recurring[interval]"] == "month"
            assert price.idempotency_key == f"kinema-price-{plan_id}-{amount}-usd-month-from-none"

        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = bearer(signup(client, email="payer@example.com"))
            resp = client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h)
            assert resp.status_code == 200, resp.text
            assert resp.json()["url"].startswith("https://checkout.stripe.com/")
        (session,) = calls.to("POST", "/v1/checkout/sessions")
        assert session.params["line_items[0][price]"] == first["premium"][1]
    finally:
        ctx.close()

    # A second start finds every plan's Price (and through it the Product): nothing new.
    calls.calls.clear()
    ctx, sync = start(tmp_path / "data", api_key=stripe_mock.api_key, api_base=calls.url)
    try:
        assert prices(ctx) == first
        assert {o.synced.action for o in sync.outcomes.values() if o.synced} == {PriceAction.REUSE}
        assert len(sync.outcomes) == len(first)
        assert calls.to("POST", "/v1/products") == []
        assert calls.to("POST", "/v1/prices") == []
        for _, price_id in first.values():
            assert calls.to("GET", f"/v1/prices/{price_id}")
    finally:
        ctx.close()


def test_a_key_stripe_refuses_is_logged_and_kinema_up_still_serves(
    tmp_path: Path,
    stripe_mock: StripeMock,
    stripe_calls: StripeRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="kinema.api.billing")
    ctx, sync = start(tmp_path / "data", api_key="not-a-key", api_base=stripe_calls.url)
    try:
        assert sync.pending == {"free", *PAID}
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 4  # one a plan: a refusal may concern one plan only
        for line in warnings:
            assert line.startswith("billing: Stripe refused plan ")
            assert "Stripe refused the API key" in line
            assert "409 plan_not_synced" in line
            assert "not retried" in line and "KINEMA_STRIPE_API_KEY" in line
        assert all(price is None for _, price in prices(ctx).values())
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = bearer(signup(client))
            resp = client.post("/api/v1/billing/checkout", json={"plan": "basic"}, headers=h)
            assert (resp.status_code, resp.json()["code"]) == (409, "plan_not_synced")
    finally:
        ctx.close()


def test_plans_reach_stripe_once_it_answers(
    tmp_path: Path,
    stripe_mock: StripeMock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Stripe unreachable at start: kinema up serves, says so, and retries; when Stripe
    answers, the plans get their Prices and Checkout works without a restart."""
    caplog.set_level(logging.INFO, logger="kinema.api.billing")
    monkeypatch.setattr(plan_sync, "RETRY_DELAYS_S", (0.2,))
    port = free_port()  # where Stripe will be, once it answers
    settings = Settings(
        data_dir=tmp_path / "data",
        stripe_api_key=stripe_mock.api_key,
        stripe_api_base=f"http://127.0.0.1:{port}",
        stripe_webhook_secret=WEBHOOK_SECRET,
        public_url=PUBLIC_URL,
    )
    settings.data_dir.mkdir(parents=True)
    migrate.upgrade(settings.resolved_database_url)
    ctx = build_context(settings, create_secret=True)
    try:
        sync = prepare_plans(ctx)
        assert sync is not None
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = bearer(signup(client))

            def checkout() -> tuple[int, str]:
                resp = client.post("/api/v1/billing/checkout", json={"plan": "basic"}, headers=h)
                return resp.status_code, resp.json().get("code", "")

            assert not sync.wait(3)  # Stripe's address refuses connections: still trying
            assert checkout() == (409, "plan_not_synced")
            assert any("retrying in" in r.getMessage() for r in caplog.records)

            calls: list[StripeCall] = []
            with live_server(stripe_proxy(stripe_mock.url, calls), port=port):
                assert sync.wait(60), "the plan sync did not end once Stripe answered"
                assert not sync.pending
                assert checkout()[0] == 200
        assert any("Checkout is ready" in r.getMessage() for r in caplog.records)
    finally:
        ctx.close()
