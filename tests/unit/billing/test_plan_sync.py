"""``kinema up``'s plans into Stripe, without Stripe: the mapping of a catalog plan, when
the sync runs at all, and what happens while Stripe cannot be reached (SQLite, a closed
port for Stripe's address)."""

from __future__ import annotations

import logging
import threading
import uuid
from pathlib import Path

import pytest
import stripe
from sqlalchemy import select

from kinema.billing.stripe_plans import StripePlans, Terms
from kinema.catalog.models import Plan
from kinema.settings import Settings
from kinema_api.billing.services.plan_sync import PlanSync, start_plan_sync, stripe_plan
from kinema_api.context import AppContext
from kinema_api.serve import prepare_plans
from tests.utils.factories import build_api_context
from tests.utils.ports import free_port


def test_a_catalog_plan_as_stripe_gets_it() -> None:
    plan_id = uuid.uuid4()
    plan = Plan(id=plan_id, slug="premium", name="Premium", price_cents=1499, currency="eur",
                interval="year", stripe_price_id=None)  # fmt: skip
    got = stripe_plan(plan)
    assert (got.key, got.uid, got.name, got.description) == (
        "embedded:premium", str(plan_id), "Premium", "",
    )  # fmt: skip
    assert got.terms == Terms(1499, "eur", "year")
    assert got.revision == "1499-eur-year-from-none"
    plan.stripe_price_id = "price_1"
    assert stripe_plan(plan).revision == "1499-eur-year-from-price_1"


def test_no_sync_without_a_key_or_when_the_operator_owns_the_plans(
    ctx: AppContext, tmp_path: Path
) -> None:
    assert prepare_plans(ctx) is None  # billing off: the embedded default
    cluster = Settings(
        data_dir=tmp_path, mode="cluster", storage_url="s3://bucket/kinema",
        stripe_api_key="sk_test_x",
    )  # fmt: skip
    assert start_plan_sync(cluster, ctx.sessions, threading.Event()) is None


def test_while_stripe_cannot_be_reached_the_sync_says_so_and_retries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kinema.api.billing")
    ctx = build_api_context(tmp_path / "data")
    client = stripe.StripeClient(
        "sk_test_x",
        base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
        max_network_retries=0,
    )
    sync = PlanSync(ctx.sessions, StripePlans(client), ctx.stopping, delays_s=(0.01, 0.05))
    try:
        sync.start()
        assert not sync.wait(1.0)  # still retrying

        def warned() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

        # One line a pass, not one a plan: the first plan's failure stops the pass.
        assert len(warned()) >= 2
        assert sync.pending == {"free", "basic", "premium", "family"}
        for line in warned():
            assert line.startswith("billing: Stripe did not answer (searching Stripe products")
            assert "Checkout answers 409 plan_not_synced for free, basic, premium, family" in line
            assert "retrying in" in line
        with ctx.sessions() as s:
            assert set(s.scalars(select(Plan.stripe_price_id))) == {None}
    finally:
        ctx.close()  # the server stops: so does the sync
    assert sync.wait(5)
