"""The hot cache (``kinema_api.catalog.services.hot``): what every viewer shares is
computed once per catalog version, a catalog change made by any writer is seen at the
next request, and nothing of one viewer reaches another."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import select

from kinema.catalog import version
from kinema.catalog.db import engine_variant
from kinema.catalog.models import Maturity, Title, TitleKind, Video, VideoStatus
from kinema_api import cache as cache_module
from kinema_api import hotstore
from kinema_api.cache import RedisCache
from kinema_api.catalog.services import hot
from kinema_api.context import AppContext
from tests.utils.factories import bearer, make_ready_video, make_title, set_plan, signup
from tests.utils.ports import free_port


def _names(home: dict[str, object], key: str) -> list[str]:
    rows = {r["key"]: [i["name"] for i in r["items"]] for r in home["rows"]}  # type: ignore[attr-defined]
    return rows.get(key, [])


def test_a_change_by_any_writer_is_seen_at_the_next_request(
    ctx: AppContext, client: TestClient
) -> None:
    ctx.settings.hot_cache_ttl_s = 3600  # only the version can end an entry here
    with ctx.sessions() as s:
        shown = make_title(s, name="Shown")
        make_ready_video(s, title=shown)
        later = make_title(s, name="Later", published=False)
        make_ready_video(s, title=later)
        s.commit()
        shown_id, later_id = shown.id, later.id
    h = bearer(signup(client))
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "recent") == ["Shown"]
    assert client.get(f"/api/v1/titles/{shown_id}").json()["name"] == "Shown"
    assert [t["name"] for t in client.get("/api/v1/titles").json()] == ["Shown"]

    # The operator and the worker write the catalog with their own sessions, not the API.
    with ctx.sessions() as s:
        s.get_one(Title, later_id).published = True
        s.get_one(Title, shown_id).name = "Shown, renamed"
        s.commit()
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "recent") == [
        "Later",
        "Shown, renamed",
    ]
    assert client.get(f"/api/v1/titles/{shown_id}").json()["name"] == "Shown, renamed"
    assert {t["name"] for t in client.get("/api/v1/titles").json()} == {"Later", "Shown, renamed"}

    with ctx.sessions() as s:
        s.get_one(Title, later_id).published = False
        s.commit()
    assert client.get(f"/api/v1/titles/{later_id}").status_code == 404
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "recent") == [
        "Shown, renamed"
    ]


def test_transcode_progress_keeps_the_version_and_a_ready_video_moves_it(
    ctx: AppContext,
) -> None:
    with ctx.sessions() as s:
        title = make_title(s, name="Pending", kind=TitleKind.SERIES)
        make_ready_video(s, title=title, season=1, episode=1)
        s.commit()
        video = Video(title=title, season_number=1, episode_number=2, status=VideoStatus.QUEUED)
        s.add(video)
        s.commit()
        before = version.current(s)
        video.progress = 0.4
        s.commit()
        assert version.current(s) == before
        video.status = VideoStatus.READY
        s.commit()
        assert version.current(s) == before + 1


class _Clock:
    """The in-process cache's clock, moved by the test (a real wait is no proof on a
    loaded machine)."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return time.time()


def test_trending_follows_views_within_the_entry_lifetime(
    ctx: AppContext, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(cache_module, "time", clock)
    monkeypatch.setattr(hot, "time", clock)
    monkeypatch.setattr(hotstore, "time", clock)  # the process's own copies
    ctx.settings.hot_cache_ttl_s = 30
    with ctx.sessions() as s:
        title = make_title(s, name="Popular")
        video_id = make_ready_video(s, title=title, duration_s=100).id
        s.commit()
    h = bearer(signup(client))
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "trending") == []
    put = client.put(f"/api/v1/progress/{video_id}", json={"position_s": 10}, headers=h)
    assert put.status_code == 200, put.text
    # A view is not a catalog change: the shared rows stay as they were...
    clock.now += 29
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "trending") == []
    # ...until their entry ends.
    clock.now += 2
    assert _names(client.get("/api/v1/browse/home", headers=h).json(), "trending") == ["Popular"]


def test_nothing_of_one_viewer_reaches_another(ctx: AppContext, client: TestClient) -> None:
    ctx.settings.hot_cache_ttl_s = 3600
    with ctx.sessions() as s:
        show = make_title(s, name="The Show", kind=TitleKind.SERIES)
        e1 = make_ready_video(s, title=show, season=1, episode=1, duration_s=100)
        e2 = make_ready_video(s, title=show, season=1, episode=2, duration_s=100)
        adult = make_title(s, name="Late Night", maturity=Maturity.ADULT)
        make_ready_video(s, title=adult)
        s.commit()
        show_id, e1_id, e2_id, adult_id = show.id, e1.id, e2.id, adult.id
    ana, ben = bearer(signup(client)), bearer(signup(client))
    assert client.get(f"/api/v1/titles/{show_id}", headers=ben).status_code == 200  # cached
    for path, body in (
        (f"/api/v1/progress/{e1_id}", {"position_s": 99.5}),
        (f"/api/v1/my-list/{show_id}", None),
        (f"/api/v1/titles/{show_id}/rating", {"score": 5}),
    ):
        done = client.put(path, json=body, headers=ana)
        assert done.status_code == 200, done.text

    mine = client.get(f"/api/v1/titles/{show_id}", headers=ana).json()
    assert mine["in_my_list"] is True
    assert mine["my_rating"] == 5
    assert mine["video"]["id"] == str(e2_id)  # the first episode is finished
    assert mine["seasons"][0]["episodes"][0]["position_s"] == 99.5
    theirs = client.get(f"/api/v1/titles/{show_id}", headers=ben).json()
    assert theirs["in_my_list"] is False
    assert theirs["my_rating"] is None
    assert theirs["video"]["id"] == str(e1_id)
    assert theirs["seasons"][0]["episodes"][0]["position_s"] is None
    assert theirs["rating_count"] == 1  # the average is everyone's, read each time

    # The maturity limit is checked against the cached page, per viewer.
    assert client.get(f"/api/v1/titles/{adult_id}", headers=ana).status_code == 200
    set_plan(ctx, client, ana, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=ana)
    client.post(f"/api/v1/profiles/{kid.json()['id']}/select", headers=ana)
    assert client.get(f"/api/v1/titles/{adult_id}", headers=ana).status_code == 403
    assert "Late Night" not in [t["name"] for t in client.get("/api/v1/titles", headers=ana).json()]


def test_an_unreachable_cache_is_a_miss(ctx: AppContext) -> None:
    ctx.cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0")
    calls: list[int] = []

    def compute() -> list[int]:
        calls.append(1)
        return [1, 2]

    with ctx.sessions() as s:
        for _ in range(2):
            got = hot.cached(ctx, s, key="k", adapter=TypeAdapter(list[int]), compute=compute)
            assert got == [1, 2]
        # The process keeps its own copy, so Redis was not needed for the second answer;
        # without that copy (another replica, a restart) the answer is computed again.
        assert len(calls) == 1
        ctx.hot.clear()
        got = hot.cached(ctx, s, key="k", adapter=TypeAdapter(list[int]), compute=compute)
        assert got == [1, 2]
    assert len(calls) == 2


def test_a_crowd_that_misses_together_computes_once(ctx: AppContext) -> None:
    """Twelve requests miss one entry at once: one computes, the others wait for it and
    read its answer (not twelve computations on a shared core)."""
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> list[int]:
        calls.append(1)
        gate.wait(5)  # held until every request has missed
        return [7]

    answers: list[list[int]] = []

    def request() -> None:
        # Read-only sessions, as the browse routes use (write sessions take turns).
        with ctx.sessions(bind=engine_variant(ctx.engine, readonly=True)) as s:
            adapter = TypeAdapter(list[int])
            answers.append(hot.cached(ctx, s, key="crowd", adapter=adapter, compute=compute))

    threads = [threading.Thread(target=request) for _ in range(12)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    gate.set()
    for t in threads:
        t.join(10)
    assert answers == [[7]] * 12
    assert len(calls) == 1


@pytest.mark.parametrize("ttl", [0, 30])
def test_the_same_answers_with_the_cache_on_and_off(
    ctx: AppContext, client: TestClient, ttl: int
) -> None:
    ctx.settings.hot_cache_ttl_s = ttl
    with ctx.sessions() as s:
        for n in range(3):
            make_ready_video(s, title=make_title(s, name=f"T{n}", genres=["Drama"]))
        s.commit()
        ids = [str(t) for t in s.scalars(select(Title.id).order_by(Title.name))]
    for _ in range(2):  # the second time from the cache when it is on
        assert [t["id"] for t in client.get("/api/v1/titles").json()][::-1] == ids
        assert [g["slug"] for g in client.get("/api/v1/genres").json()] == ["drama"]
