"""The browse fast path (``kinema_api.catalog.fastpath``): a shared answer a route
computed is served again without the route, only to callers with the same maturity
limit, never after a change this process made, and within a bounded time of a change
another process made (the version and the token's limit are re-read)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.catalog import version
from kinema.catalog.models import AuthSession, Maturity, Title
from kinema_api import hotstore, identity
from kinema_api.catalog.services import hot
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.context import AppContext
from tests.utils.factories import bearer, make_ready_video, make_title, set_plan, signup


class _Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return time.time()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    """The hot store's and the identity memo's clock, moved by the test."""
    c = _Clock()
    monkeypatch.setattr(hot, "time", c)
    monkeypatch.setattr(hotstore, "time", c)
    monkeypatch.setattr(identity, "time", c)
    return c


@pytest.fixture
def route_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each shared route's service ran (the fast path runs none)."""
    calls: dict[str, int] = {}

    def counted(name: str) -> Callable[..., Any]:
        real = getattr(viewer_service, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        return wrapper

    for name in ("shared_rows", "list_titles", "genres", "search"):
        monkeypatch.setattr(viewer_service, name, counted(name))
    return calls


def _catalog(ctx: AppContext) -> dict[str, Any]:
    with ctx.sessions() as s:
        family = make_title(s, name="Family Film", maturity=Maturity.KIDS)
        make_ready_video(s, title=family)
        late = make_title(s, name="Late Night", maturity=Maturity.ADULT)
        make_ready_video(s, title=late)
        s.commit()
        return {"family": family.id, "late": late.id}


def _names(rows: list[dict[str, Any]]) -> set[str]:
    return {item["name"] for row in rows for item in row["items"]}


def test_a_shared_answer_is_served_again_without_its_route(
    ctx: AppContext, client: TestClient, route_calls: dict[str, int], clock: _Clock
) -> None:
    _catalog(ctx)
    first = client.get("/api/v1/titles?limit=10")
    assert first.status_code == 200
    again = client.get("/api/v1/titles?limit=10")
    assert route_calls == {"list_titles": 1}
    assert again.content == first.content
    for header in ("etag", "cache-control", "content-type", "x-content-type-options"):
        assert again.headers[header] == first.headers[header], header
    # Another query string is another answer: the route computes it.
    other = client.get("/api/v1/titles?limit=1")
    assert len(other.json()) == 1
    assert route_calls == {"list_titles": 2}
    # A client that has the answer is told so.
    same = client.get("/api/v1/titles?limit=10", headers={"If-None-Match": first.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    assert route_calls == {"list_titles": 2}
    # Only GET: HEAD and other methods go to their routes as ever.
    assert client.head("/api/v1/titles?limit=10").status_code in (200, 405)


def test_each_limit_gets_its_own_answer_and_a_profile_switch_counts_at_once(
    ctx: AppContext, client: TestClient, route_calls: dict[str, int], clock: _Clock
) -> None:
    _catalog(ctx)
    ana = bearer(signup(client))
    set_plan(ctx, client, ana, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=ana)
    assert kid.status_code in (200, 201), kid.text
    assert "Late Night" in _names(client.get("/api/v1/browse/rows", headers=ana).json())
    assert "Late Night" in _names(client.get("/api/v1/browse/rows", headers=ana).json())
    assert route_calls == {"shared_rows": 1}  # the second answer came from the fast path

    picked = client.post(f"/api/v1/profiles/{kid.json()['id']}/select", headers=ana)
    assert picked.status_code == 200, picked.text
    rows = client.get("/api/v1/browse/rows", headers=ana).json()
    assert _names(rows) == {"Family Film"}
    assert route_calls == {"shared_rows": 2}
    # The kids answer is now the fast path's for this token...
    assert _names(client.get("/api/v1/browse/rows", headers=ana).json()) == {"Family Film"}
    assert route_calls == {"shared_rows": 2}
    # ...and anyone without credentials still gets the anonymous one.
    assert "Late Night" in _names(client.get("/api/v1/browse/rows").json())


def test_a_token_never_checked_goes_to_the_route(
    ctx: AppContext, client: TestClient, route_calls: dict[str, int], clock: _Clock
) -> None:
    _catalog(ctx)
    client.get("/api/v1/browse/rows")  # the anonymous answer is indexed
    client.get("/api/v1/browse/rows", headers=bearer("not-a-token"))
    client.get("/api/v1/browse/rows", headers=bearer("not-a-token"))
    assert route_calls == {"shared_rows": 3}
    # The home page needs a valid token, fast path or not.
    assert client.get("/api/v1/browse/home", headers=bearer("not-a-token")).status_code == 401


def test_a_change_made_here_is_seen_at_the_next_request(
    ctx: AppContext, client: TestClient, clock: _Clock
) -> None:
    ids = _catalog(ctx)
    assert {t["name"] for t in client.get("/api/v1/titles").json()} == {
        "Family Film",
        "Late Night",
    }
    with ctx.sessions() as s:
        s.get_one(Title, ids["late"]).name = "Late Late Night"
        s.commit()
    names = {t["name"] for t in client.get("/api/v1/titles").json()}
    assert names == {"Family Film", "Late Late Night"}


def test_another_process_change_is_seen_within_the_poll(
    ctx: AppContext, client: TestClient, clock: _Clock
) -> None:
    ids = _catalog(ctx)
    client.get("/api/v1/genres")
    client.get("/api/v1/titles")
    # Another replica renames a title: its commit bumps the version, but this process
    # committed nothing (no ORM session of this process saw it).
    with ctx.engine.begin() as conn:
        conn.execute(update(Title).where(Title.id == ids["late"]).values(name="Renamed"))
        version.bump(conn)
    assert "Late Night" in {t["name"] for t in client.get("/api/v1/titles").json()}
    clock.now += hot.VERSION_POLL_S
    assert "Renamed" in {t["name"] for t in client.get("/api/v1/titles").json()}


def test_a_token_revoked_elsewhere_ends_within_its_memo_lifetime(
    ctx: AppContext, client: TestClient, route_calls: dict[str, int], clock: _Clock
) -> None:
    _catalog(ctx)
    token = signup(client)
    h = bearer(token)
    client.get("/api/v1/browse/rows", headers=h)
    # Another replica signs the session out (this process's ORM saw nothing).
    with ctx.engine.begin() as conn:
        conn.execute(update(AuthSession).values(revoked_at=AuthSession.created_at))
    client.get("/api/v1/browse/rows", headers=h)
    assert route_calls == {"shared_rows": 1}  # still within the memo's lifetime
    clock.now += identity.TTL_S
    client.get("/api/v1/browse/rows", headers=h)  # one request checks the token again
    assert route_calls == {"shared_rows": 2}
    assert client.get("/api/v1/browse/home", headers=h).status_code == 401
    clock.now += identity.GRACE_S
    client.get("/api/v1/browse/rows", headers=h)
    assert route_calls == {"shared_rows": 3}  # refused in full: never served from memory


def test_home_is_the_viewer_rows_then_the_shared_ones(
    ctx: AppContext, client: TestClient, clock: _Clock
) -> None:
    ids = _catalog(ctx)
    h = bearer(signup(client))
    assert client.put(f"/api/v1/my-list/{ids['family']}", headers=h).status_code == 200
    whole = client.get("/api/v1/browse/home", headers=h).json()
    own = client.get("/api/v1/browse/home?shared=false", headers=h).json()
    shared = client.get("/api/v1/browse/rows", headers=h).json()
    assert [r["key"] for r in own["rows"]] == ["my-list"]
    assert whole["rows"] == own["rows"] + shared
    assert whole["continue_watching"] == own["continue_watching"] == []
