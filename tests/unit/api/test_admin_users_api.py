"""Admin users: one user with plan and devices, disable and enable. Admins only; a
disabled account's sessions stop working at once (every device), it cannot log in, and
enabling it lets it log in again without bringing the old sessions back."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_playable_video, signup

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PASSWORD = "correct horse"


def _user_id(client: TestClient, headers: dict[str, str]) -> str:
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200, me.text
    return str(me.json()["id"])


def test_only_admins_read_and_write(client: TestClient, ctx: AppContext) -> None:
    viewer = bearer(signup(client))
    other = _user_id(client, bearer(signup(client)))
    for method, path, body in (
        ("GET", f"/api/v1/admin/users/{other}", None),
        ("PUT", f"/api/v1/admin/users/{other}/active", {"active": False}),
        ("GET", "/api/v1/admin/users", None),
    ):
        refused = client.request(method, path, json=body, headers=viewer)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden"
    admin = bearer(admin_token(ctx, client))
    assert client.get(f"/api/v1/admin/users/{uuid.uuid4()}", headers=admin).status_code == 404


def test_disable_signs_out_everywhere_and_enable_lets_in_again(
    client: TestClient, ctx: AppContext
) -> None:
    with ctx.sessions() as s:
        video_id = make_playable_video(s, ctx.store, duration_s=100).id
        s.commit()
    email = f"disable-{uuid.uuid4().hex[:6]}@example.com"
    phone = bearer(signup(client, email=email)) | {"User-Agent": FIREFOX}
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    laptop = bearer(login.json()["access_token"])
    user_id = _user_id(client, phone)
    assert client.get(f"/api/v1/playback/{video_id}", headers=laptop).status_code == 200
    admin = bearer(admin_token(ctx, client))

    detail = client.get(f"/api/v1/admin/users/{user_id}", headers=admin)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["user"]["email"] == email and body["user"]["plan"] == "free"
    assert body["user"]["active"] is True
    assert len(body["devices"]) == 2
    listed = client.get(f"/api/v1/admin/users?q={email}", headers=admin).json()
    assert [u["active"] for u in listed] == [True]

    off = client.put(f"/api/v1/admin/users/{user_id}/active", json={"active": False}, headers=admin)
    assert off.status_code == 200, off.text
    assert off.json()["user"]["active"] is False and off.json()["devices"] == []
    for headers in (phone, laptop):
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
        assert client.get(f"/api/v1/playback/{video_id}", headers=headers).status_code == 401
    again = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert again.status_code == 403

    on = client.put(f"/api/v1/admin/users/{user_id}/active", json={"active": True}, headers=admin)
    assert on.status_code == 200 and on.json()["user"]["active"] is True
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 401  # stays signed out
    back = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert back.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(back.json()["access_token"])).is_success

    # An admin cannot lock themselves out.
    admin_id = _user_id(client, admin)
    own = client.put(
        f"/api/v1/admin/users/{admin_id}/active", json={"active": False}, headers=admin
    )
    assert own.status_code == 409 and own.json()["code"] == "conflict"
