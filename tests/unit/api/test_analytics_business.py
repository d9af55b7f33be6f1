"""The Overview's and Business page's figures from known rows, on a fixed clock: viewers
watching now (live stream leases), new subscribers in a range and in the Overview's two
periods, trials per plan, failed payments (billing keeps a failed renewal as a past-due
subscription), subscribers per plan and MRR. Each figure is counted by hand from the
rows seeded here, edges included (a lease just inside and just outside its 2 minutes, a
revoked or expired login, a subscription created at the range's start and at its end)."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    AuthSession,
    ClaudeCall,
    Plan,
    StreamLease,
    Subscription,
    SubscriptionStatus,
    User,
)
from kinema.catalog.services.tagging import month_start
from kinema_api.analytics.routes import dashboard
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    bearer,
    build_api_context,
    make_ready_video,
    make_title,
    make_user,
)

S = SubscriptionStatus
API = "/api/v1/admin/analytics"
NOW = datetime.now(UTC).replace(microsecond=0)
D = timedelta(days=1)
RANGE = {"start": (NOW - 3 * D).isoformat(), "end": (NOW - D).isoformat()}


def _subscribed(
    s: Session,
    plan: str,
    status: S,
    *,
    created: datetime,
    period_end: datetime | None = None,
    past_due_since: datetime | None = None,
) -> User:
    """A user whose signup (free) subscription ended when they subscribed to ``plan``."""
    user = make_user(s)
    s.flush()
    for sub in user.subscriptions:
        sub.status, sub.ended_at = S.CANCELED, created
    s.add(
        Subscription(
            user_id=user.id,
            plan_id=s.scalar(select(Plan.id).where(Plan.slug == plan)),
            status=status,
            external_id=f"sub_{user.id.hex[:12]}",
            created_at=created,
            current_period_end=period_end,
            ended_at=period_end if status is S.CANCELED else None,
            past_due_since=past_due_since,
        )
    )
    return user


def _login(s: Session, user: User, *, expires: datetime, revoked: bool = False) -> uuid.UUID:
    row = AuthSession(
        user_id=user.id,
        token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        expires_at=expires,
        revoked_at=NOW - timedelta(minutes=1) if revoked else None,
    )
    s.add(row)
    s.flush()
    return row.id


@pytest.fixture
def admin(client: TestClient, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # The admin's own account is on premium (set, not paid), created now: a subscriber
    # and MRR as billing counts them, outside the ranges asked for below.
    headers = bearer(admin_token(ctx, client))
    with ctx.sessions() as s:
        # Paid subscriptions created in the range [now - 3 d, now - 1 d): A, B, E, G, K.
        _subscribed(s, "premium", S.ACTIVE, created=NOW - 2 * D)  # A
        _subscribed(s, "basic", S.TRIALING, created=NOW - 2 * D)  # B
        _subscribed(s, "basic", S.TRIALING, created=NOW - 10 * D)  # C: a trial, not new
        # D: a renewal failed yesterday; E: a new subscription whose first renewal failed.
        _subscribed(s, "premium", S.PAST_DUE, created=NOW - 40 * D, past_due_since=NOW - D)
        _subscribed(s, "family", S.PAST_DUE, created=NOW - 2 * D, past_due_since=NOW - D)
        _subscribed(s, "premium", S.INCOMPLETE, created=NOW - 2 * D)  # F: never paid
        _subscribed(s, "basic", S.INCOMPLETE, created=NOW - 2 * D)  # F2: never paid
        _subscribed(s, "free", S.ACTIVE, created=NOW - 2 * D)  # Q: on a plan that bills nothing
        # G: new in the range, cancelled with no paid time left: back on free.
        _subscribed(s, "premium", S.CANCELED, created=NOW - 2 * D, period_end=NOW - D)
        _subscribed(s, "premium", S.ACTIVE, created=NOW - 3 * D)  # K: at the start: in
        _subscribed(s, "basic", S.ACTIVE, created=NOW - D)  # L: at the end: out
        _subscribed(s, "premium", S.ACTIVE, created=NOW - 4 * D)  # M: the period before
        # R: on basic for a month, moved to premium inside the range: not a new subscriber.
        moved = _subscribed(s, "basic", S.CANCELED, created=NOW - 30 * D, period_end=NOW - 2 * D)
        s.add(
            Subscription(
                user_id=moved.id,
                plan_id=s.scalar(select(Plan.id).where(Plan.slug == "premium")),
                status=S.ACTIVE,
                created_at=NOW - 2 * D,
            )
        )
        # P: cancelled with paid time left: still a family subscriber.
        _subscribed(s, "family", S.CANCELED, created=NOW - 60 * D, period_end=NOW + 5 * D)
        # Claude's spend: this calendar month's calls count, last month's do not.
        this_month = month_start(NOW)
        for finished, cost in ((this_month, 0.25), (NOW, 0.5), (this_month - D, 3.0)):
            s.add(ClaudeCall(purpose="why_note", finished_at=finished, cost_usd=cost))
        make_user(s)  # H: free
        viewer = make_user(s)  # U: free, watching on several devices
        video = make_ready_video(s, title=make_title(s))
        live = _login(s, viewer, expires=NOW + D)
        leases = [  # (last seen, login): 3 of them live
            (NOW - timedelta(seconds=30), live),
            (NOW - timedelta(seconds=119), live),
            (NOW - timedelta(minutes=3), live),  # its player stopped refreshing
            (NOW - timedelta(seconds=10), _login(s, viewer, expires=NOW + D, revoked=True)),
            (NOW - timedelta(seconds=10), _login(s, viewer, expires=NOW - timedelta(minutes=1))),
            (NOW - timedelta(seconds=5), None),  # a lease with no login session
        ]
        for seen, login in leases:
            s.add(
                StreamLease(
                    user_id=viewer.id,
                    video_id=video.id,
                    session_id=login,
                    started_at=NOW - timedelta(minutes=20),
                    last_seen_at=seen,
                )
            )
        s.commit()
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    return headers


def test_business_figures_from_known_rows(client: TestClient, admin: dict[str, str]) -> None:
    page = client.get(f"{API}/business", params=RANGE, headers=admin)
    assert page.status_code == 200, page.text
    body = page.json()
    plans = {p["slug"]: (p["subscribers"], p["trials"]) for p in body["plans"]}
    # premium: the admin, A, D, K, M, R; basic: B, C, L; family: E, P; free: the 17 active
    # accounts less the 11 entitled to a paid plan (F, F2, G, Q, H and U).
    assert plans == {"free": (6, 0), "basic": (3, 2), "premium": (6, 0), "family": (2, 0)}
    assert [p["slug"] for p in body["plans"]] == ["free", "basic", "premium", "family"]
    assert body["new_subscribers"] == 5  # A, B, E, G, K (R only moved plans)
    assert body["failed_payments"] == 2  # D, E
    # No Anthropic key here: the cap reads 0 (Claude is off), what was spent still shows.
    assert (body["claude_spent_usd"], body["claude_cap_usd"]) == (0.75, 0.0)
    # Active and past due on paid plans: premium x 6 (admin, A, D, K, M, R), family E,
    # basic L.
    assert (body["mrr_cents"], body["currency"]) == (6 * 1499 + 1999 + 999, "usd")

    # The plans table's CSV holds the same rows as the page.
    exported = client.get(f"{API}/export/plans.csv", params=RANGE, headers=admin)
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["slug"]: (int(r["subscribers"]), int(r["trials"])) for r in rows} == plans

    # A range that holds only M.
    earlier = {"start": (NOW - 5 * D).isoformat(), "end": (NOW - 3 * D).isoformat()}
    before = client.get(f"{API}/business", params=earlier, headers=admin).json()
    assert before["new_subscribers"] == 1
    assert before["failed_payments"] == 2  # past due now, whatever the range


def test_overview_watching_now_and_new_subscribers_per_period(
    client: TestClient, admin: dict[str, str]
) -> None:
    page = client.get(f"{API}/overview", params=RANGE | {"grain": "hour"}, headers=admin)
    assert page.status_code == 200, page.text
    body = page.json()
    # Seen within 2 minutes on a live login, or with no login: 30 s, 119 s and 5 s ago.
    assert body["watching_now"] == 3
    # A range wholly in the past is not cut; the one before it is as long (48 hours).
    assert datetime.fromisoformat(body["previous"]["start"]) == NOW - 5 * D
    assert (body["current"]["new_subscribers"], body["previous"]["new_subscribers"]) == (5, 1)
    assert body["mrr_cents"] == 6 * 1499 + 1999 + 999


def test_claude_cap_with_a_key(tmp_path: Path) -> None:
    ctx = build_api_context(
        tmp_path / "data", anthropic_api_key="sk-test", anthropic_monthly_cost_cap_usd=12.5
    )
    try:
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            page = client.get(f"{API}/business", headers=bearer(admin_token(ctx, client)))
            assert page.status_code == 200, page.text
            assert (page.json()["claude_spent_usd"], page.json()["claude_cap_usd"]) == (0.0, 12.5)
    finally:
        ctx.close()
