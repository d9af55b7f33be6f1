"""Recommendations in Chromium against a real ``kinema up``: a profile that finished two
heist films sees the third in "Because you watched", with its reason; a kids profile's
personal rows and "More like this" never show a title above its maturity.

The stack transcodes nothing: titles with ready (catalog-side) videos are written into
its SQLite catalog with the test factories, and the other viewers' history with the
catalog services, so the stack starts in seconds. ``KINEMA_RECOMMEND_INTERVAL_S=2``
makes the embedded training loop retrain every two seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.models import Maturity
from kinema.catalog.services import accounts, viewing
from kinema.settings import Settings
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
                ids[f"{name}/video"] = make_ready_video(s, title=title, duration_s=100).id
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
