from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api import cache as cache_module
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import app_context, bearer, build_api_context, set_plan, signup


def test_signup_login_me_logout(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/auth/signup",
        json={"email": "Ann@Example.com", "password": "long enough", "display_name": "Ann"},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["user"]["email"] == "ann@example.com"
    assert body["user"]["role"] == "viewer"
    assert body["user"]["plan"]["slug"] == "free"
    assert body["user"]["profile"]["name"] == "Ann"
    cookie = resp.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie

    login = client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": "long enough"}
    )
    assert login.status_code == 200
    token = login.json()["access_token"]
    assert client.get("/api/v1/auth/me", headers=bearer(token)).json()["email"] == (
        "ann@example.com"
    )
    sessions = client.get("/api/v1/auth/sessions", headers=bearer(token)).json()
    assert len(sessions) == 2
    assert sum(s["current"] for s in sessions) == 1
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 401


def test_cookie_session(client: TestClient) -> None:
    signup(client, email="cookie@example.com")
    # TestClient keeps the httpOnly cookie like a browser would.
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "cookie@example.com"
    client.post("/api/v1/auth/logout")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_bad_credentials_and_input(client: TestClient) -> None:
    signup(client, email="bob@example.com", password="right password")
    cases = [
        ({"email": "bob@example.com", "password": "wrong password"}, 401),
        ({"email": "nobody@example.com", "password": "whatever1"}, 401),
        ({"email": "not-an-email", "password": "whatever1"}, 422),
        ({"email": "bob@example.com"}, 422),
        ({"email": "bob@example.com", "password": ""}, 422),
    ]
    for body, status in cases:
        resp = client.post("/api/v1/auth/login", json=body)
        assert resp.status_code == status, (body, resp.text)
        assert resp.json()["detail"]
    dup = client.post(
        "/api/v1/auth/signup", json={"email": "BOB@example.com", "password": "another one"}
    )
    assert dup.status_code == 409
    assert "already exists" in dup.json()["detail"]
    short = client.post("/api/v1/auth/signup", json={"email": "c@example.com", "password": "short"})
    assert short.status_code == 422
    assert "password" in short.json()["detail"]
    assert client.post("/api/v1/auth/login", content=b"{not json").status_code == 422
    client.cookies.clear()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        resp = client.get("/api/v1/auth/me", headers=headers)
        assert resp.status_code == 401


def test_revoke_other_device(client: TestClient) -> None:
    first = signup(client, email="dev@example.com")
    second = client.post(
        "/api/v1/auth/login",
        json={"email": "dev@example.com", "password": "correct horse", "device_name": "TV"},
    ).json()["access_token"]
    sessions = client.get("/api/v1/auth/sessions", headers=bearer(first)).json()
    tv = next(s for s in sessions if s["device_name"] == "TV")
    assert client.delete(
        f"/api/v1/auth/sessions/{tv['id']}", headers=bearer(first)
    ).status_code == (200)
    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 401
    again = client.delete(f"/api/v1/auth/sessions/{tv['id']}", headers=bearer(first))
    assert again.status_code == 404


class _OneMinute:
    """The in-process cache's clock held in one rate-limit window (five logins on a
    loaded machine may otherwise straddle a minute boundary and start a new window)."""

    def __init__(self) -> None:
        self.at = time.time()

    def time(self) -> float:
        return self.at

    def monotonic(self) -> float:
        return time.monotonic()


def test_login_rate_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "time", _OneMinute())
    ctx: AppContext = build_api_context(tmp_path, auth_rate_limit_per_min=3)
    try:
        with TestClient(create_app(context=ctx, web_dist=None)) as c:
            statuses = [
                c.post(
                    "/api/v1/auth/login", json={"email": "x@example.com", "password": "nope1234"}
                ).status_code
                for _ in range(5)
            ]
            assert statuses[:3] == [401, 401, 401]
            assert statuses[3:] == [429, 429]
            limited = c.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "a"})
            assert limited.headers["Retry-After"] == "60"
    finally:
        ctx.close()


def test_profiles_plan_limits_and_kids(client: TestClient) -> None:
    token = signup(client)
    h = bearer(token)
    # Free allows one profile.
    resp = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
    assert resp.status_code == 409
    assert "1 profile" in resp.json()["detail"]
    assert client.get("/api/v1/auth/plans").json()[0]["slug"] == "free"
    # No viewer path to a plan: the old self-service switch is gone.
    gone = client.put("/api/v1/auth/subscription", json={"plan": "family"}, headers=h)
    assert gone.status_code in (404, 405)
    assert set_plan(app_context(client), client, h, "family")["plan"] == "family"
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
    assert kid.status_code == 201, kid.text
    assert kid.json()["max_maturity"] == "7+"
    bad = client.post(
        "/api/v1/profiles",
        json={"name": "Kid2", "is_kids": True, "max_maturity": "18+"},
        headers=h,
    )
    assert bad.status_code == 409
    dup = client.post("/api/v1/profiles", json={"name": "Kid"}, headers=h)
    assert dup.status_code == 409
    assert client.post("/api/v1/profiles", json={"name": "  "}, headers=h).status_code == 422
    kid_id = kid.json()["id"]
    selected = client.post(f"/api/v1/profiles/{kid_id}/select", headers=h)
    assert selected.status_code == 200
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"] == kid_id
    # Managing profiles is for an adult profile (a kids profile is refused: see
    # tests/integration/api/security/test_profiles.py).
    adult = client.get("/api/v1/profiles", headers=h).json()[0]["id"]
    assert client.post(f"/api/v1/profiles/{adult}/select", headers=h).status_code == 200
    renamed = client.patch(f"/api/v1/profiles/{kid_id}", json={"name": "Junior"}, headers=h)
    assert renamed.json()["name"] == "Junior"
    profiles = client.get("/api/v1/profiles", headers=h).json()
    assert [p["name"] for p in profiles][1] == "Junior"
    assert client.delete(f"/api/v1/profiles/{kid_id}", headers=h).status_code == 200
    last = profiles[0]["id"]
    assert client.delete(f"/api/v1/profiles/{last}", headers=h).status_code == 409
    other = signup(client)
    assert client.post(f"/api/v1/profiles/{last}/select", headers=bearer(other)).status_code == 404
    assert client.patch("/api/v1/profiles/not-a-uuid", json={}, headers=h).status_code == 422
