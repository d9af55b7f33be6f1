"""Helpers for the watch-together browser test and the drift benchmark: a ``kinema up``
with one long-enough clip, viewers signed in in browser contexts of their own, and the
party probe the web app exposes (``window.__kinemaParty.sample()``: this player's time
against where the group is, on the shared server clock)."""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.web import webapp
from tests.utils.ports import free_port

PASSWORD = "party e2e password"


@dataclass(frozen=True)
class PartyStack:
    up: webapp.KinemaUp
    base: str
    video_id: str
    title_id: str
    # A second, shorter published video (the "next episode"), when asked for.
    next_video_id: str | None = None
    # A second API process (``kinema api``) on the same data, sharing Redis with the
    # first: its base URL, when asked for.
    second_base: str | None = None


@contextlib.contextmanager
def party_stack(
    root: Path,
    *,
    clip_s: float = 90,
    next_clip_s: float | None = None,
    redis_url: str | None = None,
) -> Iterator[PartyStack]:
    """``kinema up`` with one published clip of ``clip_s`` seconds, and a shorter one of
    ``next_clip_s`` when given; with ``redis_url``, parties go through that Redis and a
    second API process (``kinema api``) serves the same data (raises StackError)."""
    webapp.ensure_web_build()
    clips = [webapp.make_clip(root / "media" / "together.mp4", seconds=clip_s)]
    if next_clip_s is not None:
        clips.append(webapp.make_clip(root / "media" / "next.mp4", seconds=next_clip_s))
    env = {"KINEMA_REDIS_URL": redis_url} if redis_url else {}
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=clips, env=env)
    second = webapp.KinemaUp(data_dir=root / "data", port=free_port(), env=env, api=True)
    up.start()
    try:
        if redis_url:
            second.start()
        admin = up.admin()
        try:
            videos = sorted(webapp.wait_ready(admin), key=lambda v: -float(v["duration_s"] or 0))
            for video, name in zip(videos, ("Together", "Together, next"), strict=False):
                r = admin.patch(
                    f"/api/v1/admin/videos/{video['id']}", json={"title": name, "published": True}
                )
                assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield PartyStack(
            up=up,
            base=up.base,
            video_id=videos[0]["id"],
            title_id=videos[0]["title_id"],
            next_video_id=videos[1]["id"] if len(videos) > 1 else None,
            second_base=second.base if redis_url else None,
        )
    finally:
        second.stop()
        up.stop()


def viewer(stack: PartyStack) -> str:
    """A new account's email (password ``PASSWORD``)."""
    email = f"party-{uuid.uuid4().hex[:8]}@example.com"
    r = httpx.post(
        f"{stack.base}/api/v1/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert r.status_code == 201, r.text
    return email


def member(
    browser: Browser, stack: PartyStack, email: str | None, *, base: str | None = None
) -> tuple[BrowserContext, Page]:
    """A browser of its own, signed in (``None``: the admin) at ``base`` (the stack's
    first API process by default)."""
    context = browser.new_context()
    page = context.new_page()
    if email is None:
        webapp.login(page, base or stack.base)
    else:
        webapp.login(page, base or stack.base, email=email, password=PASSWORD)
    return context, page


def start_party(page: Page, stack: PartyStack) -> str:
    """Open the watch page, play, start a party; returns the link to it."""
    page.goto(f"{stack.base}/watch/{stack.video_id}?title={stack.title_id}")
    webapp.ensure_playing(page)
    page.get_by_test_id("party-start").click()
    link = page.get_by_test_id("party-link")
    expect(link).to_have_value(re.compile(r"/watch/[0-9a-f-]{36}\?party=[A-Za-z0-9_-]+$"))
    return str(link.input_value())


def join(page: Page, link: str, *, members: int) -> None:
    page.goto(link)
    expect(page.get_by_test_id("player")).to_have_attribute("data-ready", "true", timeout=30_000)
    panel = page.get_by_test_id("party-panel")
    expect(panel).to_have_attribute("data-connected", "true")
    expect(panel).to_have_attribute("data-members", str(members))
    unblock(page)


def unblock(page: Page) -> None:
    """Give the page the click a browser may want before it plays with sound."""
    resume = page.get_by_role("button", name="Click to join playback")
    if resume.is_visible():
        resume.click()
    big = page.locator(".player__big-play")
    if big.is_visible():
        with contextlib.suppress(Exception):
            big.click(timeout=2000)


def sample(page: Page) -> dict[str, Any] | None:
    value: dict[str, Any] | None = page.evaluate(
        "() => window.__kinemaParty ? window.__kinemaParty.sample() : null"
    )
    return value


def trail(page: Page) -> list[str]:
    """What the page's party follower did and saw lately (for failure messages)."""
    value: list[str] = page.evaluate(
        "() => window.__kinemaParty ? window.__kinemaParty.trail() : []"
    )
    return value


def drift_s(page: Page) -> float | None:
    """This player's distance from the group's position now (s), None before it syncs."""
    s = sample(page)
    return None if s is None else abs(s["current"] - s["expected"])


def wait_until(page: Page, check: Any, timeout_s: float, step_ms: int = 100) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        page.wait_for_timeout(step_ms)
    return bool(check())


def video(page: Page, script: str) -> Any:
    """Run ``script`` with ``v`` the page's <video> (as the player's own controls do)."""
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); return {script}; }}")


# Keeps every WebSocket a page opens, so a test can kill the party's connection.
_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();"""


def track_sockets(context: BrowserContext) -> None:
    context.add_init_script(_SOCKETS)


def send_frame(page: Page, frame: dict[str, Any]) -> int:
    """Send ``frame`` on the page's open party socket (as the page itself would, e.g. a
    player's stall report); returns how many sockets sent it."""
    sent: int = page.evaluate(
        "(frame) => window.__sockets.filter((s) => s.readyState === 1)"
        ".map((s) => s.send(frame)).length",
        json.dumps(frame),
    )
    return sent


def kill_socket(page: Page) -> int:
    """Close every open socket of the page; returns how many were open."""
    closed: int = page.evaluate(
        "() => window.__sockets.filter((s) => s.readyState === 1).map((s) => s.close()).length"
    )
    return closed
