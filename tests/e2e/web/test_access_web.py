"""Who may watch, in Chromium against a real ``kinema up``: the player renews its
short-lived stream token while it plays and keeps playing past the first token's expiry;
a session signed out elsewhere stops playback with a message that says so; a profile
locked with a PIN asks for it; a kids profile sees no account management.

The stack runs with ``KINEMA_PLAYBACK_URL_TTL_S=60`` (the shortest lifetime the API
accepts), so the first renewal comes 30 s into playback and the first token has expired
a minute in. It is a stack of its own: these tests add profiles and revoke sessions,
which the session stack's tests must not see.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.web import webapp
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

TTL_S = 60
CLIP_S = 90
SEGMENT = re.compile(r"/api/v1/stream/([^/]+)/.+\.m4s(\?|$)")


@dataclass(frozen=True)
class AccessStack:
    up: webapp.KinemaUp
    base: str
    video: dict[str, Any]


@pytest.fixture(scope="module")
def access(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccessStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-access")
    clip = webapp.make_clip(root / "media" / "long-night.mp4", seconds=CLIP_S)
    up = webapp.KinemaUp(
        data_dir=root / "data",
        port=free_port(),
        ingest=[clip],
        env={"KINEMA_PLAYBACK_URL_TTL_S": str(TTL_S)},
    )
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            video = webapp.wait_ready(admin)[0]
            r = admin.patch(
                f"/api/v1/admin/videos/{video['id']}",
                json={"title": "The Long Night", "published": True},
            )
            assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield AccessStack(up=up, base=up.base, video=video)
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _sign_in(page: Page, base: str) -> None:
    """Sign in and stop at the profile picker."""
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(webapp.ADMIN_EMAIL)
    page.get_by_label("Password").fill(webapp.ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/profiles**")


def _create_profile(stack: AccessStack, name: str, *, kids: bool = False) -> dict[str, Any]:
    admin = stack.up.admin()
    try:
        r = admin.post("/api/v1/profiles", json={"name": name, "is_kids": kids})
        assert r.status_code in (200, 201), r.text
        profile: dict[str, Any] = r.json()
        return profile
    finally:
        admin.close()


def _video_time(page: Page) -> float:
    return float(page.evaluate("() => document.querySelector('video').currentTime"))


def _wait_until(page: Page, check: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        page.wait_for_timeout(250)
    return bool(check())


def test_playback_goes_on_across_token_renewals(page: Page, access: AccessStack) -> None:
    video = access.video
    responses: list[tuple[float, Response]] = []
    page.on("response", lambda r: responses.append((time.monotonic(), r)))
    webapp.login(page, access.base)
    started = time.monotonic()
    page.goto(f"{access.base}/watch/{video['id']}?title={video['title_id']}")
    webapp.ensure_playing(page)

    def renewals() -> list[tuple[float, Response]]:
        return [
            (at, r)
            for at, r in responses
            if r.request.method == "POST" and r.url.endswith(f"/playback/{video['id']}/renew")
        ]

    # The first renewal comes half-way through the token's minute.
    assert _wait_until(page, lambda: bool(renewals()), timeout_s=TTL_S), "no renewal"
    renewed_at, first = renewals()[0]
    assert first.status == 200, first.text()
    new_token = first.json()["token"]
    assert 20 <= renewed_at - started <= TTL_S - 5, renewed_at - started
    playback = [
        r
        for _, r in responses
        if r.request.method == "GET" and r.url.endswith(f"/api/v1/playback/{video['id']}")
    ]
    assert playback, "the playback info was never fetched"
    old_token = playback[0].json()["token"]
    assert new_token != old_token

    def segments_after(at: float) -> list[tuple[str, int]]:
        return [
            (m.group(1), r.status) for t, r in responses if t > at and (m := SEGMENT.search(r.url))
        ]

    # Segments fetched after the renewal carry the new token (the request filter).
    assert _wait_until(
        page, lambda: any(tok == new_token for tok, _ in segments_after(renewed_at)), 20
    ), segments_after(renewed_at)

    # Past the first token's expiry: still playing. A seek back to the start needs
    # segments the buffer no longer holds: fetched, with a live token, and played.
    remaining = TTL_S + 5 - (time.monotonic() - started)
    page.wait_for_timeout(max(0.0, remaining) * 1000)
    player = page.get_by_test_id("player")
    assert player.get_attribute("data-error") is None
    assert player.get_attribute("data-playing") == "true"
    assert _video_time(page) > TTL_S - 15
    expired_at = time.monotonic()
    page.evaluate("() => { document.querySelector('video').currentTime = 1; }")
    assert _wait_until(page, lambda: bool(segments_after(expired_at)), 15), "nothing fetched"
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return v.currentTime > 3 && !v.paused; }",
        timeout=20_000,
    )
    late = segments_after(expired_at)
    assert all(tok != old_token for tok, _ in late), late
    every = segments_after(started)
    assert all(status in (200, 206) for _, status in every), every
    assert player.get_attribute("data-error") is None
    assert not page.get_by_role("alert").is_visible()


def test_signed_out_elsewhere_stops_playback_and_says_so(page: Page, access: AccessStack) -> None:
    video = access.video
    webapp.login(page, access.base)
    page.goto(f"{access.base}/watch/{video['id']}?title={video['title_id']}")
    webapp.ensure_playing(page)
    # "Sign out" this browser from another device (the admin's API client).
    admin = access.up.admin()
    try:
        for row in admin.get("/api/v1/auth/sessions").json():
            if not row["current"]:
                assert admin.delete(f"/api/v1/auth/sessions/{row['id']}").status_code == 200
    finally:
        admin.close()
    # The next renewal (30 s into playback) is refused: playback stops and says why.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("You were signed out", timeout=(TTL_S + 10) * 1000)
    player = page.get_by_test_id("player")
    expect(player).to_have_attribute("data-error", "401")
    assert player.get_attribute("data-playing") == "false"
    sign_in = alert.get_by_role("link", name="Sign in again")
    assert sign_in.get_attribute("href") == (
        f"/login?next=%2Fwatch%2F{video['id']}%3Ftitle%3D{video['title_id']}"
    )
    webapp.screenshot(page, "watch-signed-out")
    sign_in.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_locked_profile_asks_for_its_pin(page: Page, access: AccessStack) -> None:
    _create_profile(access, "Locked Room")
    webapp.login(page, access.base)
    # An adult profile manages the account: plans and devices are on the Account page.
    page.goto(f"{access.base}/account")
    expect(page.get_by_role("heading", name="Available plans")).to_be_visible()
    devices = page.get_by_test_id("devices")
    expect(devices.get_by_text("This device")).to_be_visible()
    # An adult profile locks another one from the management view (password needed).
    page.goto(f"{access.base}/profiles")
    page.get_by_role("button", name="Manage profiles").click()
    row = page.get_by_test_id("manage-profile").filter(has_text="Locked Room")
    row.get_by_role("button", name="Lock with a PIN").click()
    page.get_by_label("New PIN").fill("4321")
    page.get_by_label("Your account password").fill("not-the-password")
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right.")
    page.get_by_label("New PIN").fill("4321")
    page.get_by_label("Your account password").fill(webapp.ADMIN_PASSWORD)
    page.get_by_role("button", name="Save PIN").click()
    # The profile list reloads behind the message, so its "Loading…" status may show too.
    saved = page.get_by_role("status").filter(has_text="Locked Room is now locked with a PIN.")
    expect(saved).to_be_visible()
    page.get_by_role("button", name="Done").click()

    tile = page.get_by_role("button", name="Locked Room (locked with a PIN)")
    expect(tile).to_have_attribute("data-locked", "true")
    expect(tile.locator("svg")).to_have_count(1)  # the lock
    webapp.screenshot(page, "profiles-locked")
    tile.click()
    pin = page.get_by_label("PIN", exact=True)
    expect(pin).to_have_attribute("inputmode", "numeric")
    expect(pin).to_have_attribute("type", "password")
    pin.fill("9999")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("That PIN is not right.")
    expect(pin).to_have_value("")
    assert "9999" not in page.url
    webapp.screenshot(page, "profiles-wrong-pin")
    assert not webapp.axe_violations(page), "axe on the PIN prompt"
    pin.fill("4321")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{access.base}/")
    me = page.request.get(f"{access.base}/api/v1/auth/me").json()
    assert me["profile"]["name"] == "Locked Room"
    # The PIN went in a request body only: not in the URL, not kept by the page.
    assert "4321" not in page.url
    kept = page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert "4321" not in kept


def test_kids_profile_sees_no_account_management(page: Page, access: AccessStack) -> None:
    _create_profile(access, "Kiddo", kids=True)
    _sign_in(page, access.base)
    page.get_by_test_id("profile-tile").filter(has_text="Kiddo").click()
    page.wait_for_url(f"{access.base}/")
    me = page.request.get(f"{access.base}/api/v1/auth/me").json()
    assert me["role"] == "admin" and me["profile"]["is_kids"] is True

    # No admin link, neither in the navigation nor in the profile menu.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")
    ).to_have_count(0)
    page.locator(".profile-menu__button").click()
    menu = page.locator("#profile-menu-panel")
    expect(menu.get_by_role("link", name="Account")).to_be_visible()
    expect(menu.get_by_role("link", name="Admin")).to_have_count(0)

    note = "Switch to an adult profile to manage the account."
    page.goto(f"{access.base}/account")
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_role("heading", name="Recently watched")).to_be_visible()
    expect(page.get_by_role("heading", name="Available plans")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Switch to "))).to_have_count(0)
    expect(page.get_by_role("heading", name="Devices")).to_have_count(0)
    webapp.screenshot(page, "account-kids", full_page=True)
    assert not webapp.axe_violations(page), "axe on a kids profile's account page"

    page.goto(f"{access.base}/profiles")
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_role("button", name="Manage profiles")).to_have_count(0)
    expect(page.get_by_role("button", name="Add profile")).to_have_count(0)

    page.goto(f"{access.base}/admin")
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_role("heading", name="Upload a video")).to_have_count(0)
