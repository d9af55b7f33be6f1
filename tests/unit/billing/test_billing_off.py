"""The embedded default, billing off: only an admin sets a plan, and no viewer request
reaches a paid plan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.catalog.models import Plan
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from tests.utils import stripe_events
from tests.utils.factories import (
    admin_token,
    bearer,
    build_api_context,
    make_playable_video,
    set_plan,
    signup,
)


def _me(client: TestClient, h: dict[str, str]) -> dict[str, object]:
    body: dict[str, object] = client.get("/api/v1/auth/me", headers=h).json()
    return body


def test_the_account_page_says_billing_is_off(client: TestClient) -> None:
    h = bearer(signup(client))
    body = client.get("/api/v1/billing", headers=h).json()
    assert body["enabled"] is False
    assert body["plan"]["slug"] == "free"
    assert body["entitlements"]["max_height"] == 480
    assert body["entitlements"]["standing"] == "free"  # not "active": nothing is billed
    assert body["subscription"] is None
    assert [p["slug"] for p in body["plans"]] == ["free", "basic", "premium", "family"]
    client.cookies.clear()  # signup set the session cookie too
    assert client.get("/api/v1/billing").status_code == 401


def test_a_viewer_has_no_way_to_a_paid_plan(client: TestClient) -> None:
    h = bearer(signup(client))
    me = _me(client, h)
    attempts = [
        client.put("/api/v1/auth/subscription", json={"plan": "premium"}, headers=h),
        client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h),
        client.post("/api/v1/billing/portal", headers=h),
        client.post("/api/v1/billing/cancel", headers=h),
        client.put(f"/api/v1/admin/users/{me['id']}/plan", json={"plan": "premium"}, headers=h),
        client.post(
            "/api/v1/billing/webhook",
            content=stripe_events.event(
                "customer.subscription.created",
                stripe_events.subscription(
                    "sub_free_ride",
                    status="active",
                    price_id="price_x",
                    metadata={"kinema_user_id": str(me["id"]), "kinema_plan_slug": "premium"},
                ),
                created=datetime.now(UTC),
            ),
            headers={"Stripe-Signature": "t=1,v1=00"},
        ),
    ]
    codes = [(r.status_code, r.json().get("code")) for r in attempts]
    assert codes == [
        (404, "not_found"),
        (409, "billing_off"),
        (409, "billing_off"),
        (409, "billing_off"),
        (403, "forbidden"),
        (409, "billing_off"),
    ]
    assert client.get("/api/v1/billing/invoices", headers=h).json() == []
    after = _me(client, h)
    assert after["plan"]["slug"] == "free"  # type: ignore[index]
    assert after["entitlements"]["max_height"] == 480  # type: ignore[index]


def test_an_admin_sets_a_plan_and_playback_follows(ctx: AppContext, client: TestClient) -> None:
    with ctx.sessions() as s:
        video_id = make_playable_video(s, ctx.store, duration_s=12).id
        s.commit()
    h = bearer(signup(client))
    first = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
    assert first["max_height"] == 480
    row = set_plan(ctx, client, h, "premium")
    assert (row["plan"], row["status"], row["standing"]) == ("premium", "active", "active")
    billing = client.get("/api/v1/billing", headers=h).json()
    assert billing["plan"]["slug"] == "premium"
    assert billing["subscription"]["plan"] == "premium"
    assert billing["subscription"]["current_period_end"] is None  # held until changed
    play = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
    master = client.get(play["hls_url"]).text
    heights = [v.height for v in manifests.variants(master) if not v.iframe]
    assert heights == [240, 480, 720, 1080]
    # And back: the free plan's cap applies to the next manifest of the same playback.
    row = set_plan(ctx, client, h, "free")
    assert (row["plan"], row["standing"]) == ("free", "free")
    assert "1080p" not in client.get(play["hls_url"]).text


def test_admin_plan_errors(ctx: AppContext, client: TestClient) -> None:
    admin = bearer(admin_token(ctx, client))
    h = bearer(signup(client))
    user_id = _me(client, h)["id"]
    unknown_plan = client.put(
        f"/api/v1/admin/users/{user_id}/plan", json={"plan": "gold"}, headers=admin
    )
    assert unknown_plan.status_code == 404
    unknown_user = client.put(
        f"/api/v1/admin/users/{uuid.uuid4()}/plan", json={"plan": "basic"}, headers=admin
    )
    assert unknown_user.status_code == 404
    assert _me(client, h)["plan"]["slug"] == "free"  # type: ignore[index]


def test_admin_lists_users_with_their_plans(ctx: AppContext, client: TestClient) -> None:
    admin = bearer(admin_token(ctx, client))
    ann = bearer(signup(client, email="ann.billing@example.com"))
    signup(client, email="bob.billing@example.com")
    set_plan(ctx, client, ann, "basic")
    found = client.get("/api/v1/admin/users", params={"q": "BILLING"}, headers=admin).json()
    assert [(u["email"], u["plan"], u["role"]) for u in found] == [
        ("ann.billing@example.com", "basic", "viewer"),
        ("bob.billing@example.com", "free", "viewer"),
    ]
    assert len(client.get("/api/v1/admin/users", params={"limit": 1}, headers=admin).json()) == 1
    # A literal % matches only itself.
    assert client.get("/api/v1/admin/users", params={"q": "%"}, headers=admin).json() == []
    viewer = client.get("/api/v1/admin/users", headers=ann)
    assert viewer.status_code == 403


def test_stats_count_subscribers_and_revenue(ctx: AppContext, client: TestClient) -> None:
    admin = bearer(admin_token(ctx, client))  # the admin account is on premium
    for plan in ("basic", "basic", "premium", "free"):
        set_plan(ctx, client, bearer(signup(client)), plan, admin=admin)
    stats = client.get("/api/v1/admin/billing/stats", headers=admin).json()
    counts = {p["slug"]: p["subscribers"] for p in stats["plans"]}
    assert counts == {"free": 1, "basic": 2, "premium": 2, "family": 0}
    assert (stats["mrr_cents"], stats["currency"]) == (2 * 999 + 2 * 1499, "usd")
    assert stats["churn"]["at_start"] == 0 and stats["churn"]["rate"] == 0
    for month in ("2026-13", "0000-01", "9999-12"):
        bad = client.get("/api/v1/admin/billing/stats", params={"month": month}, headers=admin)
        assert bad.status_code == 422, month


def test_billing_on_without_a_public_url_says_what_to_set(tmp_path: Path) -> None:
    """Checkout needs an address to send viewers back to; nothing reaches Stripe first
    (its address here answers nothing)."""
    ctx = build_api_context(
        tmp_path / "data",
        stripe_api_key="sk_test_unused",
        stripe_api_base="http://127.0.0.1:9",
    )
    try:
        with ctx.sessions() as s:
            s.execute(update(Plan).where(Plan.slug == "premium").values(stripe_price_id="price_p"))
            s.commit()
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = bearer(signup(client))
            assert client.get("/api/v1/billing", headers=h).json()["enabled"] is True
            for path, body in (("checkout", {"plan": "premium"}), ("portal", None)):
                resp = client.post(f"/api/v1/billing/{path}", json=body, headers=h)
                assert (resp.status_code, resp.json()["code"]) == (409, "public_url_unset"), path
                assert "KINEMA_PUBLIC_URL" in resp.json()["detail"]
    finally:
        ctx.close()
