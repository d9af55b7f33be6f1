"""Progress reports' group commit (``kinema_api.viewing.services.progress_writer``):
reports that arrive together are written in one transaction, each is answered only once
committed, one report's refusal is its own, and a failed commit fails its batch."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from kinema.catalog.models import Maturity, WatchHistory, WatchProgress
from kinema.catalog.services import viewing
from kinema_api.accounts.services.auth import token_hash
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, TooManyRequests, Unauthorized
from kinema_api.viewing.services import progress_writer
from kinema_api.viewing.services.progress_writer import writer_of
from tests.utils.factories import bearer, make_ready_video, make_title, set_plan, signup


def _videos(ctx: AppContext, count: int, maturity: Maturity = Maturity.TEEN) -> list[uuid.UUID]:
    with ctx.sessions() as s:
        ids = []
        for n in range(count):
            title = make_title(s, name=f"Film {n}", maturity=maturity)
            ids.append(make_ready_video(s, title=title, duration_s=600).id)
        s.commit()
    return ids


class Held:
    """The writer's first batch waits in its transaction until :meth:`release` (so the
    reports submitted meanwhile queue up)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self._release = threading.Event()
        real: Callable[..., Any] = viewing.record_progress_many
        calls = {"n": 0}

        def slow_first(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                self.entered.set()
                self._release.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(viewing, "record_progress_many", slow_first)

    def wait_entered(self) -> None:
        assert self.entered.wait(10), "the writer never started its first batch"

    def set(self) -> None:
        self._release.set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Held:
    return Held(monkeypatch)


def test_reports_that_arrive_together_are_committed_together(
    ctx: AppContext, client: TestClient, held: Held
) -> None:
    videos = _videos(ctx, 4)
    tokens = [signup(client) for _ in range(5)]
    writer = writer_of(ctx)
    first = writer.submit(
        token_hash=token_hash(tokens[0]), video_id=videos[0], position_s=1, duration_s=None
    )
    held.wait_entered()
    futures = [
        writer.submit(token_hash=token_hash(t), video_id=v, position_s=42, duration_s=None)
        for t in tokens
        for v in videos
    ]
    assert not any(f.done() for f in futures)  # nothing is answered before its commit
    held.set()
    records = [f.result(10) for f in [first, *futures]]
    assert [r.position_s for r in records] == [1] + [42] * 20
    assert writer.batches == 2 and writer.reports == 21
    with ctx.sessions() as s:
        rows = s.scalars(select(WatchProgress)).all()
        assert len(rows) == 20 and {r.position_s for r in rows} == {42}
        assert len(s.scalars(select(WatchHistory)).all()) == 20


def test_a_refusal_is_the_report_s_own(ctx: AppContext, client: TestClient, held: Held) -> None:
    (cartoon,) = _videos(ctx, 1, Maturity.KIDS)
    (adult,) = _videos(ctx, 1, Maturity.ADULT)
    parent = signup(client)
    child = signup(client)  # another account, watching as its kids profile
    set_plan(ctx, client, bearer(child), "family")
    kid = client.post(
        "/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=bearer(child)
    ).json()
    assert client.post(f"/api/v1/profiles/{kid['id']}/select", headers=bearer(child)).is_success
    writer = writer_of(ctx)
    block = writer.submit(
        token_hash=token_hash(parent), video_id=cartoon, position_s=1, duration_s=None
    )
    held.wait_entered()

    def submit(token: str, video: uuid.UUID) -> Any:
        return writer.submit(
            token_hash=token_hash(token), video_id=video, position_s=5, duration_s=None
        )

    good = submit(parent, adult)
    unknown_token = submit("not-a-token", cartoon)
    unknown_video = submit(parent, uuid.uuid4())
    above_limit = submit(child, adult)
    within_limit = submit(child, cartoon)
    held.set()
    assert block.result(10).position_s == 1
    assert good.result(10).position_s == 5
    assert within_limit.result(10).position_s == 5
    with pytest.raises(Unauthorized):
        unknown_token.result(10)
    with pytest.raises(Exception, match="no video"):
        unknown_video.result(10)
    with pytest.raises(Forbidden):
        above_limit.result(10)
    assert writer.batches == 2  # the refusals did not stop the others of their batch


def test_the_route_answers_as_before(ctx: AppContext, client: TestClient) -> None:
    (video,) = _videos(ctx, 1)
    h = bearer(signup(client))
    put = client.put(f"/api/v1/progress/{video}", json={"position_s": 590}, headers=h)
    assert put.status_code == 200, put.text
    assert put.json()["completed"] is True and put.json()["duration_s"] == 600
    assert client.get(f"/api/v1/progress/{video}", headers=h).json()["position_s"] == 590
    client.cookies.clear()  # signing up left the session cookie
    assert client.put(f"/api/v1/progress/{video}", json={"position_s": 1}).status_code == 401
    bad = client.put(
        f"/api/v1/progress/{video}", json={"position_s": 1}, headers=bearer("not-a-token")
    )
    assert bad.status_code == 401
    gone = client.put(f"/api/v1/progress/{uuid.uuid4()}", json={"position_s": 1}, headers=h)
    assert gone.status_code == 404


def test_the_write_rate_limit_holds(ctx: AppContext, client: TestClient) -> None:
    ctx.settings.write_rate_limit_per_min = 3
    (video,) = _videos(ctx, 1)
    token = signup(client)
    writer = writer_of(ctx)
    answers = []
    for n in range(4):
        future = writer.submit(
            token_hash=token_hash(token), video_id=video, position_s=n, duration_s=None
        )
        try:
            answers.append(future.result(10).position_s)
        except TooManyRequests:
            answers.append(-1)
    assert answers == [0, 1, 2, -1]


def test_a_failed_commit_fails_its_batch_and_nothing_is_half_written(
    ctx: AppContext, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    videos = _videos(ctx, 2)
    h = bearer(signup(client))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(viewing, "record_progress_many", broken)
    put = client.put(f"/api/v1/progress/{videos[0]}", json={"position_s": 3}, headers=h)
    assert put.status_code == 503, put.text
    monkeypatch.undo()
    put = client.put(f"/api/v1/progress/{videos[1]}", json={"position_s": 4}, headers=h)
    assert put.status_code == 200, put.text
    with ctx.sessions() as s:
        assert [r.video_id for r in s.scalars(select(WatchProgress))] == [videos[1]]


def test_closing_writes_what_is_queued(ctx: AppContext, client: TestClient) -> None:
    videos = _videos(ctx, 3)
    tokens = [signup(client) for _ in range(3)]
    writer = writer_of(ctx)
    with ThreadPoolExecutor(6) as pool:
        futures = list(
            pool.map(
                lambda tv: writer.submit(
                    token_hash=token_hash(tv[0]), video_id=tv[1], position_s=7, duration_s=None
                ),
                [(t, v) for t in tokens for v in videos],
            )
        )
    writer.close()
    assert all(f.done() and f.result().position_s == 7 for f in futures)
    with ctx.sessions() as s:
        assert len(s.scalars(select(WatchProgress)).all()) == 9
    with pytest.raises(RuntimeError):
        writer.submit(token_hash="x", video_id=videos[0], position_s=1, duration_s=None)
    assert progress_writer.MAX_BATCH >= 9
