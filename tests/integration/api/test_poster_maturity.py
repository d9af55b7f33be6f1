"""Posters obey the viewer's maturity limit, as the listings that link to them do.

The attack: a kids profile (or an anonymous visitor) asks for ``/titles/{id}/poster`` or
``/videos/{id}/poster`` of a title it is not allowed to see, by guessing or sharing its
id. Refused posters answer exactly like a missing one (404, without the title's name),
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity, Title
from kinema.storage import join_key
from kinema_api.app import create_app
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.context import AppContext
from tests.utils.factories import (
    bearer,
    build_api_context,
    make_ready_video,
    make_title,
    set_plan,
    signup,
)

pytestmark = [pytest.mark.integration]
JPEG = b"\xff\xd8\xff\xe0 poster"


@pytest.fixture(params=["sqlite", "postgres"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    context = build_api_context(tmp_path / "data", database_url=url)
    yield context
    context.close()


def _title_with_posters(ctx: AppContext, name: str, maturity: Maturity) -> tuple[str, str]:
    """A published title whose only video has a poster frame; (title id, video id)."""
    with ctx.sessions() as session:
        title: Title = make_title(session, name=name, maturity=maturity)
        video = make_ready_video(session, title=title)
        video.poster_path = "posters/poster_000001000.jpg"
        ctx.store.put_bytes(JPEG, join_key(video.output_prefix or "", video.poster_path))
        session.commit()
        return str(title.id), str(video.id)


def _posters(ids: tuple[str, str]) -> list[str]:
    title_id, video_id = ids
    return [f"/api/v1/titles/{title_id}/poster", f"/api/v1/videos/{video_id}/poster"]


def test_posters_above_the_viewers_maturity_are_not_found(ctx: AppContext) -> None:
    cartoon = _title_with_posters(ctx, "Happy Cartoon", Maturity.ALL)
    horror = _title_with_posters(ctx, "Night Of Terror", Maturity.ADULT)
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        h = bearer(signup(client))
        # The account's own profile sees both.
        for url in _posters(cartoon) + _posters(horror):
            got = client.get(url, headers=h)
            assert got.status_code == 200, (url, got.text)
            assert got.content == JPEG

        set_plan(ctx, client, h, "family")  # a plan with room for a second profile
        kid = client.post(
            "/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h
        ).json()
        selected = client.post(f"/api/v1/profiles/{kid['id']}/select", headers=h)
        assert selected.status_code == 200, selected.text
        for url in _posters(cartoon):
            assert client.get(url, headers=h).status_code == 200, url
        missing = client.get(f"/api/v1/titles/{uuid.uuid4()}/poster", headers=h)
        for url in _posters(horror):
            refused = client.get(url, headers=h)
            assert refused.status_code == 404, (url, refused.text)
            assert refused.json()["code"] == missing.json()["code"] == "not_found"
            assert "Night" not in refused.text and "Terror" not in refused.text
            assert refused.content != JPEG


def test_anonymous_visitors_get_posters_up_to_the_anonymous_limit(ctx: AppContext) -> None:
    limit = viewer_service.max_maturity(None)
    allowed = [_title_with_posters(ctx, f"Open {m}", m) for m in Maturity.up_to(limit)]
    above = [_title_with_posters(ctx, f"Hidden {m}", m) for m in Maturity if m.level > limit.level]
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        for ids in allowed:
            for url in _posters(ids):
                got = client.get(url)
                assert got.status_code == 200, (url, got.text)
                # Anyone may see it: shared caches may keep it, for requests like this one.
                assert got.headers["cache-control"].startswith("public")
                assert "Cookie" in got.headers["vary"]
        for ids in above:
            for url in _posters(ids):
                refused = client.get(url)
                assert refused.status_code == 404, (url, refused.text)
                assert "Hidden" not in refused.text
        if above:
            # A signed-in adult gets it, marked private so no shared cache keeps it.
            h = bearer(signup(client))
            got = client.get(_posters(above[-1])[0], headers=h)
            assert got.status_code == 200
            assert got.headers["cache-control"].startswith("private")
