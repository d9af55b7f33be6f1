"""The progress fast path (``kinema_api.viewing.fastpath``): a position report is
answered before routing, exactly as its route answers it, and whatever the fast path
does not take reaches the route with its body intact.

A body over the fast path's 4 KB goes to the route, so each case below is sent both ways
and the two answers compared."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity
from kinema_api.context import AppContext
from kinema_api.viewing.fastpath import MAX_BODY
from kinema_api.viewing.routes import progress as progress_routes
from kinema_api.viewing.services.progress_writer import writer_of
from tests.utils.factories import bearer, make_ready_video, make_title, set_plan, signup


@pytest.fixture
def route_calls(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """The reports the route itself handed to the writer."""
    calls: list[uuid.UUID] = []
    real: Callable[..., Any] = writer_of

    def counting(ctx: AppContext) -> Any:
        writer = real(ctx)

        class Counting:
            def submit(self, **kwargs: Any) -> Any:
                calls.append(kwargs["video_id"])
                return writer.submit(**kwargs)

        return Counting()

    monkeypatch.setattr(progress_routes, "writer_of", counting)
    return calls


def _video(ctx: AppContext, maturity: Maturity = Maturity.TEEN) -> uuid.UUID:
    with ctx.sessions() as s:
        title = make_title(s, name=f"Film {uuid.uuid4().hex[:6]}", maturity=maturity)
        video = make_ready_video(s, title=title, duration_s=600).id
        s.commit()
    return video


def _both_ways(
    client: TestClient, video: uuid.UUID | str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[Any, Any]:
    """The same report, small (the fast path) and padded past its limit (the route)."""
    fast = client.put(f"/api/v1/progress/{video}", json=body, headers=headers)
    padded = {**body, "padding": "x" * (MAX_BODY + 1)}  # an unknown field: ignored
    slow = client.put(
        f"/api/v1/progress/{video}",
        content=json.dumps(padded),
        headers={**headers, "content-type": "application/json"},
    )
    return fast, slow


def test_a_stored_report_is_answered_before_routing(
    ctx: AppContext, client: TestClient, route_calls: list[uuid.UUID]
) -> None:
    video = _video(ctx)
    h = bearer(signup(client))
    put = client.put(f"/api/v1/progress/{video}", json={"position_s": 42.5}, headers=h)
    assert put.status_code == 200, put.text
    assert route_calls == []  # the route never ran
    stored = client.get(f"/api/v1/progress/{video}", headers=h)
    assert put.json() == stored.json()  # the route's own model, the same values
    assert put.headers["content-type"] == "application/json"
    # The app's outer middleware still wraps it: security headers on the answer.
    assert put.headers["x-content-type-options"] == "nosniff"


def test_the_fast_path_answers_as_the_route_does(
    ctx: AppContext, client: TestClient, route_calls: list[uuid.UUID]
) -> None:
    video = _video(ctx)
    adult = _video(ctx, Maturity.ADULT)
    token = signup(client)
    h = bearer(token)
    client.cookies.clear()  # signing up left the session cookie

    fast, slow = _both_ways(client, video, {"position_s": 590}, h)
    assert (fast.status_code, slow.status_code) == (200, 200)
    assert fast.json()["completed"] is slow.json()["completed"] is True
    assert route_calls == [video]  # only the padded one reached the route

    cases: list[tuple[uuid.UUID | str, dict[str, Any], dict[str, str], int]] = [
        (video, {"position_s": 5}, bearer("not-a-token"), 401),  # refused by the writer
        (video, {"position_s": 5}, {}, 401),  # no token: straight to the route
        (uuid.uuid4(), {"position_s": 5}, h, 404),  # no such video
        (video, {"position_s": -1}, h, 422),  # the body does not validate
        (video, {}, h, 422),
        ("not-a-uuid", {"position_s": 5}, h, 422),
    ]
    for target, body, headers, status in cases:
        fast, slow = _both_ways(client, target, body, headers)
        assert fast.status_code == slow.status_code == status, (target, body, fast.text)
        assert fast.json() == slow.json(), (target, body)
        assert fast.headers.get("www-authenticate") == slow.headers.get("www-authenticate")

    # A kids profile may not report on an adult title: 403 both ways.
    kid_token = signup(client)
    set_plan(ctx, client, bearer(kid_token), "family")
    kid = client.post(
        "/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=bearer(kid_token)
    ).json()
    assert client.post(f"/api/v1/profiles/{kid['id']}/select", headers=bearer(kid_token)).is_success
    client.cookies.clear()
    fast, slow = _both_ways(client, adult, {"position_s": 5}, bearer(kid_token))
    assert fast.status_code == slow.status_code == 403
    assert fast.json() == slow.json()


def test_the_write_rate_limit_answers_429_with_its_retry_hint(
    ctx: AppContext, client: TestClient
) -> None:
    ctx.settings.write_rate_limit_per_min = 2
    video = _video(ctx)
    h = bearer(signup(client))
    client.cookies.clear()
    answers = [
        client.put(f"/api/v1/progress/{video}", json={"position_s": n}, headers=h) for n in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "too_many_requests"
    assert "retry-after" in answers[2].headers


def test_the_session_cookie_is_read_as_the_route_reads_it(
    ctx: AppContext, client: TestClient, route_calls: list[uuid.UUID]
) -> None:
    video = _video(ctx)
    signup(client)  # leaves the session cookie on the client
    put = client.put(f"/api/v1/progress/{video}", json={"position_s": 12})
    assert put.status_code == 200, put.text
    assert route_calls == []
