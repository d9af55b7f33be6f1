"""The admin's subscription figures, counted in SQL on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import Plan, Subscription, SubscriptionStatus
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, build_api_context, make_user

pytestmark = pytest.mark.integration

S = SubscriptionStatus
NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(params=["postgres", "sqlite"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    context = build_api_context(tmp_path / "data", database_url=url)
    yield context
    context.close()


def _paid(session: Session, plan: str, status: S, *, created: datetime,
          ended: datetime | None = None, period_end: datetime | None = None) -> None:  # fmt: skip
    """A user whose signup plan ended and who paid for ``plan`` through Stripe."""
    user = make_user(session)
    session.flush()
    for sub in user.subscriptions:
        sub.status, sub.ended_at = S.CANCELED, created
    plan_id = session.scalar(select(Plan.id).where(Plan.slug == plan))
    session.add(
        Subscription(
            user_id=user.id,
            plan_id=plan_id,
            status=status,
            external_id=f"sub_{user.id.hex[:12]}",
            created_at=created,
            ended_at=ended,
            current_period_end=period_end,
        )
    )


def test_subscribers_mrr_and_churn(ctx: AppContext) -> None:
    now = datetime.now(UTC)
    with ctx.sessions() as s:
        s.add(Plan(slug="annual", name="Annual", price_cents=12000, interval="year",
                   max_height=1080, concurrent_streams=2, max_profiles=2))  # fmt: skip
        s.flush()
        make_user(s)  # on the free plan
        make_user(s)
        before = NOV - timedelta(days=40)
        _paid(s, "premium", S.ACTIVE, created=before)
        _paid(s, "premium", S.PAST_DUE, created=before)
        _paid(s, "basic", S.TRIALING, created=before)  # no revenue yet
        _paid(s, "annual", S.ACTIVE, created=before)
        # Ended in November: churn of that month; no longer counted now.
        _paid(s, "basic", S.CANCELED, created=before, ended=NOV + timedelta(days=3))
        # Cancelled but paid until the period ends: still a subscriber.
        _paid(s, "basic", S.CANCELED, created=before, ended=NOV + timedelta(days=5),
              period_end=now + timedelta(days=5))  # fmt: skip
        # Started in November: not running when the month began.
        _paid(s, "premium", S.ACTIVE, created=NOV + timedelta(days=10))
        s.commit()

    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        admin = bearer(admin_token(ctx, client))  # an admin on premium (set, not paid)
        got = client.get("/api/v1/admin/billing/stats", params={"month": "2026-11"}, headers=admin)
        assert got.status_code == 200, got.text
        stats = got.json()
        counts = {p["slug"]: p["subscribers"] for p in stats["plans"]}
        # free: the two who never paid and the one whose basic ended in November.
        assert counts == {"free": 3, "basic": 2, "premium": 4, "family": 0, "annual": 1}
        # Active and past-due premium (the admin's set plan too: 4 x 1499), annual / 12.
        assert stats["mrr_cents"] == 4 * 1499 + 1000
        assert stats["currency"] == "usd"
        assert stats["churn"] == {
            "month": "2026-11",
            "at_start": 6,
            "canceled": 2,
            "rate": round(2 / 6, 4),
        }
        december = client.get(
            "/api/v1/admin/billing/stats", params={"month": "2026-12"}, headers=admin
        ).json()["churn"]
        assert (december["at_start"], december["canceled"]) == (5, 0)
        assert DEC.strftime("%Y-%m") == december["month"]
