"""Ads in Chromium against a real ``kinema up`` (billing off, plans set by an admin).

Two clips are ingested and transcoded: one becomes the title, the admin marks the other
as an ad creative (``PUT /api/v1/admin/ads/{video}``).

- A Free viewer with a saved resume point sees the pre-roll with its "Ad · 0:07"
  countdown and no way to seek ahead, then the title plays from its resume point; no
  progress is saved while the ad plays; the impression and completion are stored.
- A Free viewer who crosses a chapter point (a seek over it) sees the mid-roll: the
  title paused and hidden, the countdown, then the title continues where it was; no
  progress report ever carries the ad's position; the pixels say "midroll".
- A Basic viewer starts the title directly and the app never asks for an ad.
- An admin marks a video as an ad with a weight in the Ads panel (Chromium).

It is a stack of its own: its catalog holds an ad creative, which the other stacks'
tests must not meet.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect
from sqlalchemy import create_engine, select

from kinema.catalog.models import PlaybackEvent
from tests.e2e.web import webapp
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

PASSWORD = "correct horse battery"
FEATURE_S = 30
AD_S = 8
RESUME_S = 12.0
COUNTDOWN = re.compile(r"^Ad · 0:0\d$")
# The feature's chapter point for the mid-roll test (its end credits start there).
MIDROLL_AT = 18.0


@dataclass(frozen=True)
class AdsStack:
    up: webapp.KinemaUp
    base: str
    feature: dict[str, str]
    ad_video_id: str


@pytest.fixture(scope="module")
def ads_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdsStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-ads")
    feature = webapp.make_clip(root / "media" / "the-feature.mp4", seconds=FEATURE_S)
    spot = webapp.make_clip(root / "media" / "soda-spot.mp4", seconds=AD_S, size="320x180")
    # Mid-rolls with no spacing: the test's break comes seconds after the pre-roll.
    up = webapp.KinemaUp(
        data_dir=root / "data",
        port=free_port(),
        ingest=[feature, spot],
        env={"KINEMA_ADS_MIDROLL_SPACING_S": "0"},
    )
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            videos = webapp.wait_ready(admin)
            assert len(videos) == 2, videos
            title, ad = sorted(videos, key=lambda v: -float(v["duration_s"] or 0))
            r = admin.patch(
                f"/api/v1/admin/videos/{title['id']}",
                json={"title": "The Feature", "published": True},
            )
            assert r.status_code == 200, r.text
            r = admin.put(f"/api/v1/admin/ads/{ad['id']}", json={"weight": 1})
            assert r.status_code == 201, r.text
        finally:
            admin.close()
        yield AdsStack(up=up, base=up.base, feature=title, ad_video_id=ad["id"])
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _viewer(stack: AdsStack, plan: str) -> tuple[str, httpx.Client]:
    """A new viewer on ``plan`` (set by the admin); returns (email, their API client)."""
    email = f"viewer-{uuid.uuid4().hex[:8]}@example.com"
    client = httpx.Client(base_url=stack.base, timeout=30)
    r = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    user_id = client.get("/api/v1/auth/me").json()["id"]
    stack.up.set_plan(user_id, plan)
    return email, client


def _signed_in(browser: Browser, stack: AdsStack, email: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    page = context.new_page()
    webapp.login(page, stack.base, email=email, password=PASSWORD)
    return context, page


def _requests(page: Page) -> list[tuple[float, Request]]:
    seen: list[tuple[float, Request]] = []
    page.on("request", lambda r: seen.append((time.monotonic(), r)))
    return seen


def _ad_time(page: Page) -> float:
    js = "() => document.querySelector('[data-testid=ad-break] video').currentTime"
    return float(page.evaluate(js))


def _ad_events(stack: AdsStack, *, break_: str | None = None) -> list[str]:
    """The ad's stored pixel kinds (of one break, ``preroll`` or ``midroll``, if given)."""
    engine = create_engine(f"sqlite:///{stack.up.data_dir / 'kinema.db'}")
    try:
        with engine.connect() as db:
            rows = db.execute(
                select(PlaybackEvent.kind, PlaybackEvent.payload).where(
                    PlaybackEvent.video_id == uuid.UUID(stack.ad_video_id)
                )
            )
            return sorted(
                str(kind)
                for kind, payload in rows
                if break_ is None or (payload or {}).get("break") == break_
            )
    finally:
        engine.dispose()


def _play_ad(page: Page) -> None:
    """Wait for the ad break to play, pressing its play button if autoplay was refused."""
    ad = page.get_by_test_id("ad-break")
    deadline = time.monotonic() + 20
    while ad.get_attribute("data-playing") != "true" and time.monotonic() < deadline:
        big = ad.locator(".player__big-play")
        if big.is_visible():
            big.click()
        page.wait_for_timeout(250)
    assert ad.get_attribute("data-playing") == "true"


def _chapters(stack: AdsStack, chapters: dict[str, float | None]) -> None:
    admin = stack.up.admin()
    try:
        r = admin.patch(f"/api/v1/admin/videos/{stack.feature['id']}", json={"chapters": chapters})
        assert r.status_code == 200, r.text
    finally:
        admin.close()


def test_free_viewer_sees_the_preroll_then_the_title_from_its_resume_point(
    browser: Browser, ads_stack: AdsStack
) -> None:
    feature = ads_stack.feature
    email, api = _viewer(ads_stack, "free")
    try:
        r = api.put(
            f"/api/v1/progress/{feature['id']}",
            json={"position_s": RESUME_S, "duration_s": FEATURE_S},
        )
        assert r.status_code in (200, 204), r.text
    finally:
        api.close()
    context, page = _signed_in(browser, ads_stack, email)
    try:
        requests = _requests(page)
        page.goto(f"{ads_stack.base}/watch/{feature['id']}?title={feature['title_id']}")
        ad = page.get_by_test_id("ad-break")
        expect(ad).to_be_visible()
        countdown = page.get_by_test_id("ad-countdown")
        expect(countdown).to_have_text(COUNTDOWN)
        # Autoplay refused: the ad's own play button starts it.
        deadline = time.monotonic() + 20
        while ad.get_attribute("data-playing") != "true" and time.monotonic() < deadline:
            big = ad.locator(".player__big-play")
            if big.is_visible():
                big.click()
            page.wait_for_timeout(250)
        assert ad.get_attribute("data-playing") == "true"
        # Nothing to seek with, and a seek forced on the element is undone.
        assert ad.get_by_role("slider").count() == 0
        assert page.get_by_test_id("player").count() == 0
        before = _ad_time(page)
        page.evaluate(
            "() => { document.querySelector('[data-testid=ad-break] video').currentTime = 7.5 }"
        )
        page.wait_for_timeout(500)
        assert _ad_time(page) < before + 2, (before, _ad_time(page))
        webapp.screenshot(page, "ads-preroll")

        # The ad ends by itself; the title starts at its resume point.
        expect(ad).to_be_hidden(timeout=(AD_S + 15) * 1000)
        ad_ended = time.monotonic()
        webapp.ensure_playing(page)
        position = float(page.evaluate("() => document.querySelector('video').currentTime"))
        assert RESUME_S - 1 <= position <= RESUME_S + 8, position

        urls = [(at, r.method, r.url) for at, r in requests]
        decisions = [u for _, _, u in urls if "/api/v1/ads/decision" in u]
        assert len(decisions) == 1, decisions
        assert any("/api/v1/ads/media/" in u for _, _, u in urls)
        early_progress = [
            u for at, m, u in urls if m == "PUT" and "/api/v1/progress/" in u and at < ad_ended
        ]
        assert not early_progress, early_progress
    finally:
        context.close()

    # The pixels reached the API: stored as analytics events on the creative.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kinds = _ad_events(ads_stack)
        if {"ad_impression", "ad_complete"} <= set(kinds):
            break
        time.sleep(0.25)
    assert kinds.count("ad_impression") == 1, kinds
    assert kinds.count("ad_complete") == 1, kinds
    assert {"ad_start", "ad_first_quartile", "ad_midpoint", "ad_third_quartile"} <= set(kinds)


def test_free_viewer_gets_a_midroll_at_a_chapter_point_then_the_title_continues(
    browser: Browser, ads_stack: AdsStack
) -> None:
    feature = ads_stack.feature
    _chapters(ads_stack, {"credits_start_s": MIDROLL_AT})
    email, api = _viewer(ads_stack, "free")
    try:
        r = api.put(
            f"/api/v1/progress/{feature['id']}",
            json={"position_s": RESUME_S, "duration_s": FEATURE_S},
        )
        assert r.status_code in (200, 204), r.text
    finally:
        api.close()
    context, page = _signed_in(browser, ads_stack, email)
    title_video = "document.querySelector('[data-testid=title-player] video')"
    try:
        requests = _requests(page)
        page.goto(f"{ads_stack.base}/watch/{feature['id']}?title={feature['title_id']}")
        ad = page.get_by_test_id("ad-break")
        expect(ad).to_have_attribute("data-break", "preroll")
        _play_ad(page)
        expect(ad).to_be_hidden(timeout=(AD_S + 15) * 1000)
        webapp.ensure_playing(page)

        # A seek over the chapter point: the mid-roll, the title paused and hidden.
        page.evaluate(f"() => {{ {title_video}.currentTime = {MIDROLL_AT + 1.5} }}")
        expect(ad).to_have_attribute("data-break", "midroll", timeout=10_000)
        expect(page.get_by_test_id("ad-countdown")).to_have_text(COUNTDOWN)
        expect(page.get_by_test_id("title-player")).to_be_hidden()
        _play_ad(page)
        held = float(page.evaluate(f"() => {title_video}.currentTime"))
        assert MIDROLL_AT < held <= MIDROLL_AT + 2, held
        # The title cannot be played nor moved underneath the ad.
        page.evaluate(f"() => {{ {title_video}.play().catch(() => {{}}) }}")
        page.evaluate(f"() => {{ {title_video}.currentTime = 25 }}")
        page.wait_for_timeout(500)
        assert page.evaluate(f"() => {title_video}.paused") is True
        assert abs(float(page.evaluate(f"() => {title_video}.currentTime")) - held) < 0.2
        webapp.screenshot(page, "ads-midroll")

        # The ad ends; the title continues from where it was.
        expect(ad).to_be_hidden(timeout=(AD_S + 15) * 1000)
        expect(page.get_by_test_id("title-player")).to_be_visible()
        webapp.ensure_playing(page)
        position = float(page.evaluate(f"() => {title_video}.currentTime"))
        assert held - 0.1 <= position <= held + 4, (held, position)

        urls = [(r.method, r.url, r.post_data) for _, r in requests]
        decisions = [u for _, u, _ in urls if "/api/v1/ads/decision" in u]
        assert len(decisions) == 2, decisions
        assert "break=preroll" in decisions[0] and "break=18" in decisions[1], decisions
        reported = [
            float(json.loads(body)["position_s"])
            for m, u, body in urls
            if m == "PUT" and "/api/v1/progress/" in u and body
        ]
        # Every report is the title's position (never the ad's 0-8 s).
        assert reported and min(reported) >= RESUME_S - 1, reported
    finally:
        context.close()
        _chapters(ads_stack, {"credits_start_s": None})

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        kinds = _ad_events(ads_stack, break_="midroll")
        if {"ad_impression", "ad_complete"} <= set(kinds):
            break
        time.sleep(0.25)
    assert kinds.count("ad_impression") == 1, kinds
    assert kinds.count("ad_complete") == 1, kinds


def test_basic_viewer_starts_the_title_directly_and_never_asks_for_an_ad(
    browser: Browser, ads_stack: AdsStack
) -> None:
    feature = ads_stack.feature
    email, api = _viewer(ads_stack, "basic")
    api.close()
    context, page = _signed_in(browser, ads_stack, email)
    try:
        requests = _requests(page)
        page.goto(f"{ads_stack.base}/watch/{feature['id']}?title={feature['title_id']}")
        webapp.ensure_playing(page)
        page.wait_for_timeout(1000)
        assert page.get_by_test_id("ad-break").count() == 0
        asked = [r.url for _, r in requests if "/api/v1/ads/" in r.url]
        assert not asked, asked
    finally:
        context.close()


def test_admin_marks_a_video_as_an_ad_with_a_weight_in_the_panel(
    browser: Browser, ads_stack: AdsStack
) -> None:
    ad_id = ads_stack.ad_video_id
    admin = ads_stack.up.admin()
    try:
        # The stack's creative is unmarked, then marked again through the panel.
        assert admin.delete(f"/api/v1/admin/ads/{ad_id}").status_code == 200
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        try:
            webapp.login(page, ads_stack.base)
            page.goto(f"{ads_stack.base}/admin")
            panel = page.get_by_test_id("admin-ads")
            expect(panel.get_by_text("No ad creatives yet")).to_be_visible()
            form = panel.get_by_test_id("ad-mark-form")
            form.get_by_label("Video", exact=True).select_option(ad_id)
            form.get_by_label("Weight").fill("7")
            form.get_by_role("button", name="Mark as ad").click()
            expect(panel.get_by_test_id("ads-note")).to_contain_text("is now an ad creative")
            row = panel.locator(f"[data-testid=ad-creative][data-video='{ad_id}']")
            expect(row.get_by_test_id("ad-weight")).to_have_text("7")
            expect(row.get_by_test_id("ad-active")).to_have_text("Active")
            # The video is no longer offered to mark; the feature still is.
            picker = form.get_by_label("Video", exact=True)
            expect(picker.locator(f"option[value='{ad_id}']")).to_have_count(0)
            expect(picker.locator(f"option[value='{ads_stack.feature['id']}']")).to_have_count(1)
            webapp.screenshot(page, "ads-admin-panel")
        finally:
            context.close()
        listed = admin.get("/api/v1/admin/ads").json()
        assert [(c["video_id"], c["weight"], c["active"]) for c in listed] == [(ad_id, 7, True)]
    finally:
        if not admin.get("/api/v1/admin/ads").json():
            admin.put(f"/api/v1/admin/ads/{ad_id}", json={"weight": 1})
        admin.close()
