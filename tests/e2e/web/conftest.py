"""Fixtures for the web app's browser tests: one ``kinema up`` per session, serving the
freshly built web app, with one transcoded title that has subtitles in two languages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web import webapp
from tests.utils.ports import free_port


@dataclass(frozen=True)
class Stack:
    up: webapp.KinemaUp
    base: str
    title_id: str
    video_id: str
    duration_s: float


# The whole stack (API, worker pool, Chromium) shares 2 cores in CI: UI assertions get
# 15 s instead of Playwright's 5 s default, so a slow response is not a failure.
expect.set_options(timeout=15_000)


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        _fail_or_skip(str(exc))
    root = tmp_path_factory.mktemp("web-e2e")
    clip = webapp.make_clip(
        root / "media" / "harbour-lights.mkv", seconds=30, subtitles=webapp.CUES
    )
    up = webapp.KinemaUp(data_dir=root / "data", port=free_port(), ingest=[clip])
    try:
        up.start()
    except webapp.StackError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        admin = up.admin()
        try:
            videos = webapp.wait_ready(admin)
            video = videos[0]
            r = admin.patch(
                f"/api/v1/admin/videos/{video['id']}",
                json={
                    "title": webapp.TITLE,
                    "description": webapp.DESCRIPTION,
                    "genres": ["Drama", "Nature"],
                    "year": 2024,
                    "published": True,
                },
            )
            assert r.status_code == 200, r.text
        finally:
            admin.close()
        yield Stack(
            up=up,
            base=up.base,
            title_id=video["title_id"],
            video_id=video["id"],
            duration_s=float(video["duration_s"] or 30),
        )
    except webapp.StackError as exc:
        pytest.fail(f"{exc}\n{up.log_tail()}", pytrace=False)
    finally:
        up.stop()


@pytest.fixture
def artifacts() -> Path:
    webapp.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return webapp.ARTIFACTS


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page, failing the test when the app breaks its own
    Content-Security-Policy (an inline script, eval, a connection to an unlisted origin)."""
    violations = webapp.watch_csp(page)
    yield page
    assert not violations, f"Content-Security-Policy violations: {violations}"
