"""More of the player and the admin page in Chromium against real ``kinema up`` stacks:
switching audio language, the error overlay and its Retry, full screen and
Picture-in-Picture, the Cast button's absence without the Cast SDK, and editing and
deleting a video as an admin.

These need titles of their own (a source with two audio languages; a video that may
disappear) and leave watch progress behind, so this module starts a second stack rather
than changing what the session stack's tests see (a "Continue watching" row on Home).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.e2e.web import webapp
from tests.utils.media import Source, make_source
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

BILINGUAL = "Two Tongues"
SPARE = "Short Lived"
SPARE_DESCRIPTION = "A clip that the admin test renames and then deletes."
MANIFESTS = re.compile(r"/api/v1/stream/.+/(master\.m3u8|manifest\.mpd)$")


@dataclass(frozen=True)
class Extra:
    up: webapp.KinemaUp
    base: str
    bilingual: dict[str, Any]
    spare: dict[str, Any]


@pytest.fixture(scope="module")
def extra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Extra]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-extra")
    bilingual = make_source(
        Source(size="640x360", rate="25", duration=20, audio_languages=("eng", "spa")),
        root / "media",
    )
    spare = webapp.make_clip(root / "media" / "short-lived.mp4", seconds=6)
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[bilingual, spare])
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            videos = {_file_name(v["source"]): v for v in webapp.wait_ready(admin)}
            by_file = {
                BILINGUAL: videos[bilingual.name],
                SPARE: videos[spare.name],
            }
            for title, video in by_file.items():
                body: dict[str, Any] = {"title": title, "published": True}
                if title == SPARE:
                    body["description"] = SPARE_DESCRIPTION
                r = admin.patch(f"/api/v1/admin/videos/{video['id']}", json=body)
                assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield Extra(up=up, base=up.base, bilingual=by_file[BILINGUAL], spare=by_file[SPARE])
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


def _file_name(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def _wait_until(page: Page, check: Any, timeout_s: float = 15) -> bool:
    """Poll ``check`` (a plain callable) while the page keeps running its events."""
    for _ in range(int(timeout_s * 4)):
        if check():
            return True
        page.wait_for_timeout(250)
    return bool(check())


def _video(page: Page, expr: str) -> Any:
    return page.evaluate(f"() => {{ const v = document.querySelector('video'); return {expr}; }}")


def _show_controls(page: Page) -> None:
    page.mouse.move(400, 300)
    page.mouse.move(420, 320)


def _watch(page: Page, base: str, video: dict[str, Any]) -> None:
    page.goto(f"{base}/watch/{video['id']}?title={video['title_id']}")
    webapp.ensure_playing(page)


def _advances(page: Page, by: float = 0.8) -> None:
    t0 = _video(page, "v.currentTime")
    page.wait_for_function(
        f"() => document.querySelector('video').currentTime > {t0 + by}", timeout=15_000
    )


def test_switching_audio_language(page: Page, extra: Extra) -> None:
    webapp.login(page, extra.base)
    _watch(page, extra.base, extra.bilingual)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))

    _show_controls(page)
    page.get_by_role("button", name="Subtitles", exact=True).click()
    dialog = page.get_by_role("dialog", name="Subtitles")
    audio = dialog.locator("fieldset", has_text="Audio")
    expect(audio.get_by_label("English")).to_be_checked()
    first_new = len(requested)
    audio.get_by_label("Español").check()
    page.keyboard.press("Escape")

    # The player now streams the Spanish rendition...
    segment = re.compile(r"/audio/es/seg_\d+\.m4s")
    assert _wait_until(page, lambda: any(segment.search(u) for u in requested[first_new:])), [
        u for u in requested[first_new:] if "/audio/" in u
    ]
    # ...Shaka reports Spanish as the active audio track, and playback goes on.
    _show_controls(page)
    page.get_by_role("button", name="Subtitles", exact=True).click()
    expect(audio.get_by_label("Español")).to_be_checked()
    expect(audio.get_by_label("English")).not_to_be_checked()
    page.keyboard.press("Escape")
    _advances(page)
    assert page.get_by_test_id("player").get_attribute("data-error") is None


def test_skip_intro_from_the_chapters_the_api_gives(page: Page, extra: Extra) -> None:
    video = extra.bilingual
    admin = extra.up.admin()
    try:
        chapters = {"intro_start_s": 2.0, "intro_end_s": 12.0, "credits_start_s": None}
        r = admin.patch(f"/api/v1/admin/videos/{video['id']}", json={"chapters": chapters})
        assert r.status_code == 200, r.text
        try:
            webapp.login(page, extra.base)
            _watch(page, extra.base, video)
            skip = page.get_by_role("button", name="Skip intro", exact=True)
            page.evaluate("() => { document.querySelector('video').currentTime = 3; }")
            expect(skip).to_be_visible()
            # The seek bar marks the intro too.
            expect(page.get_by_test_id("player").locator(".seekbar__intro")).to_have_count(1)
            skip.click()
            page.wait_for_function("() => document.querySelector('video').currentTime >= 11.9")
            expect(skip).to_have_count(0)
        finally:
            cleared = {"intro_start_s": None, "intro_end_s": None, "credits_start_s": None}
            admin.patch(f"/api/v1/admin/videos/{video['id']}", json={"chapters": cleared})
    finally:
        admin.close()


def test_error_overlay_then_retry_resumes(page: Page, extra: Extra) -> None:
    video = extra.bilingual
    webapp.login(page, extra.base)
    blocked: list[str] = []

    def refuse(route: Route, request: Request) -> None:
        blocked.append(request.url)
        route.abort("connectionrefused")

    page.route(MANIFESTS, refuse)
    page.goto(f"{extra.base}/watch/{video['id']}?title={video['title_id']}")
    alert = page.get_by_role("alert")
    # Shaka retries each manifest (HLS, then the DASH fallback) before giving up.
    expect(alert).to_be_visible(timeout=40_000)
    expect(alert).to_contain_text("Something went wrong while playing this video.")
    retry = alert.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    assert page.get_by_test_id("player").get_attribute("data-error") is not None
    assert any(u.endswith("master.m3u8") for u in blocked), blocked
    webapp.screenshot(page, "watch-error")

    page.unroute(MANIFESTS)
    retry.click()
    webapp.ensure_playing(page)
    expect(alert).to_have_count(0)
    assert page.get_by_test_id("player").get_attribute("data-error") is None
    _advances(page)


def test_fullscreen_pip_and_no_cast_button_without_the_sdk(page: Page, extra: Extra) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    cast_requests: list[Request] = []
    page.on(
        "request",
        lambda r: cast_requests.append(r) if "gstatic.com/cv/js/sender" in r.url else None,
    )
    webapp.login(page, extra.base)
    _watch(page, extra.base, extra.bilingual)
    player = page.get_by_test_id("player")

    # Full screen by the button, out by the button.
    _show_controls(page)
    page.get_by_role("button", name="Full screen", exact=True).click()
    page.wait_for_function("() => document.fullscreenElement?.dataset.testid === 'player'")
    _show_controls(page)
    page.get_by_role("button", name="Exit full screen", exact=True).click()
    page.wait_for_function("() => document.fullscreenElement === null")
    # And by the keyboard: f in, f out.
    page.locator("body").press("f")
    page.wait_for_function("() => document.fullscreenElement?.dataset.testid === 'player'")
    expect(page.get_by_role("button", name="Exit full screen", exact=True)).to_have_count(1)
    page.locator("body").press("f")
    page.wait_for_function("() => document.fullscreenElement === null")

    # Picture-in-Picture: headless Chromium supports it, so the button must work.
    assert page.evaluate("() => document.pictureInPictureEnabled") is True
    _show_controls(page)
    pip = page.get_by_role("button", name="Picture-in-Picture", exact=True)
    pip.click()
    page.wait_for_function(
        "() => document.pictureInPictureElement === document.querySelector('video')"
    )
    expect(pip).to_have_attribute("aria-pressed", "true")
    _show_controls(page)
    pip.click()
    page.wait_for_function("() => document.pictureInPictureElement === null")
    expect(pip).to_have_attribute("aria-pressed", "false")

    # Google Cast: the sender SDK is asked for only after playback started, and with no
    # way to reach Google (tests run offline) there is no Cast button. (Where Google is
    # reachable and no Cast device is around, there is none either.)
    assert _wait_until(page, lambda: bool(cast_requests)), "the Cast sender SDK was never asked for"
    cast_requests[0].response()  # settles once the request finished or failed
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("cast-button")).to_have_count(0)
    assert player.get_attribute("data-error") is None


def test_admin_edits_then_deletes_a_video(page: Page, extra: Extra) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    video = extra.spare
    renamed = "Renamed By The Admin"
    described = "Edited in the admin page by the end-to-end suite."
    webapp.login(page, extra.base)
    page.goto(f"{extra.base}/admin")
    row = page.locator(f"[data-testid=admin-video][data-video-id='{video['id']}']")
    expect(row).to_contain_text(SPARE)
    row.get_by_role("button", name="Edit", exact=True).click()
    form = page.get_by_role("form", name=f"Edit “{SPARE}”")
    # The form fills the description in from the title once it has loaded: typing before
    # that would be overwritten, so wait for it.
    expect(form.get_by_label("Description")).to_have_value(SPARE_DESCRIPTION)
    form.get_by_label("Title", exact=True).fill(renamed)
    form.get_by_label("Description").fill(described)
    form.get_by_label("Intro starts at (seconds)").fill("1.5")
    form.get_by_label("Intro ends at (seconds)").fill("3")
    webapp.screenshot(page, "admin-edit")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(form).to_have_count(0)
    expect(row).to_contain_text(renamed)
    saved = page.request.get(f"{extra.base}/api/v1/admin/videos/{video['id']}").json()
    assert saved["chapters"] == {"intro_start_s": 1.5, "intro_end_s": 3, "credits_start_s": None}

    page.goto(f"{extra.base}/title/{video['title_id']}")
    expect(page.get_by_role("heading", level=1, name=renamed)).to_be_visible()
    expect(page.get_by_text(described)).to_be_visible()

    page.goto(f"{extra.base}/admin")
    expect(row).to_contain_text(renamed)
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row.get_by_role("button", name="Delete", exact=True).click()
    expect(row).to_have_count(0)
    assert dialogs and renamed in dialogs[0], dialogs
    # The other video of this stack is still listed.
    expect(
        page.locator(f"[data-testid=admin-video][data-video-id='{extra.bilingual['id']}']")
    ).to_have_count(1)

    page.goto(f"{extra.base}/title/{video['title_id']}")
    expect(page.get_by_text("This title does not exist or is not available.")).to_be_visible()
    gone = page.request.get(f"{extra.base}/api/v1/titles/{video['title_id']}")
    assert gone.status == 404, gone.text()
