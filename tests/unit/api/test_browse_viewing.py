from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity, TitleKind
from kinema_api.context import AppContext
from tests.utils.factories import bearer, make_ready_video, make_title, set_plan, signup


def _seed(ctx: AppContext) -> dict[str, uuid.UUID]:
    with ctx.sessions() as s:
        movie = make_title(s, name="Ocean Voyage", genres=["Adventure"], year=2001)
        movie_video = make_ready_video(s, title=movie, duration_s=100)
        adult = make_title(s, name="Dark Night", genres=["Thriller"], maturity=Maturity.ADULT)
        make_ready_video(s, title=adult)
        kids = make_title(s, name="Puppy Voyage", genres=["Animation"], maturity=Maturity.ALL)
        make_ready_video(s, title=kids)
        series = make_title(s, name="The Show", kind=TitleKind.SERIES, genres=["Drama"])
        e1 = make_ready_video(s, title=series, season=1, episode=1, name="Pilot")
        e2 = make_ready_video(s, title=series, season=1, episode=2, name="Second")
        hidden = make_title(s, name="Hidden Voyage", published=False)
        make_ready_video(s, title=hidden)
        draft = make_title(s, name="No Video Yet")
        s.commit()
        return {
            "movie": movie.id,
            "movie_video": movie_video.id,
            "adult": adult.id,
            "kids": kids.id,
            "series": series.id,
            "e1": e1.id,
            "e2": e2.id,
            "hidden": hidden.id,
            "draft": draft.id,
        }


def test_home_rows_and_continue_watching(ctx: AppContext, client: TestClient) -> None:
    # Trending follows views at once only without the hot cache (with it, within its
    # lifetime: test_hot_cache.py).
    ctx.settings.hot_cache_ttl_s = 0
    ids = _seed(ctx)
    h = bearer(signup(client))
    home = client.get("/api/v1/browse/home", headers=h).json()
    rows = {r["key"]: [i["name"] for i in r["items"]] for r in home["rows"]}
    assert home["continue_watching"] == []
    assert "No Video Yet" not in rows["recent"]  # nothing to play yet
    assert "Hidden Voyage" not in rows["recent"]
    assert set(rows["recent"]) == {"Ocean Voyage", "Dark Night", "Puppy Voyage", "The Show"}
    assert rows["genre:adventure"] == ["Ocean Voyage"]
    assert "trending" not in rows

    put = client.put(f"/api/v1/progress/{ids['movie_video']}", json={"position_s": 42.5}, headers=h)
    assert put.status_code == 200, put.text
    assert put.json()["completed"] is False
    assert client.put(f"/api/v1/my-list/{ids['series']}", headers=h).json()["message"] == "added"
    home = client.get("/api/v1/browse/home", headers=h).json()
    cont = home["continue_watching"]
    assert [c["video"]["id"] for c in cont] == [str(ids["movie_video"])]
    assert cont[0]["position_s"] == 42.5
    rows = {r["key"]: [i["name"] for i in r["items"]] for r in home["rows"]}
    assert rows["my-list"] == ["The Show"]
    assert rows["trending"] == ["Ocean Voyage"]


def test_title_detail(ctx: AppContext, client: TestClient) -> None:
    ids = _seed(ctx)
    h = bearer(signup(client))
    movie = client.get(f"/api/v1/titles/{ids['movie']}", headers=h).json()
    assert movie["video"]["id"] == str(ids["movie_video"])
    assert movie["seasons"] == []
    assert movie["genres"] == [{"slug": "adventure", "name": "Adventure"}]
    series = client.get(f"/api/v1/titles/{ids['series']}").json()
    assert [e["name"] for e in series["seasons"][0]["episodes"]] == ["Pilot", "Second"]
    # After finishing the pilot, the title offers the next episode.
    client.put(f"/api/v1/progress/{ids['e1']}", json={"position_s": 600}, headers=h)
    series = client.get(f"/api/v1/titles/{ids['series']}", headers=h).json()
    assert series["video"]["id"] == str(ids["e2"])
    assert client.get(f"/api/v1/titles/{ids['hidden']}").status_code == 404
    assert client.get(f"/api/v1/titles/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/titles/123").status_code == 422
    rated = client.put(f"/api/v1/titles/{ids['movie']}/rating", json={"score": 4}, headers=h)
    assert rated.json() == {"title_id": str(ids["movie"]), "score": 4, "average": 4.0, "count": 1}
    assert (
        client.put(
            f"/api/v1/titles/{ids['movie']}/rating", json={"score": 6}, headers=h
        ).status_code
        == 422
    )
    assert client.get(f"/api/v1/titles/{ids['movie']}", headers=h).json()["my_rating"] == 4


def test_kids_profile_is_filtered(ctx: AppContext, client: TestClient) -> None:
    ids = _seed(ctx)
    h = bearer(signup(client))
    set_plan(ctx, client, h, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h).json()
    client.post(f"/api/v1/profiles/{kid['id']}/select", headers=h)
    names = [t["name"] for t in client.get("/api/v1/titles", headers=h).json()]
    assert names == ["Puppy Voyage"]
    found = client.get("/api/v1/search", params={"q": "voyage"}, headers=h).json()["items"]
    assert [t["name"] for t in found] == ["Puppy Voyage"]
    assert client.get(f"/api/v1/titles/{ids['adult']}", headers=h).status_code == 403
    assert client.get(f"/api/v1/playback/{ids['movie_video']}", headers=h).status_code == 403
    assert client.put(f"/api/v1/my-list/{ids['adult']}", headers=h).status_code == 403


def test_search_endpoint(ctx: AppContext, client: TestClient) -> None:
    _seed(ctx)
    got = client.get("/api/v1/search", params={"q": "voyage"}).json()
    assert {t["name"] for t in got["items"][:2]} == {"Ocean Voyage", "Puppy Voyage"}
    assert "Hidden Voyage" not in [t["name"] for t in got["items"]]
    assert [
        t["name"]
        for t in client.get("/api/v1/search", params={"q": "voyage", "year": 2001}).json()["items"]
    ] == ["Ocean Voyage"]
    assert [
        t["name"]
        for t in client.get("/api/v1/search", params={"genre": "drama", "type": "series"}).json()[
            "items"
        ]
    ] == ["The Show"]
    for params in (
        {"year": "abc"},
        {"limit": 0},
        {"limit": 1000},
        {"type": "podcast"},
        {"maturity": "21+"},
        {"genre": "Not A Slug!"},
        {"q": "x" * 201},
    ):
        resp = client.get("/api/v1/search", params=params)
        assert resp.status_code == 422, params
        assert resp.json()["code"] == "validation_error"
    genres = [g["slug"] for g in client.get("/api/v1/genres").json()]
    assert genres == ["adventure", "animation", "drama", "thriller"]


def test_progress_history_my_list(ctx: AppContext, client: TestClient) -> None:
    ids = _seed(ctx)
    h = bearer(signup(client))
    vid = ids["movie_video"]
    assert client.get(f"/api/v1/progress/{vid}", headers=h).status_code == 404
    assert (
        client.put(f"/api/v1/progress/{vid}", json={"position_s": 10}, headers=h).status_code == 200
    )
    got = client.get(f"/api/v1/progress/{vid}", headers=h).json()
    assert got["position_s"] == 10
    # Past the end clamps to the duration and counts as watched.
    done = client.put(f"/api/v1/progress/{vid}", json={"position_s": 5000}, headers=h).json()
    assert done["position_s"] == 100
    assert done["completed"] is True
    for body in ({"position_s": -1}, {}, {"position_s": "x"}, {"position_s": 1, "duration_s": 0}):
        assert client.put(f"/api/v1/progress/{vid}", json=body, headers=h).status_code == 422
    nan = client.put(
        f"/api/v1/progress/{vid}",
        content=b'{"position_s": NaN}',
        headers={**h, "content-type": "application/json"},
    )
    assert nan.status_code == 422
    assert (
        client.put(
            f"/api/v1/progress/{uuid.uuid4()}", json={"position_s": 1}, headers=h
        ).status_code
        == 404
    )
    client.cookies.clear()
    assert client.put(f"/api/v1/progress/{vid}", json={"position_s": 1}).status_code == 401
    history = client.get("/api/v1/history", headers=h).json()
    assert [item["video"]["id"] for item in history] == [str(vid)]
    assert client.delete("/api/v1/history", headers=h).json()["message"] == "1 entries removed"

    assert client.put(f"/api/v1/my-list/{ids['movie']}", headers=h).json()["message"] == "added"
    assert client.put(f"/api/v1/my-list/{ids['movie']}", headers=h).json()["message"] == (
        "already in My List"
    )
    assert [t["id"] for t in client.get("/api/v1/my-list", headers=h).json()] == [str(ids["movie"])]
    assert client.delete(f"/api/v1/my-list/{ids['movie']}", headers=h).status_code == 200
    assert client.delete(f"/api/v1/my-list/{ids['movie']}", headers=h).status_code == 404
    assert client.put(f"/api/v1/my-list/{uuid.uuid4()}", headers=h).status_code == 404
    assert client.put(f"/api/v1/my-list/{ids['hidden']}", headers=h).status_code == 404


def test_poster_urls_in_summaries_resolve(ctx: AppContext, client: TestClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0 poster"
    with ctx.sessions() as s:
        series = make_title(s, name="Poster Show", kind=TitleKind.SERIES)
        episode = make_ready_video(s, title=series, season=1, episode=1, name="Pilot")
        episode.poster_path = "posters/poster_000001000.jpg"
        assert episode.output_prefix is not None
        ctx.store.put_bytes(jpeg, f"{episode.output_prefix}/{episode.poster_path}")
        s.commit()
        series_id, episode_id = series.id, episode.id
    detail = client.get(f"/api/v1/titles/{series_id}").json()
    summary = detail["seasons"][0]["episodes"][0]
    assert summary["poster_url"] == f"/api/v1/videos/{episode_id}/poster"
    for url in (summary["poster_url"], f"/api/v1/titles/{series_id}/poster"):
        got = client.get(url)
        assert got.status_code == 200, url
        assert got.headers["content-type"] == "image/jpeg"
        assert got.content == jpeg
    assert client.get(f"/api/v1/videos/{uuid.uuid4()}/poster").status_code == 404
