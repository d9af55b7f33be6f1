"""The admin Analytics area in Chromium against a real ``kinema up``: player events
(two browsers, stalls, an abandoned start) are posted through the API, then every page
renders its charts (screenshots under test-artifacts/), the filters offer what was played
(and only where they apply), the browser filter changes the numbers, the CSV downloads,
the Content page marks drop-offs, picks a video and shows artwork tests (none yet), and
the page holds at phone width. The Audience and Pipeline
pages chart the same stack's events and transcode job; on Users an admin finds a viewer,
sees their plan and device, and disables the account (its token stops working) and
enables it again."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.web import webapp
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webapp.KinemaUp]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-analytics")
    clip = webapp.make_clip(root / "media" / "charted.mp4", seconds=6)
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[clip])
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            _seed(admin, webapp.wait_ready(admin)[0]["id"])
        finally:
            admin.close()
        yield up
    finally:
        up.stop()


def _seed(admin: httpx.Client, video_id: str) -> None:
    now = datetime.now(UTC)
    for i in range(12):
        agent, startup = (FIREFOX, 400 + 10 * i) if i % 3 == 0 else (CHROME, 2000 + 100 * i)
        at = max(now - timedelta(minutes=5 * i), now.replace(hour=0, minute=0, second=1))
        report = {
            "startup_ms": startup,
            "watched_s": 5,
            "rebuffer_ms": 500 * (i % 2),
            "rebuffer_count": i % 2,
            "duration_s": 6,
            "height": 360,
        }
        events = [
            {
                "video_id": video_id,
                "kind": "start",
                "client_time": at.isoformat(),
                "payload": {"startup_ms": startup, "height": 360},
            },
            {
                "video_id": video_id,
                "kind": "end",
                "client_time": at.isoformat(),
                "position_s": 6 * (i + 1) / 12,
                "payload": report,
            },
        ]
        r = admin.post(
            "/api/v1/playback/events", json={"events": events}, headers={"User-Agent": agent}
        )
        assert r.status_code == 202 and r.json()["accepted"] == 2, r.text
    abandoned = {"video_id": video_id, "kind": "end", "payload": {"startup_ms": None}}
    admin.post(
        "/api/v1/playback/events", json={"events": [abandoned]}, headers={"User-Agent": CHROME}
    )


def _charts(page: Page, n: int) -> None:
    expect(page.locator(".recharts-surface").first).to_be_visible(timeout=15_000)
    assert page.locator(".recharts-surface").count() >= n


def test_every_page_charts_filters_and_csv(stack: webapp.KinemaUp, browser: Browser) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        webapp.login(page, stack.base)
        page.goto(f"{stack.base}/admin")
        page.get_by_test_id("open-analytics").click()
        page.wait_for_url("**/admin/analytics")
        expect(page.get_by_test_id("plays")).to_contain_text("12")
        # It opens on today so far, compared with as many hours before it.
        expect(page.get_by_test_id("filter-preset")).to_have_value("today")
        expect(page.get_by_test_id("overview-periods")).to_contain_text("24:00")
        expect(page.get_by_test_id("filters-range-only")).to_be_visible()
        expect(page.get_by_test_id("filter-browser")).to_have_count(0)
        _charts(page, 1)
        webapp.screenshot(page, "analytics-overview", full_page=True)

        page.get_by_test_id("tab-qoe").click()
        p50 = page.get_by_test_id("startup-p50")
        expect(p50).to_contain_text("ms")
        everyone = p50.inner_text()
        _charts(page, 2)
        webapp.screenshot(page, "analytics-qoe", full_page=True)
        # The filters offer what the rollups hold: two browsers, the seeded rung (and the
        # abandoned start's unknown one), the one title.
        options = "(el) => Array.from(el.options).map((o) => o.value)"
        browsers = page.get_by_test_id("filter-browser")
        expect(browsers.locator("option")).to_have_count(3)
        assert browsers.evaluate(options) == ["", "chrome", "firefox"]
        assert page.get_by_test_id("filter-rung").evaluate(options) == ["", "360p", "unknown"]
        assert "standard" not in page.get_by_test_id("filter-plan").evaluate(options)
        titles = page.get_by_test_id("filter-title")
        assert len(titles.evaluate(options)) == 2
        expect(titles).to_contain_text(re.compile("charted", re.I))
        titles.select_option(index=1)
        expect(page.get_by_test_id("views")).to_have_text("13")
        titles.select_option("")
        page.get_by_test_id("filter-browser").select_option("firefox")
        expect(p50).not_to_have_text(everyone)
        expect(page.get_by_test_id("views")).to_have_text("4")
        page.get_by_test_id("filter-browser").select_option("")
        expect(page.get_by_test_id("views")).to_have_text("13")

        page.get_by_test_id("breakdown-by").select_option("browser")
        expect(page.get_by_test_id("breakdown-table")).to_contain_text("firefox")
        with page.expect_download() as download:
            page.get_by_test_id("csv-qoe_breakdown").click()
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
        assert {r["key"]: r["plays"] for r in rows} == {"chrome": "8", "firefox": "4"}

        page.get_by_test_id("tab-content").click()
        expect(page.get_by_test_id("titles-table")).to_contain_text("12")
        _charts(page, 2)
        # Twelve views stop at twelve points of the clip: three drop-offs, marked.
        expect(page.get_by_test_id("drop-offs").locator("li")).to_have_count(3)
        assert page.locator(".recharts-reference-area").count() == 3
        picker = page.get_by_test_id("retention-video")
        expect(picker.locator("option")).to_have_count(1)
        expect(picker).to_contain_text(re.compile("charted", re.I))
        expect(page.get_by_test_id("artwork-tests")).to_contain_text("No artwork tests")
        webapp.screenshot(page, "analytics-content", full_page=True)

        page.get_by_test_id("tab-business").click()
        expect(page.get_by_test_id("plans-table")).to_be_visible()
        expect(page.get_by_test_id("filters-range-only")).to_be_visible()
        # No Anthropic key on this stack: Claude's card says so (and $0.00 spent).
        expect(page.get_by_test_id("business-claude")).to_contain_text("no Anthropic key")
        expect(page.get_by_test_id("business-claude")).to_contain_text("$0.00")
        if page.get_by_test_id("business-empty").count() == 0:
            _charts(page, 1)
        webapp.screenshot(page, "analytics-business", full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_test_id("tab-qoe").click()
        _charts(page, 2)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
        webapp.screenshot(page, "analytics-qoe-phone", full_page=True)
        page.get_by_test_id("tab-content").click()
        expect(page.get_by_test_id("drop-offs")).to_be_visible()
        _charts(page, 2)
        fits = "() => document.documentElement.scrollWidth <= 390"
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(fits, timeout=3000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"Content scrolls sideways at phone width ({width}px)"
        webapp.screenshot(page, "analytics-content-phone", full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="module")
def viewer(stack: webapp.KinemaUp) -> tuple[str, dict[str, str]]:
    """A viewer signed in from a Windows Chrome (one device): their email and headers."""
    email = f"audience-{uuid.uuid4().hex[:8]}@example.com"
    r = httpx.post(
        f"{stack.base}/api/v1/auth/signup",
        json={"email": email, "password": "correct horse"},
        headers={"User-Agent": WINDOWS},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return email, {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_audience_pipeline_and_users_pages(
    stack: webapp.KinemaUp, browser: Browser, viewer: tuple[str, dict[str, str]]
) -> None:
    email, viewer_headers = viewer
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        webapp.login(page, stack.base)
        page.goto(f"{stack.base}/admin/analytics?page=audience")
        plays = page.get_by_test_id("audience-plays")
        expect(plays).to_have_text("12", timeout=15_000)
        expect(page.get_by_test_id("active-profiles")).to_have_text("1")
        heat = page.get_by_test_id("heatmap")
        expect(heat.locator("td.heatmap__cell[style*='background']").first).to_be_visible()
        expect(page.get_by_test_id("devices-table")).to_contain_text("linux")
        _charts(page, 2)
        webapp.screenshot(page, "analytics-audience", full_page=True)
        page.get_by_test_id("filter-browser").select_option("firefox")
        expect(plays).to_have_text("4")
        with page.expect_download() as download:
            page.get_by_test_id("csv-devices").click()
        rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
        assert [(r["browser"], r["os"], r["plays"]) for r in rows] == [("firefox", "linux", "4")]
        page.get_by_test_id("filter-browser").select_option("")
        expect(plays).to_have_text("12")

        page.set_viewport_size({"width": 390, "height": 844})
        _charts(page, 2)
        # The charts follow the new width on their next frame.
        fits = "() => document.documentElement.scrollWidth <= 390"
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(fits, timeout=3000)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"Audience scrolls sideways at phone width ({width}px)"
        webapp.screenshot(page, "analytics-audience-phone", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_test_id("tab-pipeline").click()
        expect(page.get_by_test_id("pipeline-jobs")).to_have_text("1")
        expect(page.get_by_test_id("median-speed")).to_contain_text("\u00d7")
        expect(page.get_by_test_id("jobs-table")).to_contain_text(re.compile("charted", re.I))
        _charts(page, 3)
        webapp.screenshot(page, "analytics-pipeline", full_page=True)
        with page.expect_download() as download:
            page.get_by_test_id("csv-jobs").click()
        jobs = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
        assert [j["status"] for j in jobs] == ["succeeded"] and int(jobs[0]["storage_bytes"]) > 0

        page.get_by_test_id("tab-users").click()
        page.get_by_test_id("users-search").fill(email)
        page.get_by_test_id("users-search").press("Enter")
        expect(page.get_by_test_id("users-row")).to_have_count(1)
        with page.expect_download() as download:
            page.get_by_test_id("csv-users").click()
        users = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
        assert [(u["email"], u["plan"], u["active"]) for u in users] == [(email, "free", "true")]
        page.get_by_test_id("users-row").get_by_role("button").click()
        detail = page.get_by_test_id("user-detail")
        expect(detail.get_by_test_id("user-plan")).to_have_text("free")
        expect(detail.get_by_test_id("user-devices")).to_contain_text("Chrome on Windows")
        webapp.screenshot(page, "analytics-users", full_page=True)
        assert httpx.get(f"{stack.base}/api/v1/auth/me", headers=viewer_headers).status_code == 200
        detail.get_by_test_id("disable-user").click()
        detail.get_by_test_id("confirm-disable").click()
        expect(detail.get_by_test_id("user-active")).to_have_text("Disabled")
        expect(page.get_by_test_id("users-row")).to_contain_text("Disabled")
        assert httpx.get(f"{stack.base}/api/v1/auth/me", headers=viewer_headers).status_code == 401
        detail.get_by_test_id("enable-user").click()
        expect(detail.get_by_test_id("user-active")).to_have_text("Active")

        # The real player reports its rendition's height: its play lands under a rung.
        _play_and_check_rung(page, stack)
    finally:
        context.close()


def _play_and_check_rung(page: Page, stack: webapp.KinemaUp) -> None:
    admin = stack.admin()
    try:
        video = webapp.wait_ready(admin)[0]
        sent: list[dict[str, Any]] = []

        def record(request: Request) -> None:
            if request.method == "POST" and request.url.endswith(f"/playback/{video['id']}/events"):
                sent.append(request.post_data_json or {})

        page.on("request", record)
        page.goto(f"{stack.base}/watch/{video['id']}?title={video['title_id']}")
        webapp.ensure_playing(page)
        # The 6 s clip plays to its end, and the player sends its report.
        for _ in range(60):
            if any(e.get("kind") == "end" for e in sent):
                break
            page.wait_for_timeout(250)
        kinds = {str(e["kind"]): e for e in sent}
        assert set(kinds) >= {"start", "end"}, sent
        for kind in ("start", "end"):
            payload = kinds[kind]["payload"]
            assert isinstance(payload, dict) and int(payload["height"]) > 0, kinds[kind]
        rung = f"{kinds['start']['payload']['height']}p"  # plays count at the start
        deadline = time.monotonic() + 10
        while True:
            page_q = admin.get("/api/v1/admin/analytics/qoe?by=rung").json()
            by_rung = {g["key"]: g for g in page_q["breakdown"]}
            seeded = 12 if rung == "360p" else 0
            if by_rung.get(rung, {}).get("plays") == seeded + 1 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert by_rung[rung]["plays"] == seeded + 1, by_rung
    finally:
        admin.close()
