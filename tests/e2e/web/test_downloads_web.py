"""Offline downloads in Chromium against a real ``kinema up`` (billing off, so an admin
sets plans: ``PUT /api/v1/admin/users/{id}/plan``).

- A Premium viewer downloads a title from its page (the progress bar moves), pauses it
  (the grant is kept), reloads (the title page and the Downloads page show it paused
  where it stopped), resumes it from the Downloads page (the bar goes on from there, and
  no segment that had arrived is fetched again), the browser goes offline, the
  Downloads page loads from the service worker and plays the stored copy:
  ``currentTime`` advances with no network and the subtitles show.
- Back online after its grant expired, the online check (run app-wide on the window's
  ``online`` event) deletes the copy and the Downloads page says why.
- Cancelled on its way, a download gives its grant back and stores nothing.
- A copy whose grant is revoked through the Devices page's route is deleted when the
  network comes back while the title page is open, with the reason in a notice; a copy
  whose account moves to a plan without downloads is deleted at the next app start on the
  home page (the nav no longer leads to Downloads), with the reason, which the Downloads
  page shows too.
- Too little storage left: the viewer is told so plainly, and nothing is granted.
- A Free viewer sees no Download button, and the grant endpoint answers 403
  ``downloads_not_in_plan``.

A stack of its own: its viewers' plans change, which the session stack must not see.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect
from sqlalchemy import create_engine, update

from kinema.catalog.models import DownloadGrant
from tests.e2e.web import webapp
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

PASSWORD = "correct horse battery"
TITLE = "Harbour Lights"


@dataclass(frozen=True)
class DownloadStack:
    up: webapp.KinemaUp
    base: str
    title_id: str
    video_id: str


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DownloadStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-downloads")
    clip = webapp.make_clip(root / "media" / "harbour.mkv", seconds=20, subtitles=webapp.CUES)
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[clip])
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            video = webapp.wait_ready(admin)[0]
            r = admin.patch(
                f"/api/v1/admin/videos/{video['id']}", json={"title": TITLE, "published": True}
            )
            assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield DownloadStack(up=up, base=up.base, title_id=video["title_id"], video_id=video["id"])
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _viewer(stack: DownloadStack, plan: str) -> tuple[str, dict[str, str]]:
    """A new viewer on ``plan``, set by the admin over HTTP; their email and bearer."""
    email = f"{plan}-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=stack.base, timeout=30) as http:
        r = http.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
        assert r.status_code == 201, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        user_id = r.json()["user"]["id"]
    if plan != "free":
        stack.up.set_plan(user_id, plan)
    return email, headers


def _grants(stack: DownloadStack, headers: dict[str, str]) -> list[dict[str, object]]:
    """The account's active grants, every device's (the account holder's view)."""
    r = httpx.get(f"{stack.base}/api/v1/downloads?account=true", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    grants: list[dict[str, object]] = r.json()
    return grants


def _download_whole(page: Page, stack: DownloadStack) -> None:
    """Download the title from its page, to the end."""
    page.goto(f"{stack.base}/title/{stack.title_id}")
    page.get_by_test_id("download-button").first.click()
    page.get_by_test_id("download-start").click()
    expect(page.get_by_text("Downloaded. Watch it from Downloads, even offline.")).to_be_visible(
        timeout=90_000
    )


def _slow_segments(route: Route) -> None:
    # Small clips download in a blink: a pause per segment lets the bar be seen moving
    # (and the download be paused on its way).
    time.sleep(0.25)
    route.continue_()


def _media_path(url: str) -> str | None:
    """A segment's path under its grant's signed root (the token changes at renewal)."""
    if "/api/v1/offline/" not in url or not url.split("?")[0].endswith((".m4s", ".mp4")):
        return None
    return url.split("/api/v1/offline/", 1)[1].split("/", 1)[1]


SAMPLE_BAR = """(sel) => { window.__progress = []; window.__sampler = setInterval(() => {
    const bar = document.querySelector(sel);
    if (bar) window.__progress.push(bar.value); }, 20); }"""
STOP_SAMPLING = "() => { clearInterval(window.__sampler); return window.__progress; }"


def test_premium_downloads_and_plays_offline(browser: Browser, downloads: DownloadStack) -> None:
    email, headers = _viewer(downloads, "premium")
    context = browser.new_context()
    page = context.new_page()
    finished: list[str] = []  # segments whose answer arrived whole
    requested: list[str] = []  # every segment request, in order

    def note(into: list[str]) -> Callable[[Request], None]:
        def add(request: Request) -> None:
            path = _media_path(request.url)
            if path:
                into.append(path)

        return add

    page.on("requestfinished", note(finished))
    page.on("request", note(requested))
    try:
        webapp.login(page, downloads.base, email=email, password=PASSWORD)
        page.route("**/api/v1/offline/**/*.m4s", _slow_segments)
        page.goto(f"{downloads.base}/title/{downloads.title_id}")
        page.get_by_test_id("download-button").first.click()
        start = page.get_by_test_id("download-start")
        expect(start).to_be_visible()
        # The quality choice names its height and size before anything starts (a 360p
        # source has one rung: Standard and High are the same, so one choice).
        expect(page.get_by_role("radio", name="Standard (360p) · About")).to_be_checked()
        # Every value the bar shows, sampled in the page while it downloads.
        page.evaluate(SAMPLE_BAR, "[data-testid=download-progress]")
        start.click()
        page.wait_for_function(
            "() => { const b = document.querySelector('[data-testid=download-progress]');"
            " return b && b.value >= 0.2; }",
            timeout=60_000,
        )
        page.get_by_test_id("download-pause").click()
        run = page.get_by_test_id("download-run")
        expect(run).to_have_attribute("data-state", "paused")
        seen = page.evaluate(STOP_SAMPLING)
        paused_at = float(page.get_by_test_id("download-progress").evaluate("b => b.value"))
        assert 0.2 <= paused_at < 1, paused_at
        moving = sorted({round(v, 3) for v in seen if 0 < v < 1})
        assert len(moving) >= 2, f"the progress bar did not move: {seen[:20]}"
        # What the app kept for the resume: the segments in the grant's cache (a segment
        # the network had finished but the app had not yet taken when it paused is not
        # kept, and is fetched again).
        kept_urls = page.evaluate(
            """async () => {
              const names = (await caches.keys()).filter((k) => k.startsWith('kinema-dl-'));
              if (names.length !== 1) return names;
              const cache = await caches.open(names[0]);
              return (await cache.keys()).map((r) => r.url); }"""
        )
        arrived = {u.split("/__kinema-dl__/", 1)[1] for u in kept_urls if "/__kinema-dl__/" in u}
        assert arrived and arrived <= set(finished), (kept_urls, finished)
        # Paused, the grant is kept (the browser's own; these headers are another device's).
        held = httpx.get(
            f"{downloads.base}/api/v1/downloads?account=true", headers=headers, timeout=30
        )
        assert len(held.json()) == 1, held.text

        # A reload keeps it paused where it stopped, on the title page and in Downloads.
        page.reload()
        expect(run).to_have_attribute("data-state", "paused")
        expect(page.get_by_test_id("download-resume")).to_be_visible()
        page.goto(f"{downloads.base}/downloads")
        waiting = page.get_by_test_id("download-paused-row")
        # Rounded as the page's Math.round does (half up, not Python's half to even).
        expect(waiting).to_contain_text(f"Paused at {math.floor(paused_at * 100 + 0.5)}%")
        expect(waiting.get_by_test_id("download-cancel")).to_be_visible()
        bar = waiting.get_by_test_id("download-progress")
        assert abs(float(bar.evaluate("b => b.value")) - paused_at) < 1e-6
        page.evaluate(SAMPLE_BAR, "[data-testid=download-paused-row] progress")
        asked_before = len(requested)
        waiting.get_by_test_id("download-resume").click()
        row = page.get_by_test_id("download-row")
        expect(row).to_contain_text(TITLE, timeout=90_000)
        expect(waiting).to_have_count(0)
        seen = [v for v in page.evaluate(STOP_SAMPLING) if v is not None]
        # The bar went on from where it paused, never back, and moved on its way.
        assert seen and min(seen) >= paused_at - 1e-6, (paused_at, seen[:10])
        assert any(paused_at < v < 1 for v in seen), (paused_at, seen[:20])
        # Nothing that had arrived crossed the network again; the rest did.
        again = set(requested[asked_before:])
        assert again and not (arrived & again), sorted(arrived & again)
        # The resume cache went with the finished store.
        left = page.evaluate(
            "async () => (await caches.keys()).filter((k) => k.startsWith('kinema-dl-'))"
        )
        assert left == [], left

        expect(row).to_have_count(1)
        # The service worker controls the page before the network goes.
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
            timeout=30_000,
        )
        context.set_offline(True)
        page.reload()
        expect(page.get_by_test_id("offline-note")).to_be_visible()
        expect(page.get_by_test_id("download-row")).to_contain_text(TITLE)
        page.get_by_test_id("download-play").click()
        expect(page.get_by_test_id("offline-player")).to_be_visible()
        page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=offline-player] video');"
            " return v && v.currentTime > 1.5; }",
            timeout=30_000,
        )
        # The stored subtitles show: a track of the app's language is on, its cue active.
        expect(page.get_by_test_id("offline-subtitles")).to_have_value(re.compile(r"\d+"))
        page.wait_for_function(
            """() => { const v = document.querySelector('[data-testid=offline-player] video');
              return v && v.currentTime < 9 && Array.from(v.textTracks).some((t) =>
                t.mode === 'showing' && t.activeCues && Array.from(t.activeCues).some(
                  (c) => c.text.includes('The lamp must never go dark.'))); }""",
            timeout=30_000,
        )
        # The grant expires meanwhile; back online, the online check (the window's
        # ``online`` event, whatever the page; this one was opened offline, so the app
        # first learns who is signed in) deletes the copy and the page says why.
        engine = create_engine(f"sqlite:///{downloads.up.data_dir / 'kinema.db'}")
        try:
            with engine.begin() as db:
                db.execute(
                    update(DownloadGrant).values(
                        expires_at=datetime.now(UTC) - timedelta(minutes=1)
                    )
                )
        finally:
            engine.dispose()
        context.set_offline(False)
        removed = page.get_by_test_id("download-removed")
        expect(removed).to_contain_text("was removed: its download expired.")
        expect(removed).to_contain_text(TITLE)
        expect(page.get_by_test_id("download-row")).to_have_count(0)
        expect(page.get_by_test_id("offline-player")).to_have_count(0)
        # The copy left the browser's storage: the next visit has nothing to check.
        page.reload()
        expect(page.get_by_text("Nothing is downloaded on this device.")).to_be_visible()
        expect(page.get_by_test_id("download-removed")).to_have_count(0)

        # Cancelled on its way (segments still slow): the grant is given back, and
        # nothing is stored, paused or cached.
        page.goto(f"{downloads.base}/title/{downloads.title_id}")
        page.get_by_test_id("download-button").first.click()
        page.get_by_test_id("download-start").click()
        page.wait_for_function(
            "() => { const b = document.querySelector('[data-testid=download-progress]');"
            " return b && b.value > 0; }",
            timeout=60_000,
        )
        page.get_by_test_id("download-cancel").click()
        expect(page.get_by_text("Download cancelled.")).to_be_visible()
        deadline = time.monotonic() + 15
        while _grants(downloads, headers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _grants(downloads, headers) == []
        left = page.evaluate(
            "async () => (await caches.keys()).filter((k) => k.startsWith('kinema-dl-'))"
        )
        assert left == [], left
        page.goto(f"{downloads.base}/downloads")
        expect(page.get_by_text("Nothing is downloaded on this device.")).to_be_visible()
        expect(page.get_by_test_id("download-paused-row")).to_have_count(0)

        # Revoked from the Devices page (its route, called by the account's other device):
        # deleted when the network comes back, on the title page, and the notice says why.
        page.unroute("**/api/v1/offline/**/*.m4s", _slow_segments)
        _download_whole(page, downloads)
        devices = httpx.get(f"{downloads.base}/api/v1/devices", headers=headers, timeout=30)
        browser_device = next(d for d in devices.json() if not d["current"])
        r = httpx.delete(
            f"{downloads.base}/api/v1/downloads/devices/{browser_device['id']}",
            headers=headers,
            timeout=30,
        )
        assert r.status_code == 200 and r.json() == {"revoked": 1}, r.text
        context.set_offline(True)
        context.set_offline(False)
        notice = page.get_by_test_id("downloads-notice")
        # (A grant names its video: the title, then the video's own name.)
        expect(notice).to_contain_text(
            re.compile(
                f"{TITLE}.* was removed: its download was revoked from the account's devices"
            )
        )
        notice.get_by_role("button", name="Dismiss").click()
        expect(notice).to_have_count(0)

        # The plan no longer allows downloads: deleted at the next app start, on the home
        # page (the nav has no Downloads any more), and the Downloads page says why too.
        _download_whole(page, downloads)
        me = httpx.get(f"{downloads.base}/api/v1/auth/me", headers=headers, timeout=30)
        downloads.up.set_plan(me.json()["id"], "free")
        page.goto(f"{downloads.base}/")
        expect(notice).to_contain_text(
            re.compile(f"{TITLE}.* was removed: your plan no longer includes downloads")
        )
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Home")).to_be_visible()
        expect(nav.get_by_role("link", name="Downloads")).to_have_count(0)
        page.goto(f"{downloads.base}/downloads")
        expect(page.get_by_test_id("download-removed")).to_contain_text(
            "was removed: your plan no longer includes downloads."
        )
        expect(page.get_by_text("Nothing is downloaded on this device.")).to_be_visible()
        assert _grants(downloads, headers) == []
    finally:
        context.set_offline(False)
        context.close()


def test_free_viewer_has_no_download(page: Page, downloads: DownloadStack) -> None:
    email, headers = _viewer(downloads, "free")
    webapp.login(page, downloads.base, email=email, password=PASSWORD)
    page.goto(f"{downloads.base}/title/{downloads.title_id}")
    expect(page.get_by_test_id("play-link")).to_be_visible()
    expect(page.get_by_test_id("download-button")).to_have_count(0)
    r = httpx.post(
        f"{downloads.base}/api/v1/downloads",
        json={"video_id": downloads.video_id, "quality": "standard"},
        headers=headers,
        timeout=30,
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "downloads_not_in_plan"


def test_quota_error_is_said_plainly(browser: Browser, downloads: DownloadStack) -> None:
    email, headers = _viewer(downloads, "premium")
    context = browser.new_context()
    # A browser with almost no room left for this site.
    context.add_init_script(
        "navigator.storage.estimate = async () => ({ quota: 1000, usage: 900 });"
    )
    page = context.new_page()
    try:
        webapp.login(page, downloads.base, email=email, password=PASSWORD)
        page.goto(f"{downloads.base}/title/{downloads.title_id}")
        page.get_by_test_id("download-button").first.click()
        page.get_by_test_id("download-start").click()
        expect(page.get_by_role("alert")).to_contain_text("Not enough storage on this device")
        # Nothing was granted for a download that could not start.
        listed = httpx.get(f"{downloads.base}/api/v1/downloads", headers=headers, timeout=30)
        assert listed.status_code == 200 and listed.json() == [], listed.text
    finally:
        context.close()
