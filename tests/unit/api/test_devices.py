"""Devices: named at sign-in, listed with what they stream, renamed, stopped, signed out;
and the stream limit counted per device, with a 429 that names the devices streaming."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.catalog.models import Maturity, Plan
from kinema.catalog.services import accounts
from kinema_api.accounts.services.user_agents import device_name
from kinema_api.context import AppContext
from kinema_api.errors import ApiError
from tests.utils.factories import bearer, make_playable_video, make_title, signup

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
PASSWORD = "correct horse"


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Firefox on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
            "like Gecko) Version/17.4 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/90.0.4430.225 Safari/537.36 CrKey/1.56.500000",
            "Chromecast",
        ),
        ("Mozilla/5.0 (Linux; U; Android 9)", "Android device"),
        ("curl/8.5.0", "curl"),
        ("python-httpx/0.27.0", "python-httpx"),
        ("", "Unknown device"),
        ("Mozilla/5.0 (compatible)", "Unknown device"),
    ],
)
def test_device_name_from_user_agent(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


def test_api_errors_carry_extra_fields_beside_detail_and_code() -> None:
    err = ApiError("nope", extra={"streams": [1], "code": "ignored", "detail": "ignored"})
    assert err.body() == {"streams": [1], "detail": "nope", "code": "error"}


def login(
    client: TestClient,
    email: str,
    *,
    device_id: str | None = None,
    name: str = "",
    user_agent: str = CHROME_LINUX,
) -> str:
    body: dict[str, Any] = {"email": email, "password": PASSWORD, "device_name": name}
    if device_id is not None:
        body["device_id"] = device_id
    resp = client.post("/api/v1/auth/login", json=body, headers={"User-Agent": user_agent})
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def account(client: TestClient) -> tuple[str, dict[str, str]]:
    """A new account; its email and its first device's headers."""
    token = signup(client)
    email = str(client.get("/api/v1/auth/me", headers=bearer(token)).json()["email"])
    return email, bearer(token)


def devices(client: TestClient, h: dict[str, str]) -> list[dict[str, Any]]:
    resp = client.get("/api/v1/devices", headers=h)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def set_plan(ctx: AppContext, email: str, slug: str, *, devices: int | None = None) -> None:
    with ctx.sessions() as s:
        if devices is not None:
            s.execute(update(Plan).where(Plan.slug == slug).values(concurrent_streams=devices))
        user = accounts.find_user_by_email(s, email=email)
        assert user is not None
        accounts.subscribe(s, user_id=user.id, plan_slug=slug)
        s.commit()


def video(ctx: AppContext, *, maturity: Maturity = Maturity.TEEN, name: str = "") -> uuid.UUID:
    with ctx.sessions() as s:
        title = make_title(s, maturity=maturity, name=name or None)
        video_id = make_playable_video(s, ctx.store, title=title).id
        s.commit()
        return video_id


def test_signing_in_names_the_device_and_replaces_its_earlier_session(
    client: TestClient,
) -> None:
    email, _ = account(client)
    laptop = "laptop-0123456789abcdef"
    first = login(client, email, device_id=laptop)
    mine = [d for d in devices(client, bearer(first)) if d["current"]]
    assert [d["name"] for d in mine] == ["Chrome on Linux"]
    assert mine[0]["user_agent"] == CHROME_LINUX
    assert mine[0]["streaming"] is None
    renamed = client.patch(
        f"/api/v1/devices/{mine[0]['id']}", json={"name": "  Ana's laptop "}, headers=bearer(first)
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Ana's laptop"
    # Signing in again on that device signs its earlier session out, keeping its name.
    again = login(client, email, device_id=laptop, user_agent=SAFARI_IPHONE)
    assert client.get("/api/v1/auth/me", headers=bearer(first)).status_code == 401
    listed = devices(client, bearer(again))
    assert [d["name"] for d in listed if d["current"]] == ["Ana's laptop"]
    assert len(listed) == 2  # the signup's session is another device
    # Another device with a name of its own.
    login(client, email, device_id="tv-0123456789abcdef", name="Living room")
    assert sorted(d["name"] for d in devices(client, bearer(again))) == [
        "Ana's laptop",
        "Living room",
        "testclient",
    ]


@pytest.mark.parametrize(
    "extra",
    [
        {"device_id": "short"},
        {"device_id": "has spaces in it 0123"},
        {"device_id": "x" * 65},
        {"device_name": "n" * 61},
    ],
)
def test_device_fields_are_validated(client: TestClient, extra: dict[str, str]) -> None:
    email, _ = account(client)
    resp = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD, **extra})
    assert resp.status_code == 422, resp.text
    signed = client.post(
        "/api/v1/auth/signup",
        json={"email": f"x{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD, **extra},
    )
    assert signed.status_code == 422


def test_devices_are_the_account_holders_own(ctx: AppContext, client: TestClient) -> None:
    email, h = account(client)
    _, stranger = account(client)
    tv = login(client, email, name="TV")
    tv_id = next(d["id"] for d in devices(client, h) if d["name"] == "TV")
    for method, path, body in [
        ("PATCH", f"/api/v1/devices/{tv_id}", {"name": "mine now"}),
        ("POST", f"/api/v1/devices/{tv_id}/stop-playback", None),
        ("DELETE", f"/api/v1/devices/{tv_id}", None),
        ("PATCH", f"/api/v1/devices/{uuid.uuid4()}", {"name": "ghost"}),
    ]:
        resp = client.request(method, path, json=body, headers=stranger)
        assert resp.status_code == 404, (method, path, resp.text)
    assert client.get("/api/v1/auth/me", headers=bearer(tv)).status_code == 200
    for name in ("", "   ", "n" * 61):
        bad = client.patch(f"/api/v1/devices/{tv_id}", json={"name": name}, headers=h)
        assert bad.status_code == 422, name
    # A kids profile manages no devices.
    set_plan(ctx, email, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h).json()
    assert client.post(f"/api/v1/profiles/{kid['id']}/select", headers=h).status_code == 200
    for method, path in [
        ("GET", "/api/v1/devices"),
        ("POST", f"/api/v1/devices/{tv_id}/stop-playback"),
        ("DELETE", f"/api/v1/devices/{tv_id}"),
    ]:
        resp = client.request(method, path, headers=h)
        assert resp.status_code == 403, (method, path)
        assert resp.json()["code"] == "kids_profile"


def test_signing_a_device_out(ctx: AppContext, client: TestClient) -> None:
    email, h = account(client)  # Free: one device streams
    vid = video(ctx)
    tv = bearer(login(client, email, name="TV"))
    play = client.get(f"/api/v1/playback/{vid}", headers=tv)
    assert play.status_code == 200, play.text
    tv_id = next(d["id"] for d in devices(client, h) if d["name"] == "TV")
    assert next(d for d in devices(client, h) if d["id"] == tv_id)["streaming"] is not None
    assert client.delete(f"/api/v1/devices/{tv_id}", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=tv).status_code == 401
    assert client.get(play.json()["hls_url"]).status_code == 401
    assert tv_id not in [d["id"] for d in devices(client, h)]
    # Its stream ended with it: this device may play.
    assert client.get(f"/api/v1/playback/{vid}", headers=h).status_code == 200
    assert client.delete(f"/api/v1/devices/{tv_id}", headers=h).status_code == 404
    # The older sessions API still signs devices out.
    phone = bearer(login(client, email, name="Phone"))
    phone_id = next(s["id"] for s in client.get("/api/v1/auth/sessions", headers=h).json()
                    if s["device_name"] == "Phone")  # fmt: skip
    assert client.delete(f"/api/v1/auth/sessions/{phone_id}", headers=h).status_code == 200
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 401


def test_over_the_limit_names_the_devices_and_stopping_one_frees_it(
    ctx: AppContext, client: TestClient
) -> None:
    email, _ = account(client)  # Free: one device streams
    vid = video(ctx, name="Night Train")
    laptop = bearer(login(client, email))
    tv = bearer(login(client, email, name="TV"))
    assert client.get(f"/api/v1/playback/{vid}", headers=laptop).status_code == 200
    laptop_id = next(d["id"] for d in devices(client, laptop) if d["current"])
    profile = client.get("/api/v1/auth/me", headers=laptop).json()["profile"]["name"]
    refused = client.get(f"/api/v1/playback/{vid}", headers=tv)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "too_many_streams"
    assert "1 stream" in body["detail"] and "Chrome on Linux" in body["detail"]
    assert body["streams"] == [
        {
            "device_id": laptop_id,
            "device_name": "Chrome on Linux",
            "title": "Night Train",
            "profile": profile,
        }
    ]
    listed = {d["id"]: d for d in devices(client, tv)}
    streaming = listed[laptop_id]["streaming"]
    assert (streaming["video_id"], streaming["title"]) == (str(vid), "Night Train")
    stopped = client.post(f"/api/v1/devices/{laptop_id}/stop-playback", headers=tv)
    assert stopped.status_code == 204 and stopped.content == b""
    assert client.get(f"/api/v1/playback/{vid}", headers=tv).status_code == 200
    # The stopped device lost its lease: its renewal is refused while the TV plays.
    renew = client.post(f"/api/v1/playback/{vid}/renew", headers=laptop)
    assert renew.status_code == 429
    assert [s["device_name"] for s in renew.json()["streams"]] == ["TV"]


def test_the_refusal_hides_titles_above_the_asking_profile(
    ctx: AppContext, client: TestClient
) -> None:
    email, h = account(client)
    set_plan(ctx, email, "family", devices=1)
    vid = video(ctx, maturity=Maturity.ADULT, name="Grim Night")
    tv = bearer(login(client, email, name="TV"))
    assert client.get(f"/api/v1/playback/{vid}", headers=h).status_code == 200
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h).json()
    client.post(f"/api/v1/profiles/{kid['id']}/select", headers=tv)
    kids_video = video(ctx, maturity=Maturity.ALL)
    refused = client.get(f"/api/v1/playback/{kids_video}", headers=tv)
    assert refused.status_code == 429
    assert [s["title"] for s in refused.json()["streams"]] == [None]
    assert "Grim Night" not in refused.text


def test_the_player_stopping_frees_the_slot(ctx: AppContext, client: TestClient) -> None:
    """The web app's ``navigator.sendBeacon`` on ``pagehide``: a POST with the session
    cookie and a text/plain body."""
    email = f"beacon{uuid.uuid4().hex[:8]}@example.com"
    signup(client, email=email)  # the client keeps this device's session cookie
    vid, other = video(ctx), video(ctx)
    # Another browser: its own client, so this one keeps its cookie.
    tv = bearer(login(TestClient(client.app), email, name="TV"))
    assert client.get(f"/api/v1/playback/{vid}", headers=tv).status_code == 200
    # The TV plays; this device's late beacon for a video it is not playing is harmless.
    assert client.get(f"/api/v1/playback/{vid}").status_code == 429
    beacon = client.post(
        f"/api/v1/playback/{vid}/stop", content=b"", headers={"Content-Type": "text/plain"}
    )
    assert beacon.status_code == 204
    assert client.get(f"/api/v1/playback/{vid}").status_code == 429
    # The TV's player closing (a beacon of another video first, then its own) frees it.
    assert client.post(f"/api/v1/playback/{other}/stop", headers=tv).status_code == 204
    assert client.get(f"/api/v1/playback/{vid}").status_code == 429
    closed = client.post(
        f"/api/v1/playback/{vid}/stop",
        content=b"pagehide",
        headers={**tv, "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert closed.status_code == 204
    assert client.get(f"/api/v1/playback/{vid}").status_code == 200
    client.cookies.clear()
    assert client.post(f"/api/v1/playback/{vid}/stop").status_code == 401


def test_logout_ends_the_devices_stream(ctx: AppContext, client: TestClient) -> None:
    email, h = account(client)
    vid = video(ctx)
    tv = bearer(login(client, email, name="TV"))
    assert client.get(f"/api/v1/playback/{vid}", headers=tv).status_code == 200
    assert client.get(f"/api/v1/playback/{vid}", headers=h).status_code == 429
    assert client.post("/api/v1/auth/logout", headers=tv).status_code == 200
    assert client.get(f"/api/v1/playback/{vid}", headers=h).status_code == 200


def test_openapi_documents_the_stream_limit(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/playback/{video_id}", "get"),
        ("/api/v1/playback/{video_id}/renew", "post"),
    ]:
        ref = paths[path][method]["responses"]["429"]["content"]["application/json"]["schema"]
        assert ref["$ref"].endswith("/TooManyStreamsPublic")
    holder = doc["components"]["schemas"]["StreamHolder"]["properties"]
    assert set(holder) == {"device_id", "device_name", "title", "profile"}
    assert "204" in paths["/api/v1/playback/{video_id}/stop"]["post"]["responses"]
    assert "204" in paths["/api/v1/devices/{device_id}/stop-playback"]["post"]["responses"]
    assert set(paths["/api/v1/devices/{device_id}"]) == {"patch", "delete"}
