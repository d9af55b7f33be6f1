"""Sidecar subtitles from the admin page, in Chromium against ``kinema up``: attach an
.srt while uploading a video, watch its cue, then swap it for a .vtt from the edit form
(a subtitle-only rewrite of the ready output) and watch the new cue."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web import webapp

pytestmark = [pytest.mark.e2e]

FR_CUE = "Bonjour depuis le fichier"
DE_CUE = "Hallo aus der Datei"


def _watch_cue(page: Page, base: str, video_id: str, language: re.Pattern[str], cue: str) -> None:
    page.goto(f"{base}/watch/{video_id}")
    webapp.ensure_playing(page)
    page.mouse.move(400, 300)
    page.mouse.move(420, 320)
    page.get_by_role("button", name="Subtitles", exact=True).click()
    page.get_by_role("dialog", name="Subtitles").get_by_label(language).check()
    page.keyboard.press("Escape")
    page.evaluate("() => { document.querySelector('video').currentTime = 1.0; }")
    expect(page.locator(".shaka-text-container").get_by_text(cue)).to_be_visible(timeout=15_000)


def _wait_job(stack: Any, video_id: str, timeout_s: float = 120) -> dict[str, Any]:
    admin = stack.up.admin()
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            video: dict[str, Any] = admin.get(f"/api/v1/admin/videos/{video_id}").json()
            job = video.get("job") or {}
            assert job.get("status") != "failed", job
            if video["status"] == "ready" and job.get("status") == "succeeded":
                return video
            time.sleep(0.5)
    finally:
        admin.close()
    raise AssertionError(f"video {video_id} not processed after {timeout_s:.0f}s")


def test_admin_attaches_and_replaces_subtitle_files(page: Page, stack: Any, tmp_path: Path) -> None:
    clip = webapp.make_clip(tmp_path / "subtitle-check.mp4", seconds=6, size="426x240")
    srt = tmp_path / "subtitle-check.fr.srt"
    srt.write_text(f"1\n00:00:00,500 --> 00:00:05,000\n{FR_CUE}\n")
    vtt = tmp_path / "subtitle-check.de.vtt"
    vtt.write_text(f"WEBVTT\n\n00:00:00.500 --> 00:00:05.000\n{DE_CUE}\n")
    page.set_viewport_size({"width": 1280, "height": 900})
    webapp.login(page, stack.base)
    page.goto(f"{stack.base}/admin")
    page.set_input_files("#up-file", str(clip))
    page.get_by_label("Title", exact=True).fill("Subtitle Check")

    # A mistake is caught before anything is sent.
    page.locator("#up-sub-lang").fill("French")
    page.set_input_files("#up-sub-file", str(srt))
    page.get_by_role("button", name="Add subtitles").click()
    expect(page.get_by_role("alert")).to_contain_text("language tag")
    page.locator("#up-sub-lang").fill("fr")
    page.locator("#up-sub-label").fill("Français")
    page.get_by_role("button", name="Add subtitles").click()
    tracks = page.get_by_role("list", name="Subtitles")
    expect(tracks).to_contain_text("Français")
    expect(tracks).to_contain_text("subtitle-check.fr.srt")

    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Upload complete")).to_be_visible(timeout=60_000)
    row = page.locator("[data-testid=admin-video]", has_text="Subtitle Check")
    expect(row).to_have_attribute("data-status", "ready", timeout=180_000)
    video_id = row.get_attribute("data-video-id")
    assert video_id
    _watch_cue(page, stack.base, video_id, re.compile(r"Français|fr", re.I), FR_CUE)

    # The edit form lists the attached file; swap it for a German .vtt.
    page.goto(f"{stack.base}/admin")
    row = page.locator(f"[data-video-id='{video_id}']")
    row.get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit “Subtitle Check”")
    expect(form.get_by_role("list", name="Subtitles")).to_contain_text("subtitle-check.fr.srt")
    webapp.screenshot(page, "admin-subtitles", full_page=True)
    assert not webapp.axe_violations(page), "axe on the admin subtitles section"
    form.get_by_role("button", name="Remove the fr subtitles").click()
    form.locator(f"#e-{video_id}-sub-lang").fill("de")
    form.locator(f"#e-{video_id}-sub-file").set_input_files(str(vtt))
    form.get_by_role("button", name="Add subtitles").click()
    form.get_by_role("button", name="Save").click()
    expect(form).to_have_count(0)
    video = _wait_job(stack, video_id)
    assert [s["language"] for s in video["subtitles"]] == ["de"]
    _watch_cue(page, stack.base, video_id, re.compile(r"Deutsch|German|de", re.I), DE_CUE)
