"""The web app in Debian's Chromium against the real stack (``kinema up``, real
transcoded CMAF): what a viewer and an admin do, checked by what they would see."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.web import webapp
from tests.utils.browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.e2e]

SEGMENT = re.compile(r"/video/(\d+p)/seg_\d+\.m4s")


def _video(page: Page, expr: str) -> Any:
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); return {expr}; }}")


_ensure_playing = webapp.ensure_playing


def _open_player(page: Page, stack: Any) -> None:
    webapp.login(page, stack.base)
    page.goto(f"{stack.base}/title/{stack.title_id}")
    page.get_by_test_id("play-link").click()
    page.wait_for_url(f"**/watch/{stack.video_id}**")
    _ensure_playing(page)


def _assert_accessible(page: Page, name: str) -> None:
    violations = webapp.axe_violations(page)
    assert not violations, f"axe on {name}: {violations}"


def test_login_pick_profile_browse_and_title_page(page: Page, stack: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    webapp.login(page, stack.base)
    # Cards are real links (<a href>): they open in a new tab and read as links. A
    # "Continue watching" card of the same title (left by another test) links to the
    # player instead, so the title-page link is picked by its href, not by position.
    card = page.locator(
        f"a[data-testid=title-card][data-title-id='{stack.title_id}']"
        f"[href='/title/{stack.title_id}']"
    ).first
    expect(card).to_be_visible()
    # The hero shows the newest title: this one, or one another test uploaded before.
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_timeout(300)  # let poster images settle for the screenshot
    webapp.screenshot(page, "home", full_page=True)
    _assert_accessible(page, "home")

    card.click()
    page.wait_for_url(f"**/title/{stack.title_id}")
    expect(page.get_by_text(webapp.DESCRIPTION)).to_be_visible()
    play = page.get_by_test_id("play-link")
    assert play.get_attribute("href") == f"/watch/{stack.video_id}?title={stack.title_id}"
    webapp.screenshot(page, "title")
    _assert_accessible(page, "title")

    # Phone width: still one column, nothing overflowing sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{stack.base}/")
    expect(card).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 392
    webapp.screenshot(page, "home-phone")


def test_language_follows_browser_and_switches(browser: Any, stack: Any) -> None:
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    try:
        page.goto(f"{stack.base}/login")
        expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
        assert page.evaluate("() => document.documentElement.lang") == "es"
        page.get_by_label("Idioma").select_option("en")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.reload()  # the choice is remembered
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        context.close()


def test_play_advances_without_error(page: Page, stack: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    events: list[Any] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/{stack.video_id}/events"):
            events.append(request.post_data_json)

    page.on("request", on_request)
    _open_player(page, stack)
    t0 = _video(page, "v.currentTime")
    page.wait_for_timeout(2500)
    t1 = _video(page, "v.currentTime")
    assert t1 > t0 + 1.0, (t0, t1)
    assert page.get_by_test_id("player").get_attribute("data-error") is None
    assert not page.get_by_role("alert").is_visible()
    # The player reported its startup time to the API.
    starts = [e for e in events if e["kind"] == "start"]
    assert starts and starts[0]["payload"]["startup_ms"] > 0, events
    # Trickplay: hovering the seek bar shows a sprite tile of that moment.
    bar = page.locator(".seekbar").bounding_box()
    assert bar is not None
    page.mouse.move(bar["x"] + bar["width"] * 0.6, bar["y"] + bar["height"] / 2)
    expect(page.get_by_test_id("trickplay-thumb")).to_be_visible()
    webapp.screenshot(page, "watch")
    _assert_accessible(page, "watch")


def test_manual_rung_fetches_that_rungs_segments(page: Page, stack: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _open_player(page, stack)
    webapp.show_controls(page)
    page.get_by_role("button", name="Settings", exact=True).click()
    dialog = page.get_by_role("dialog", name="Settings")
    rungs = [
        label
        for label in dialog.locator("fieldset", has_text="Quality")
        .locator("label")
        .all_inner_texts()
        if re.fullmatch(r"\d+p", label.strip())
    ]
    assert len(rungs) >= 2, rungs
    lowest = min(rungs, key=lambda r: int(r[:-1]))
    first_new = len(requested)
    dialog.get_by_label(lowest, exact=True).check()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("player")).to_have_attribute("data-playing", "true")
    # After the switch, segments of the chosen rung are fetched, and from the first of
    # them on, no other rung's.
    deadline = time.monotonic() + 15
    after: list[str] = []
    while time.monotonic() < deadline:
        after = [m.group(1) for u in requested[first_new:] if (m := SEGMENT.search(u))]
        if after.count(lowest) >= 2 or (
            after and _video(page, "v.videoHeight") == int(lowest[:-1])
        ):
            break
        page.wait_for_timeout(250)
    assert lowest in after, (lowest, after)
    tail = after[after.index(lowest) :]
    assert set(tail) == {lowest}, tail
    page.wait_for_function(f"() => document.querySelector('video').videoHeight === {lowest[:-1]}")


def test_subtitles_show_the_cue_at_its_time(page: Page, stack: Any) -> None:
    _open_player(page, stack)
    webapp.choose(page, "Subtitles", re.compile(r"eng|English", re.I))
    page.evaluate("() => { document.querySelector('video').currentTime = 2.5; }")
    cue = page.locator(".shaka-text-container").get_by_text(webapp.CUES["eng"][0][2])
    expect(cue).to_be_visible(timeout=10_000)
    # Later, the second cue replaces it.
    page.evaluate("() => { document.querySelector('video').currentTime = 13; }")
    expect(
        page.locator(".shaka-text-container").get_by_text(webapp.CUES["eng"][1][2])
    ).to_be_visible(timeout=10_000)
    expect(cue).to_have_count(0)
    # "c" turns captions off.
    page.locator("body").press("c")
    expect(
        page.locator(".shaka-text-container").get_by_text(webapp.CUES["eng"][1][2])
    ).to_have_count(0)


def test_speed_one_and_a_half(page: Page, stack: Any) -> None:
    _open_player(page, stack)
    webapp.choose(page, "Settings", "1.5x")
    assert _video(page, "v.playbackRate") == 1.5
    _ensure_playing(page)
    start = _video(page, "[v.currentTime, performance.now()]")
    page.wait_for_timeout(3000)
    end = _video(page, "[v.currentTime, performance.now()]")
    ratio = (end[0] - start[0]) / ((end[1] - start[1]) / 1000)
    assert 1.25 < ratio < 1.75, ratio


def test_reload_resumes_where_it_stopped(page: Page, stack: Any) -> None:
    _open_player(page, stack)
    page.evaluate("() => { document.querySelector('video').currentTime = 15; }")
    page.wait_for_function(
        "() => document.querySelector('video').currentTime > 16.5", timeout=15_000
    )
    stopped = _video(page, "v.currentTime")
    page.reload()
    _ensure_playing(page)
    resumed = _video(page, "v.currentTime")
    assert abs(resumed - stopped) <= 10, (stopped, resumed)
    assert resumed >= 8, (stopped, resumed)  # resumed, not restarted


# Every media element's `playing` events, in order: [element number, currentTime].
PLAYING_PROBE = """
window.__videos = [];
window.__playing = [];
document.addEventListener('playing', (e) => {
  let n = window.__videos.indexOf(e.target);
  if (n < 0) n = window.__videos.push(e.target) - 1;
  window.__playing.push([n, e.target.currentTime]);
}, true);
"""


def test_cold_watch_page_plays_first_then_the_player_takes_over(
    stack: Any, playwright_driver: Any
) -> None:
    """A cold /watch page (watch.html) plays its first frame on the boot's own <video>,
    before Shaka has run; Shaka then takes over on a <video> of its own, on from where
    the first one got to, and the Player adopts that one."""
    browser = playwright_driver.chromium.launch(
        executable_path="/usr/bin/chromium",
        headless=True,
        args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
    )
    try:
        context = browser.new_context()
        r = context.request.post(
            f"{stack.base}/api/v1/auth/login",
            data={"email": webapp.ADMIN_EMAIL, "password": webapp.ADMIN_PASSWORD},
        )
        assert r.ok, r.text()
        r = context.request.put(
            f"{stack.base}/api/v1/progress/{stack.video_id}", data={"position_s": 14.2}
        )
        assert r.ok, r.text()
        context.add_init_script(
            "localStorage.setItem('kinema.profileChosen', '1');" + PLAYING_PROBE
        )
        page = context.new_page()
        page.goto(f"{stack.base}/watch/{stack.video_id}?title={stack.title_id}")
        _ensure_playing(page)
        page.wait_for_function("() => window.__playing.some(([n]) => n === 1)")
        playing = page.evaluate("() => window.__playing")
        # The boot's quick start showed the first frame, at the resume point...
        assert playing[0][0] == 0, playing
        assert abs(playing[0][1] - 14.2) < 0.05, playing
        # ...and is gone: the one <video> left is the Player's, which Shaka played on
        # from a moment later (it waited half a second ahead), not from the start again.
        assert page.evaluate("() => window.__videos[0].isConnected") is False
        assert page.locator("video").count() == 1
        assert page.evaluate(
            "() => window.__videos[1] === document.querySelector('[data-testid=player] video')"
        )
        took_over = next(t for n, t in playing if n == 1)
        assert 14.2 < took_over < 16.5, playing
        t0 = _video(page, "v.currentTime")
        page.wait_for_timeout(1500)
        assert _video(page, "v.currentTime") > t0 + 0.5
        context.close()
    finally:
        browser.close()


def test_my_list_row_shows_the_title(page: Page, stack: Any) -> None:
    webapp.login(page, stack.base)
    page.goto(f"{stack.base}/title/{stack.title_id}")
    toggle = page.get_by_test_id("my-list-toggle")
    if toggle.get_attribute("aria-pressed") == "true":  # left over from a rerun
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="Home").first.click()
    row = page.get_by_test_id("row-my-list")
    expect(row.locator(f"[data-title-id='{stack.title_id}']")).to_be_visible()
    page.get_by_role("link", name="My List").first.click()
    # Navigations run as React transitions: the URL changes while Home is still on screen,
    # so look inside the My List page's grid, which Home does not have.
    expect(page).to_have_url(re.compile(r"/my-list$"))
    expect(page.locator(f"main ul.grid [data-title-id='{stack.title_id}']")).to_be_visible()


def test_search_finds_the_title_by_a_word_of_its_description(page: Page, stack: Any) -> None:
    webapp.login(page, stack.base)
    page.get_by_role("searchbox", name="Search titles, people, genres").fill(webapp.SEARCH_WORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/search?q={webapp.SEARCH_WORD}")
    # The results grid, not Home's rows, which may still be on screen during the transition.
    result = page.locator(f"main ul.grid [data-title-id='{stack.title_id}']")
    expect(result).to_be_visible()
    expect(result).to_contain_text(webapp.TITLE)
    page.get_by_label("Search titles, people, genres").last.fill("zeppelinquasar")
    expect(page.get_by_text("No titles match")).to_be_visible()


def test_admin_upload_progress_then_playable(page: Page, stack: Any, tmp_path: Path) -> None:
    clip = webapp.make_clip(
        tmp_path / "upload-check.mp4", seconds=8, video_bitrate="24M", noise=True
    )
    assert clip.stat().st_size > 2 * 8 * 1024 * 1024  # several tus chunks
    page.set_viewport_size({"width": 1280, "height": 900})
    webapp.login(page, stack.base)
    page.goto(f"{stack.base}/admin")
    page.set_input_files("#up-file", str(clip))
    page.get_by_label("Title", exact=True).fill("Upload Check")
    page.get_by_label("Description").fill("Uploaded through the browser by the e2e suite.")
    # Sample the progress bar as fast as the page can, from inside the page.
    page.evaluate(
        """() => { window.__progress = [];
            const tick = () => {
                const bar = document.querySelector('[data-testid=upload-progress]');
                if (bar) window.__progress.push(Number(bar.value));
                window.__tick = requestAnimationFrame(tick); };
            tick(); }"""
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Upload complete")).to_be_visible(timeout=60_000)
    values = page.evaluate(
        "() => { cancelAnimationFrame(window.__tick); return window.__progress; }"
    )
    assert values and values[-1] == 100, values[-5:]
    assert any(0 < v < 100 for v in values), sorted(set(values))
    assert values == sorted(values), "the bar never goes backwards"
    row = page.locator("[data-testid=admin-video]", has_text="Upload Check")
    expect(row).to_be_visible()
    webapp.screenshot(page, "admin-processing", full_page=True)
    expect(row).to_have_attribute("data-status", "ready", timeout=180_000)
    webapp.screenshot(page, "admin", full_page=True)
    _assert_accessible(page, "admin")
    row.get_by_role("link", name="Watch").click()
    _ensure_playing(page)
    t0 = _video(page, "v.currentTime")
    page.wait_for_timeout(1500)
    assert _video(page, "v.currentTime") > t0
