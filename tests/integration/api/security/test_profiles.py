"""Kids profiles and profile locks: maturity limits for every account, no account
actions from a kids profile, PINs (findings 6 and 7), and a refused title that names
nothing (finding 13)."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity, Title, Video
from kinema_api.accounts.services.profiles import PIN_WINDOW_S
from kinema_api.context import AppContext
from tests.integration.api.security.viewing import (
    kids_session,
    playable_video,
    subscribed_viewer,
)
from tests.utils.factories import admin_token, bearer, make_title

pytestmark = [pytest.mark.integration]


# --- 6, 7. kids profiles: maturity for everyone, no account actions, profile locks ----


def test_a_kids_profile_in_an_admin_account_sees_only_kids_titles(
    stack: AppContext, client: TestClient
) -> None:
    adult_video = playable_video(stack, maturity=Maturity.ADULT)
    h = kids_session(client, bearer(admin_token(stack, client)))
    with stack.sessions() as s:
        adult_title = s.get(Video, adult_video)
        assert adult_title is not None
        title_id = adult_title.title_id
    detail = client.get(f"/api/v1/titles/{title_id}", headers=h)
    assert detail.status_code == 403
    assert client.get(f"/api/v1/playback/{adult_video}", headers=h).status_code == 403
    listed = client.get("/api/v1/titles", headers=h).json()
    assert str(title_id) not in {t["id"] for t in listed}
    admin = client.get("/api/v1/admin/videos", headers=h)
    assert admin.status_code == 403


def test_a_kids_profile_cannot_act_for_the_account(stack: AppContext, client: TestClient) -> None:
    h = kids_session(client, subscribed_viewer(client))
    profile_id = client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"]
    refused = [
        client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h),
        client.post("/api/v1/billing/cancel", headers=h),
        client.get("/api/v1/billing/invoices", headers=h),
        client.get("/api/v1/auth/sessions", headers=h),
        client.delete(f"/api/v1/auth/sessions/{uuid.uuid4()}", headers=h),
        client.post("/api/v1/profiles", json={"name": "Another"}, headers=h),
        client.patch(f"/api/v1/profiles/{profile_id}", json={"max_maturity": "18+"}, headers=h),
        client.delete(f"/api/v1/profiles/{profile_id}", headers=h),
        client.put(
            f"/api/v1/profiles/{profile_id}/pin",
            json={"pin": "1234", "password": "correct horse"},
            headers=h,
        ),
    ]
    for resp in refused:
        assert resp.status_code == 403, (resp.request.url, resp.text)
        assert resp.json()["code"] == "kids_profile"


def test_a_locked_profile_needs_its_pin(stack: AppContext, client: TestClient) -> None:
    h = subscribed_viewer(client)
    parent = client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"]
    wrong_password = client.put(
        f"/api/v1/profiles/{parent}/pin", json={"pin": "2468", "password": "nope"}, headers=h
    )
    assert wrong_password.status_code == 403
    assert wrong_password.json()["code"] == "wrong_password"
    locked = client.put(
        f"/api/v1/profiles/{parent}/pin",
        json={"pin": "2468", "password": "correct horse"},
        headers=h,
    )
    assert locked.status_code == 200 and locked.json()["has_pin"] is True
    for bad in ("12", "abcd", "1234567"):
        resp = client.put(
            f"/api/v1/profiles/{parent}/pin",
            json={"pin": bad, "password": "correct horse"},
            headers=h,
        )
        assert resp.status_code == 422, bad
    kids_session(client, h)
    # The attack: from the kids profile, switch back to the parent's.
    no_pin = client.post(f"/api/v1/profiles/{parent}/select", headers=h)
    assert no_pin.status_code == 403 and no_pin.json()["code"] == "pin_required"
    wrong = client.post(f"/api/v1/profiles/{parent}/select", json={"pin": "1111"}, headers=h)
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_pin"
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["is_kids"] is True
    right = client.post(f"/api/v1/profiles/{parent}/select", json={"pin": "2468"}, headers=h)
    assert right.status_code == 200, right.text
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"] == parent
    listed = client.get("/api/v1/profiles", headers=h).json()
    assert [p["has_pin"] for p in listed] == [True, False]
    # Guessing is bounded per profile.
    _kids_back = next(p["id"] for p in listed if not p["has_pin"])
    assert client.post(f"/api/v1/profiles/{_kids_back}/select", headers=h).is_success

    def guesses() -> list[int]:
        return [
            client.post(
                f"/api/v1/profiles/{parent}/select", json={"pin": f"{n:04d}"}, headers=h
            ).status_code
            for n in range(12)
        ]

    # The count lives in fixed windows of PIN_WINDOW_S: guesses that straddle a window's
    # end start a new count, so a run that crossed one guesses once more.
    window = int(time.time() // PIN_WINDOW_S)
    codes = guesses()
    if int(time.time() // PIN_WINDOW_S) != window:
        codes = guesses()
    assert codes[-1] == 429


# --- 13. a refused title is not named -------------------------------------------------


def test_a_refused_title_detail_does_not_name_the_title(
    stack: AppContext, client: TestClient
) -> None:
    with stack.sessions() as s:
        title: Title = make_title(s, name="Secret Grown-up Film", maturity=Maturity.ADULT)
        s.commit()
        title_id = title.id
    h = kids_session(client, subscribed_viewer(client))
    resp = client.get(f"/api/v1/titles/{title_id}", headers=h)
    assert resp.status_code == 403
    assert "Secret Grown-up Film" not in resp.text
