"""Recommendations in Chromium against a real ``kinema up``: a profile that finished two
heist films sees the third in "Because you watched", with its reason; a kids profile's
personal rows and "More like this" never show a title above its maturity; an artwork
test started and ended in the admin panel (with an image the admin uploaded beside the
transcoder's candidates) leaves its winner as the poster.

The stack transcodes nothing: titles with ready (catalog-side) videos are written into
its SQLite catalog with the test factories, and the other viewers' history with the
catalog services, so the stack starts in seconds. ``KINEMA_RECOMMEND_INTERVAL_S=2``
makes the embedded training loop retrain every two seconds.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Page, expect

from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.models import Maturity
from kinema.catalog.services import accounts, viewing
from kinema.output import REPORT_FILE, PosterCandidate, TranscodeReport
from kinema.settings import Settings
from kinema.storage import join_key
from kinema.storage.urls import store_from_settings
from tests.e2e.web import webapp
from tests.utils.factories import make_ready_video, make_title, make_user
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

CATALOG: dict[str, tuple[list[str], list[str], Maturity]] = {
    "The Vault": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Night Crew": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Casino Job": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Blood Money": (["Thriller"], ["Heist"], Maturity.ADULT),
    "Puppy Park": (["Animation", "Family"], [], Maturity.ALL),
    "Bunny Hop": (["Animation", "Family"], [], Maturity.ALL),
    "Robot Pals": (["Animation"], ["Robots"], Maturity.KIDS),
}
ABOVE_KIDS = {n for n, (_, _, m) in CATALOG.items() if m.level > Maturity.KIDS.level}
# Robot Pals' poster candidates, told apart in the page by their widths.
POSTER_WIDTHS = (40, 50, 60)
# An image the admin uploads (each side at least 100 pixels).
UPLOAD_WIDTH = 120
POSTER_URIS = [f"posters/poster_{n:09d}.png" for n in (1000, 4000, 7000)]


def _png(width: int, height: int) -> bytes:
    """A grey PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _poster_candidates(settings: Settings, prefix: str) -> None:
    """What the transcoder keeps: the images under posters/, listed in kinema.json."""
    store = store_from_settings(settings)
    try:
        for uri, width in zip(POSTER_URIS, POSTER_WIDTHS, strict=True):
            store.put_bytes(_png(width, width * 3 // 2), join_key(prefix, uri))
        report = TranscodeReport(
            status="complete", posters=[PosterCandidate(uri=u) for u in POSTER_URIS]
        )
        store.put_bytes(report.model_dump_json().encode(), join_key(prefix, REPORT_FILE))
    finally:
        store.close()


@dataclass(frozen=True)
class DiscoveryStack:
    up: webapp.KinemaUp
    base: str
    ids: dict[str, str]


def _seed(settings: Settings) -> dict[str, Any]:
    """The catalog, and other viewers who watch heist films (the mature one included,
    so it is popular) or cartoons."""
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as s:
            ids: dict[str, Any] = {}
            for name, (genres, tags, maturity) in CATALOG.items():
                title = make_title(s, name=name, genres=genres, tags=tags, maturity=maturity)
                ids[name] = title.id
                video = make_ready_video(s, title=title, duration_s=100)
                ids[f"{name}/video"] = video.id
                if name == "Robot Pals":
                    video.poster_path = POSTER_URIS[0]
                    _poster_candidates(settings, video.output_prefix or "")
            groups = (["Blood Money", "The Vault", "Night Crew", "Casino Job"],
                      ["Puppy Park", "Bunny Hop"])  # fmt: skip
            for n in range(6):
                user = make_user(s)
                profile = accounts.list_profiles(s, user_id=user.id)[0]
                for name in groups[n % 2]:
                    viewing.record_progress(
                        s, profile_id=profile.id, video_id=ids[f"{name}/video"], position_s=100
                    )
            s.commit()
            return {k: str(v) for k, v in ids.items()}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def discovery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DiscoveryStack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-discovery")
    up = webapp.KinemaUp(
        data_dir=root / "data", port=free_port(), env={"KINEMA_RECOMMEND_INTERVAL_S": "2"}
    )
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        ids = _seed(Settings(data_dir=root / "data"))
        yield DiscoveryStack(up=up, base=up.base, ids=ids)
    finally:
        up.stop()


def _trained_after(client: httpx.Client, since: float, timeout_s: float = 30) -> dict[str, Any]:
    """The admin profile's rows once a training run newer than ``since`` stored them."""
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get("/api/v1/discovery/home").json()
        trained = body.get("trained_at")
        if trained and datetime.fromisoformat(trained).timestamp() > since:
            return body
        time.sleep(0.5)
    raise AssertionError(f"no training run after the watches: {body}")


def _card_names(page: Page, test_id: str) -> list[str]:
    return page.get_by_test_id(test_id).locator(".card__title").all_inner_texts()


def test_two_heist_films_lead_to_the_third(page: Page, discovery: DiscoveryStack) -> None:
    admin = discovery.up.admin()
    try:
        since = time.time()
        for name in ("The Vault", "Night Crew"):
            r = admin.put(f"/api/v1/progress/{discovery.ids[name + '/video']}",
                          json={"position_s": 100})  # fmt: skip
            assert r.status_code == 200 and r.json()["completed"], r.text
        _trained_after(admin, since)
    finally:
        admin.close()
    webapp.login(page, discovery.base)
    because = page.get_by_test_id("row-because").first
    expect(because.get_by_role("heading")).to_have_text(
        "Because you watched Night Crew", timeout=20_000
    )
    casino = because.get_by_test_id("title-card").filter(has_text="Casino Job")
    expect(casino).to_be_visible()
    expect(casino).to_contain_text("Also a heist comedy")
    names = _card_names(page, "row-because")
    assert not {"The Vault", "Night Crew"} & set(names), names  # finished
    expect(page.get_by_test_id("row-top-picks").get_by_role("heading")).to_contain_text(
        "Top picks for "
    )


def test_kids_profile_never_sees_a_mature_recommendation(
    page: Page, discovery: DiscoveryStack
) -> None:
    admin = discovery.up.admin()
    try:
        r = admin.post("/api/v1/profiles", json={"name": "Kiddo", "is_kids": True})
        assert r.status_code in (200, 201), r.text
        _trained_after(admin, time.time())  # a run that knows the kids profile
    finally:
        admin.close()
    webapp.login(page, discovery.base)
    page.goto(f"{discovery.base}/profiles")
    page.get_by_test_id("profile-tile").filter(has_text="Kiddo").click()
    page.wait_for_url(f"{discovery.base}/")
    picks = page.get_by_test_id("row-top-picks")
    expect(picks.get_by_test_id("title-card").first).to_be_visible(timeout=20_000)
    shown = _card_names(page, "row-top-picks") + _card_names(page, "row-because")
    assert "Puppy Park" in shown, shown
    assert not ABOVE_KIDS & set(shown), shown

    page.goto(f"{discovery.base}/title/{discovery.ids['Puppy Park']}")
    similar = page.get_by_test_id("row-more-like-this")
    expect(similar.get_by_test_id("title-card").filter(has_text="Bunny Hop")).to_be_visible()
    assert not ABOVE_KIDS & set(_card_names(page, "row-more-like-this"))


def _poster_width(page: Page, base: str, name: str) -> int:
    """The natural width of the poster the Animation page shows for ``name``."""
    page.goto(f"{base}/genre/animation")
    img = page.get_by_test_id("title-card").filter(has_text=name).locator("img")
    expect(img).to_be_visible(timeout=20_000)
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    return int(img.evaluate("(el) => el.naturalWidth"))


def test_artwork_test_winner_becomes_the_poster(page: Page, discovery: DiscoveryStack) -> None:
    base, title_id = discovery.base, discovery.ids["Robot Pals"]
    admin = discovery.up.admin()
    try:  # before any test: the first candidate, as the catalog row names it
        before = admin.get(f"/api/v1/titles/{title_id}/poster")
        assert before.content == _png(POSTER_WIDTHS[0], POSTER_WIDTHS[0] * 3 // 2)
    finally:
        admin.close()
    webapp.login(page, base)
    page.goto(f"{base}/admin")
    panel = page.get_by_test_id("artwork-panel")
    panel.get_by_test_id("artwork-title").select_option(title_id)
    # The admin adds an image of their own: a variant beside the transcoder's candidates.
    uploads = panel.get_by_test_id("artwork-uploads")
    expect(uploads).to_contain_text("No uploaded images for this title.")
    key_art: FilePayload = {
        "name": "key-art.png",
        "mimeType": "image/png",
        "buffer": _png(UPLOAD_WIDTH, UPLOAD_WIDTH * 3 // 2),
    }
    uploads.get_by_test_id("artwork-file").set_input_files(files=key_art)
    expect(uploads.get_by_test_id("artwork-upload")).to_have_count(1, timeout=20_000)
    panel.screenshot(path=str(webapp.ARTIFACTS / "artwork-uploads.png"))
    panel.get_by_test_id("artwork-start").click()
    running = panel.get_by_test_id("artwork-test").filter(has_text="Robot Pals")
    # Variants in order: the upload, then the candidates.
    widths = (UPLOAD_WIDTH, *POSTER_WIDTHS)
    expect(running.get_by_test_id("artwork-variant")).to_have_count(len(widths))
    expect(running.get_by_test_id("artwork-variant").first).to_contain_text("Uploaded image")

    shown = _poster_width(page, base, "Robot Pals")  # this profile's variant
    assert shown in widths
    admin = discovery.up.admin()
    try:  # the card was on screen for a second: one impression, sent in a batch
        test_id = admin.get("/api/v1/admin/artwork/tests").json()[0]["id"]
        deadline, seen = time.monotonic() + 15, 0
        while time.monotonic() < deadline and not seen:
            body = admin.get(f"/api/v1/admin/artwork/tests/{test_id}").json()
            seen = sum(v["impressions"] for v in body["variants"])
            time.sleep(0.3)
        assert seen == 1, body
    finally:
        admin.close()

    # End it with another variant than the one this profile was shown.
    winner = next(n for n, w in enumerate(widths) if w != shown)
    page.goto(f"{base}/admin")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role(
        "button", name=f"End the test of Robot Pals with variant {winner + 1} as the default"
    ).click()
    ended = page.get_by_test_id("artwork-test").filter(has_text="Robot Pals")
    expect(ended).to_have_attribute("data-state", "ended")
    assert _poster_width(page, base, "Robot Pals") == widths[winner]
