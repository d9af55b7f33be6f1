"""Profiles within the plan: after a downgrade the extra profiles stay readable but only
the plan's count may be picked; deleting keeps a profile that can manage the account."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kinema.catalog.services import accounts
from kinema_api.context import AppContext
from tests.utils.factories import bearer, make_playable_video, signup


def set_plan(ctx: AppContext, h: dict[str, str], client: TestClient, slug: str) -> None:
    email = client.get("/api/v1/auth/me", headers=h).json()["email"]
    with ctx.sessions() as s:
        user = accounts.find_user_by_email(s, email=email)
        assert user is not None
        accounts.subscribe(s, user_id=user.id, plan_slug=slug)
        s.commit()


def profiles(client: TestClient, h: dict[str, str]) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/profiles", headers=h)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def test_a_downgrade_keeps_extra_profiles_readable_but_not_selectable(
    ctx: AppContext, client: TestClient
) -> None:
    h = bearer(signup(client))
    set_plan(ctx, h, client, "family")  # six profiles
    for name in ("B", "C", "D"):
        created = client.post("/api/v1/profiles", json={"name": name}, headers=h)
        assert created.status_code == 201, created.text
        assert created.json()["selectable"] is True
    listed = profiles(client, h)
    names = [p["name"] for p in listed]
    d = listed[3]
    assert client.post(f"/api/v1/profiles/{d['id']}/select", headers=h).status_code == 200
    with ctx.sessions() as s:
        vid = make_playable_video(s, ctx.store).id
        s.commit()
    set_plan(ctx, h, client, "basic")  # two profiles
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me["entitlements"]["profiles"] == 2
    listed = profiles(client, h)
    assert [p["name"] for p in listed] == names  # all still there, oldest first
    assert [p["selectable"] for p in listed] == [True, True, False, False]
    # This session was watching as D: it stays D (no silent switch), but D cannot play.
    assert (me["profile"]["name"], me["profile"]["selectable"]) == ("D", False)
    refused = client.get(f"/api/v1/playback/{vid}", headers=h)
    assert refused.status_code == 403
    assert refused.json()["code"] == "profile_over_plan"
    # Picking an extra profile is refused; picking an allowed one plays.
    over = client.post(f"/api/v1/profiles/{listed[2]['id']}/select", headers=h)
    assert over.status_code == 403
    assert over.json()["code"] == "profile_over_plan"
    assert "Basic" in over.json()["detail"]
    picked = client.post(f"/api/v1/profiles/{listed[1]['id']}/select", headers=h)
    assert picked.status_code == 200
    assert picked.json()["selectable"] is True
    assert client.get(f"/api/v1/playback/{vid}", headers=h).status_code == 200
    # Extra profiles can still be edited; adding one says how many to delete.
    renamed = client.patch(f"/api/v1/profiles/{d['id']}", json={"name": "Dee"}, headers=h)
    assert renamed.status_code == 200
    assert renamed.json()["selectable"] is False
    more = client.post("/api/v1/profiles", json={"name": "E"}, headers=h)
    assert more.status_code == 409
    assert "allows 2 profile(s) and this account has 4; delete 3" in more.json()["detail"]
    # Deleting an allowed profile makes the next one selectable.
    assert client.delete(f"/api/v1/profiles/{listed[0]['id']}", headers=h).status_code == 200
    assert [p["selectable"] for p in profiles(client, h)] == [True, True, False]


def test_deleting_profiles_keeps_one_that_manages_the_account(
    ctx: AppContext, client: TestClient
) -> None:
    h = bearer(signup(client))
    only = profiles(client, h)[0]
    last = client.delete(f"/api/v1/profiles/{only['id']}", headers=h)
    assert last.status_code == 409
    assert "at least one profile" in last.json()["detail"]
    set_plan(ctx, h, client, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
    adult = client.delete(f"/api/v1/profiles/{only['id']}", headers=h)
    assert adult.status_code == 409
    assert "last profile that is not a kids profile" in adult.json()["detail"]
    # With another adult profile, the one in use may go: this session moves on.
    partner = client.post("/api/v1/profiles", json={"name": "Partner"}, headers=h).json()
    assert client.delete(f"/api/v1/profiles/{only['id']}", headers=h).status_code == 200
    me = client.get("/api/v1/auth/me", headers=h)
    assert me.status_code == 200
    assert me.json()["profile"]["id"] in (kid.json()["id"], partner["id"])
    assert [p["name"] for p in profiles(client, h)] == ["Kid", "Partner"]


def test_a_session_whose_profile_went_avoids_locked_profiles(
    ctx: AppContext, client: TestClient
) -> None:
    token = signup(client)
    h = bearer(token)
    set_plan(ctx, h, client, "family")
    first = profiles(client, h)[0]
    locked = client.put(
        f"/api/v1/profiles/{first['id']}/pin",
        json={"pin": "1234", "password": "correct horse"},
        headers=h,
    )
    assert locked.status_code == 200, locked.text
    guest = client.post("/api/v1/profiles", json={"name": "Guest"}, headers=h).json()
    spare = client.post("/api/v1/profiles", json={"name": "Spare"}, headers=h).json()
    assert client.post(f"/api/v1/profiles/{spare['id']}/select", headers=h).status_code == 200
    assert client.delete(f"/api/v1/profiles/{spare['id']}", headers=h).status_code == 200
    # Not the oldest profile (locked with a PIN): the first one without a PIN.
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"] == guest["id"]
