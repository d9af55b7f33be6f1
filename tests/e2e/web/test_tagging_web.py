"""Auto-tagging in Chromium against a real ``kinema up``: a title published with a ready
video is tagged by the embedded tagging worker (the local classifier: no key), and an
admin accepts the suggested tag on the admin page's edit row.

The stack transcodes nothing: the titles and their ready (catalog-side) videos are
written into its SQLite catalog with the test factories. ``KINEMA_TAGGING_POLL_S=1``
makes the worker look for newly published titles every second.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from kinema.catalog.db import create_db_engine, session_factory
from kinema.settings import Settings
from tests.e2e.web import webapp
from tests.utils.factories import make_ready_video, make_title
from tests.utils.ports import free_port

pytestmark = [pytest.mark.e2e]

HEIST = "Thieves plan a heist on a casino vault"


def _seed(settings: Settings) -> dict[str, str]:
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as s:
            ids: dict[str, str] = {}
            for name, tags in (("The Vault", ["heist"]), ("Night Crew", ["heist"]),
                               ("Casino Nights", [])):  # fmt: skip
                title = make_title(s, name=name, description=HEIST, genres=["Comedy"], tags=tags)
                ids[name] = str(title.id)
                ids[f"{name}/video"] = str(make_ready_video(s, title=title, duration_s=60).id)
            s.commit()
            return ids
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[webapp.KinemaUp, dict[str, str]]]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e-tagging")
    up = webapp.KinemaUp(
        data_dir=root / "data",
        port=free_port(),
        env={"KINEMA_TAGGING_POLL_S": "1", "KINEMA_RECOMMEND_INTERVAL_S": "0"},
    )
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield up, _seed(Settings(data_dir=root / "data"))
    finally:
        up.stop()


def _suggestions(client: httpx.Client, title_id: str, timeout_s: float = 30) -> list[Any]:
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/admin/titles/{title_id}/suggestions").json()
        if body.get("run") and body["run"]["state"] in ("done", "failed"):
            return list(body["suggestions"])
        time.sleep(0.3)
    raise AssertionError(f"the title was not tagged: {body}")


def test_an_admin_accepts_a_suggested_tag(
    page: Page, stack: tuple[webapp.KinemaUp, dict[str, str]]
) -> None:
    up, ids = stack
    admin = up.admin()
    try:
        found = _suggestions(admin, ids["Casino Nights"])
        assert {"kind": "theme", "value": "Heist", "source": "local"}.items() <= next(
            s for s in found if s["value"] == "Heist"
        ).items(), found
        webapp.login(page, up.base)
        page.goto(f"{up.base}/admin")
        row = page.locator(f'[data-video-id="{ids["Casino Nights/video"]}"]')
        row.get_by_role("button", name="Edit").click()
        panel = page.get_by_test_id("suggestions")
        heist = panel.locator('[data-testid="suggestion"][data-value="Heist"]')
        expect(heist).to_contain_text("Theme")
        panel.get_by_role("button", name="Accept Heist").click()
        expect(heist).to_have_count(0)
        title = admin.get(f"/api/v1/titles/{ids['Casino Nights']}").json()
        assert "heist" in title["tags"], title
    finally:
        admin.close()
