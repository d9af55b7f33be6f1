"""Timestamped reactions on a video and their density strip, over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.unit.social.helpers import API, Catalog, kid, seed, teen, viewer
from tests.utils.factories import build_api_context


def test_reactions_fill_the_density_strip(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana, ben = viewer(client), viewer(client)
    url = f"{API}/videos/{catalog.movie_video}/reactions"
    made = client.post(url, json={"emoji": "laugh", "position_s": 12.5}, headers=ana)
    assert made.status_code == 201, made.text
    assert made.json()["position_s"] == 12.5 and made.json()["emoji"] == "laugh"
    # 600 s in 10 buckets of 60 s: 59.9 is still the first, 60 the second; the end and
    # past it (taken as the end) count in the last.
    for emoji, at, who in (
        ("laugh", 59.9, ben),
        ("wow", 60.0, ana),
        ("wow", 61.0, ben),
        ("fire", 61.0, ben),
        ("clap", 600.0, ana),
        ("clap", 650.0, ben),
    ):
        assert client.post(url, json={"emoji": emoji, "position_s": at}, headers=who).is_success
    assert client.post(url, json={"emoji": "love", "position_s": 0}, headers=ben).is_success

    density = client.get(f"{url}/density", params={"buckets": 10}, headers=ana)
    assert density.status_code == 200, density.text
    strip = density.json()
    assert strip["duration_s"] == 600 and strip["bucket_s"] == 60
    totals = [b["total"] for b in strip["buckets"]]
    assert totals == [3, 3, 0, 0, 0, 0, 0, 0, 0, 2]
    assert strip["max_total"] == 3
    first, second, last = strip["buckets"][0], strip["buckets"][1], strip["buckets"][9]
    assert (first["start_s"], first["end_s"]) == (0, 60)
    assert first["reactions"] == [{"emoji": "laugh", "count": 2}, {"emoji": "love", "count": 1}]
    assert second["reactions"] == [{"emoji": "wow", "count": 2}, {"emoji": "fire", "count": 1}]
    assert last["reactions"] == [{"emoji": "clap", "count": 2}]
    # The default strip has 100 buckets.
    assert len(client.get(f"{url}/density", headers=ana).json()["buckets"]) == 100
    # Another video's strip is its own.
    other = client.get(f"{API}/videos/{catalog.episode1}/reactions/density", headers=ana).json()
    assert other["max_total"] == 0 and other["duration_s"] == 1200


def test_kids_profiles_react_too(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    """An emoji carries no one's words: a kids profile may react and read the strip."""
    child = kid(ctx, client)
    url = f"{API}/videos/{catalog.cartoon_video}/reactions"
    resp = client.post(url, json={"emoji": "love", "position_s": 42}, headers=child)
    assert resp.status_code == 201, resp.text
    strip = client.get(f"{url}/density", params={"buckets": 3}, headers=child).json()
    assert [b["total"] for b in strip["buckets"]] == [1, 0, 0]


@pytest.mark.parametrize(
    "payload",
    [
        {"emoji": "thumbsup", "position_s": 1},
        {"emoji": "👍", "position_s": 1},
        {"emoji": "like"},
        {"emoji": "like", "position_s": -0.5},
        {"emoji": "like", "position_s": 1e12},
        {"position_s": 3},
    ],
)
def test_bad_reactions_are_refused(
    client: TestClient, catalog: Catalog, payload: dict[str, object]
) -> None:
    h = viewer(client)
    url = f"{API}/videos/{catalog.movie_video}/reactions"
    assert client.post(url, json=payload, headers=h).status_code == 422
    assert client.get(f"{url}/density", headers=h).json()["max_total"] == 0


def test_density_of_hidden_or_unknown_videos(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    h, limited = viewer(client), teen(ctx, client)
    for buckets in (0, 501):
        resp = client.get(
            f"{API}/videos/{catalog.movie_video}/reactions/density",
            params={"buckets": buckets},
            headers=h,
        )
        assert resp.status_code == 422
    unknown = f"{API}/videos/{uuid.uuid4()}/reactions"
    assert client.get(f"{unknown}/density", headers=h).status_code == 404
    assert (
        client.post(unknown, json={"emoji": "like", "position_s": 1}, headers=h).status_code == 404
    )
    hidden = f"{API}/videos/{catalog.unpublished_video}/reactions"
    assert client.get(f"{hidden}/density", headers=h).status_code == 404
    assert (
        client.post(hidden, json={"emoji": "like", "position_s": 1}, headers=h).status_code == 404
    )
    adult = f"{API}/videos/{catalog.adult_video}/reactions"
    assert client.get(f"{adult}/density", headers=limited).status_code == 403
    assert (
        client.post(adult, json={"emoji": "like", "position_s": 1}, headers=limited).status_code
        == 403
    )


def test_reactions_are_limited_per_profile(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", reaction_rate_limit_per_min=3)
    try:
        catalog = seed(ctx)
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = viewer(client)
            url = f"{API}/videos/{catalog.movie_video}/reactions"
            statuses = [
                client.post(url, json={"emoji": "fire", "position_s": i}, headers=h).status_code
                for i in range(5)
            ]
            assert statuses == [201, 201, 201, 429, 429]
            assert client.get(f"{url}/density", headers=h).json()["max_total"] == 3
    finally:
        ctx.close()
