"""Shared clips in Chromium against the session's ``kinema up`` (issue 13).

A clip is marked in the player (in at 2 s, out at 5 s), shared with a caption, and its
preview is made by ``kinema up``'s own preview worker. Its link, opened in new browser
contexts: signed out, the preview plays with a sign-in prompt and no way to play the
title; signed in, "Play clip" opens the title at the clip's start and stops at its end.
The raw HTML of the link carries the card, its caption escaped.

It runs on the session stack (``conftest.stack``): a clip changes nothing the other
tests read, and a stack of its own would cost a transcode.
"""

from __future__ import annotations

import html
import time

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.web import webapp
from tests.e2e.web.conftest import Stack

pytestmark = [pytest.mark.e2e]

IN_S, OUT_S = 2.0, 5.0
CAPTION = 'Harbour <b>"lights"</b>'


def _video_time(page: Page) -> float:
    return float(page.evaluate("() => document.querySelector('video').currentTime"))


def _seek_paused(page: Page, seconds: float) -> None:
    page.evaluate(
        "(s) => { const v = document.querySelector('video'); v.pause(); v.currentTime = s; }",
        seconds,
    )
    deadline = time.monotonic() + 10
    while abs(_video_time(page) - seconds) > 0.2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # the player's state follows `timeupdate`/`seeked`


def _wait_preview(admin: httpx.Client, clip_id: str, timeout_s: float = 90) -> dict[str, str]:
    deadline = time.monotonic() + timeout_s
    clip = admin.get(f"/api/v1/clips/{clip_id}").json()
    while clip["preview"]["state"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.5)
        clip = admin.get(f"/api/v1/clips/{clip_id}").json()
    assert clip["preview"]["state"] == "ready", clip
    preview: dict[str, str] = clip["preview"]
    return preview


def test_make_a_clip_and_open_its_link(page: Page, browser: Browser, stack: Stack) -> None:
    webapp.login(page, stack.base)
    page.goto(f"{stack.base}/watch/{stack.video_id}?title={stack.title_id}")
    webapp.ensure_playing(page)
    page.get_by_role("button", name="Clip", exact=True).click()
    panel = page.get_by_test_id("clip-panel")
    _seek_paused(page, IN_S)
    panel.get_by_test_id("clip-in").click()
    _seek_paused(page, OUT_S)
    panel.get_by_test_id("clip-out").click()
    expect(panel.get_by_test_id("clip-range")).to_have_text("0:02\u20130:05 (3 s)")
    panel.get_by_label("Caption (optional)").fill(CAPTION)
    panel.get_by_test_id("clip-share").click()
    link = panel.get_by_test_id("clip-link")
    expect(link).to_be_visible()
    url = link.input_value()
    assert url.startswith(f"{stack.base}/clip/"), url
    clip_id = url.rsplit("/", 1)[1]

    admin = stack.up.admin()
    try:
        preview = _wait_preview(admin, clip_id)
        # The card, in the HTML a crawler reads: the caption escaped, the still absolute.
        raw = httpx.get(url, timeout=30).text
        assert f'content="{html.escape(CAPTION, quote=True)} (0:02\u20130:05)"' in raw
        assert "<b>" not in raw
        assert f'<meta property="og:image" content="{stack.base}{preview["still_url"]}" />' in raw
    finally:
        admin.close()

    # Signed out: the preview and a sign-in prompt, nothing that plays the title.
    anon = browser.new_context()
    try:
        visitor = anon.new_page()
        visitor.goto(url)
        video = visitor.get_by_test_id("clip-preview")
        expect(video).to_be_visible()
        expect(visitor.get_by_test_id("clip-caption")).to_have_text(CAPTION)
        expect(visitor.get_by_test_id("clip-signin")).to_be_visible()
        expect(visitor.get_by_test_id("clip-play")).to_have_count(0)
        visitor.wait_for_function(
            "() => document.querySelector('[data-testid=clip-preview]').readyState >= 2"
        )
        duration = float(visitor.evaluate("() => document.querySelector('video').duration"))
        assert abs(duration - (OUT_S - IN_S)) < 0.5, duration
    finally:
        anon.close()

    # Signed in, in a context of its own: plays from the start, stops at the end.
    viewer = browser.new_context()
    try:
        watcher = viewer.new_page()
        webapp.login(watcher, stack.base)
        watcher.goto(url)
        watcher.get_by_test_id("clip-play").click()
        watcher.wait_for_url(f"**/watch/{stack.video_id}?**")
        webapp.ensure_playing(watcher)
        assert IN_S - 0.5 <= _video_time(watcher) < OUT_S, _video_time(watcher)
        expect(watcher.get_by_test_id("clip-ended")).to_be_visible(timeout=20_000)
        stopped = _video_time(watcher)
        assert OUT_S - 0.1 <= stopped <= OUT_S + 0.6, stopped
        assert watcher.evaluate("() => document.querySelector('video').paused")
        watcher.get_by_role("button", name="Replay clip").click()
        expect(watcher.get_by_test_id("clip-ended")).to_be_visible(timeout=20_000)
    finally:
        viewer.close()
