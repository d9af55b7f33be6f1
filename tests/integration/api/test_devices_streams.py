"""Devices and concurrent streams over HTTP, against PostgreSQL and Redis: each browser
is its own HTTP client with its own session cookie, as the web app runs in two tabs of
two browsers."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kinema.catalog.services import accounts
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import build_api_context, live_server, make_playable_video

pytestmark = pytest.mark.integration

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
PASSWORD = "correct horse"


@pytest.fixture
def ctx(tmp_path: Path, pg_url: str, redis_url: str) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data", database_url=pg_url, redis_url=redis_url)
    yield context
    context.close()


@pytest.fixture
def base_url(ctx: AppContext) -> Iterator[str]:
    with live_server(create_app(context=ctx, web_dist=None)) as url:
        yield url


@pytest.fixture
def video_id(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store)
        s.commit()
        return video.id


class Browser:
    """One browser: a cookie jar, a User-Agent and the web app's stable device id."""

    def __init__(self, base_url: str, user_agent: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"User-Agent": user_agent})
        self.device_id = f"web-{uuid.uuid4().hex}"

    def sign_in(self, email: str, *, new: bool = False) -> None:
        body = {"email": email, "password": PASSWORD, "device_id": self.device_id}
        resp = self.http.post(f"/api/v1/auth/{'signup' if new else 'login'}", json=body)
        assert resp.status_code in (200, 201), resp.text

    def play(self, video_id: uuid.UUID) -> httpx.Response:
        return self.http.get(f"/api/v1/playback/{video_id}")

    def me(self) -> dict[str, Any]:
        return dict(self.http.get("/api/v1/auth/me").json())

    def device(self) -> str:
        """This browser's id in the Devices API."""
        listed = self.http.get("/api/v1/devices").json()
        return str(next(d["id"] for d in listed if d["current"]))


@pytest.fixture
def browsers(base_url: str) -> Iterator[list[Browser]]:
    made = [Browser(base_url, ua) for ua in (CHROME_LINUX, FIREFOX_WINDOWS, SAFARI_IPHONE)]
    yield made
    for browser in made:
        browser.http.close()


def account(ctx: AppContext, browsers: list[Browser], plan: str = "free") -> str:
    """One account signed in on every browser; returns its email."""
    email = f"viewer-{uuid.uuid4().hex[:10]}@example.com"
    browsers[0].sign_in(email, new=True)
    for browser in browsers[1:]:
        browser.sign_in(email)
    if plan != "free":
        with ctx.sessions() as s:
            user = accounts.find_user_by_email(s, email=email)
            assert user is not None
            accounts.subscribe(s, user_id=user.id, plan_slug=plan)
            s.commit()
    return email


def test_one_device_plan_on_two_browsers(
    ctx: AppContext, browsers: list[Browser], video_id: uuid.UUID
) -> None:
    laptop, desktop, _ = browsers
    account(ctx, browsers)  # Free: one device streams
    assert laptop.play(video_id).status_code == 200
    refused = desktop.play(video_id)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_streams"
    assert "Chrome on Linux" in refused.json()["detail"]
    assert [(s["device_id"], s["device_name"]) for s in refused.json()["streams"]] == [
        (laptop.device(), "Chrome on Linux")
    ]
    # The laptop's tab closes: navigator.sendBeacon posts a text/plain body with the cookie.
    beacon = laptop.http.post(
        f"/api/v1/playback/{video_id}/stop",
        content=b"",
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert beacon.status_code == 204
    assert desktop.play(video_id).status_code == 200
    renew = laptop.http.post(f"/api/v1/playback/{video_id}/renew")
    assert renew.status_code == 429
    assert [s["device_name"] for s in renew.json()["streams"]] == ["Firefox on Windows"]


def test_one_profile_on_two_devices_is_two_streams(
    ctx: AppContext, browsers: list[Browser], video_id: uuid.UUID
) -> None:
    account(ctx, browsers, plan="basic")  # two devices
    first, second, third = browsers
    profile = first.me()["profile"]
    assert second.me()["profile"]["id"] == profile["id"]
    assert first.play(video_id).status_code == 200
    assert second.play(video_id).status_code == 200
    # Reopening the player on a device already streaming is the same stream.
    assert first.play(video_id).status_code == 200
    refused = third.play(video_id)
    assert refused.status_code == 429
    holders = refused.json()["streams"]
    assert sorted(s["device_name"] for s in holders) == ["Chrome on Linux", "Firefox on Windows"]
    assert {s["profile"] for s in holders} == {profile["name"]}


def test_stopping_playback_on_another_device_frees_its_slot(
    ctx: AppContext, browsers: list[Browser], video_id: uuid.UUID
) -> None:
    account(ctx, browsers)
    tv, desktop, _ = browsers
    assert tv.play(video_id).status_code == 200
    assert desktop.play(video_id).status_code == 429
    tv_id = tv.device()
    renamed = desktop.http.patch(f"/api/v1/devices/{tv_id}", json={"name": "Living room TV"})
    assert renamed.json()["name"] == "Living room TV"
    streaming = next(d for d in desktop.http.get("/api/v1/devices").json() if d["id"] == tv_id)
    assert streaming["streaming"]["video_id"] == str(video_id)
    stop = desktop.http.post(f"/api/v1/devices/{tv_id}/stop-playback")
    assert stop.status_code == 204
    assert desktop.play(video_id).status_code == 200
    # The TV's next renewal learns it lost the slot, and to whom.
    renew = tv.http.post(f"/api/v1/playback/{video_id}/renew")
    assert renew.status_code == 429
    assert [s["device_name"] for s in renew.json()["streams"]] == ["Firefox on Windows"]


def test_signing_a_device_out_ends_its_session_and_stream(
    ctx: AppContext, browsers: list[Browser], video_id: uuid.UUID
) -> None:
    account(ctx, browsers)
    tv, phone, _ = browsers
    play = tv.play(video_id)
    assert play.status_code == 200
    # The TV's player has read its manifest: the session's state is cached in Redis.
    assert tv.http.get(play.json()["hls_url"]).status_code == 200
    assert phone.http.delete(f"/api/v1/devices/{tv.device()}").status_code == 204
    assert tv.http.get("/api/v1/auth/me").status_code == 401
    assert tv.http.get(play.json()["hls_url"]).status_code == 401
    assert tv.http.post(f"/api/v1/playback/{video_id}/stop").status_code == 401
    assert phone.play(video_id).status_code == 200
    assert len(phone.http.get("/api/v1/devices").json()) == 2


def test_devices_starting_at_once_never_exceed_the_plan(
    ctx: AppContext, browsers: list[Browser], video_id: uuid.UUID
) -> None:
    account(ctx, browsers)  # one device streams

    def race() -> list[int]:
        start = threading.Barrier(len(browsers))
        statuses: list[int] = []

        def play(browser: Browser) -> None:
            start.wait()
            statuses.append(browser.play(video_id).status_code)

        threads = [threading.Thread(target=play, args=(b,)) for b in browsers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        return sorted(statuses)

    for _ in range(3):
        assert race() == [200, 429, 429]
        for browser in browsers:
            browser.http.post(f"/api/v1/playback/{video_id}/stop")
