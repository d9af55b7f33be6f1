"""Ratings summaries, reviews and helpful votes over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema_api.context import AppContext
from tests.unit.social.helpers import API, Catalog, Headers, admin, kid, teen, viewer


def _review(
    client: TestClient, title: uuid.UUID, h: Headers, body: str, score: int
) -> dict[str, Any]:
    resp = client.put(
        f"{API}/titles/{title}/review", json={"body": body, "score": score}, headers=h
    )
    assert resp.status_code in (200, 201), resp.text
    return dict(resp.json())


def test_rating_summary(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    url = f"{API}/titles/{catalog.cartoon}/ratings"
    ana, ben, cat = viewer(client), viewer(client), viewer(client)
    empty = client.get(url, headers=ana).json()
    assert empty == {
        "title_id": str(catalog.cartoon),
        "average": None,
        "count": 0,
        "distribution": [{"score": s, "count": 0} for s in range(1, 6)],
        "mine": None,
    }
    # Rating is the viewing domain's write; the summary reads what it wrote.
    for who, score in ((ana, 5), (ben, 4), (cat, 4), (ana, 2)):
        rated = client.put(
            f"{API}/titles/{catalog.cartoon}/rating", json={"score": score}, headers=who
        )
        assert rated.status_code == 200
    summary = client.get(url, headers=ana).json()
    assert summary["count"] == 3 and summary["average"] == pytest.approx(10 / 3)
    assert [d["count"] for d in summary["distribution"]] == [0, 1, 0, 2, 0]
    assert summary["mine"] == 2
    assert client.get(url, headers=viewer(client)).json()["mine"] is None
    # A number carries no one's words: kids profiles see the summary.
    assert client.get(url, headers=kid(ctx, client)).json()["count"] == 3

    assert client.get(f"{API}/titles/{uuid.uuid4()}/ratings", headers=ana).status_code == 404
    assert client.get(f"{API}/titles/{catalog.unpublished}/ratings", headers=ana).status_code == 404
    limited = teen(ctx, client)
    assert client.get(f"{API}/titles/{catalog.adult}/ratings", headers=limited).status_code == 403


def test_write_edit_and_list_reviews(client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    url = f"{API}/titles/{catalog.movie}/review"
    created = client.put(url, json={"body": "  <b>Loved</b> it ", "score": 5}, headers=ana)
    assert created.status_code == 201, created.text
    review = created.json()
    assert review["body"] == "<b>Loved</b> it" and review["score"] == 5
    assert review["mine"] is True and review["edited_at"] is None and review["helpful_count"] == 0
    # Writing a review rates the title.
    assert client.get(f"{API}/titles/{catalog.movie}/ratings", headers=ana).json()["mine"] == 5

    edited = client.put(url, json={"body": "Liked it", "score": 4}, headers=ana)
    assert edited.status_code == 200
    assert edited.json()["id"] == review["id"] and edited.json()["edited_at"] is not None
    assert client.get(f"{API}/titles/{catalog.movie}/ratings", headers=ana).json()["mine"] == 4
    _review(client, catalog.movie, ben, "Meh", 2)

    page = client.get(f"{API}/titles/{catalog.movie}/reviews", headers=ben).json()
    assert page["total"] == 2 and page["next_offset"] is None
    assert [r["body"] for r in page["items"]] == ["Meh", "Liked it"]  # no votes: newest first
    assert page["mine"]["body"] == "Meh" and page["mine"]["mine"] is True
    assert [r["mine"] for r in page["items"]] == [True, False]
    assert page["items"][1]["author"]["name"]
    assert client.get(f"{API}/titles/{catalog.series}/reviews", headers=ben).json()["mine"] is None
    first = client.get(
        f"{API}/titles/{catalog.movie}/reviews", params={"limit": 1}, headers=ben
    ).json()
    assert len(first["items"]) == 1 and first["next_offset"] == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"body": "fine", "score": 0},
        {"body": "fine", "score": 6},
        {"body": "fine"},
        {"score": 3},
        {"body": "", "score": 3},
        {"body": "  ", "score": 3},
        {"body": "x" * 5001, "score": 3},
        {"body": "tab\tok but \x1b[31m escape", "score": 3},
    ],
)
def test_bad_reviews_are_refused(
    client: TestClient, catalog: Catalog, payload: dict[str, object]
) -> None:
    h = viewer(client)
    resp = client.put(f"{API}/titles/{catalog.movie}/review", json=payload, headers=h)
    assert resp.status_code == 422, resp.text
    assert client.get(f"{API}/titles/{catalog.movie}/reviews", headers=h).json()["total"] == 0


def test_helpful_votes_and_order(client: TestClient, catalog: Catalog) -> None:
    ana, ben, cat = viewer(client), viewer(client), viewer(client)
    old = _review(client, catalog.movie, ana, "Detailed and fair", 4)["id"]
    new = _review(client, catalog.movie, ben, "Bad", 1)["id"]
    vote = f"{API}/reviews/{old}/helpful"
    assert client.put(vote, headers=ben).json() == {
        "review_id": old,
        "helpful_count": 1,
        "voted_helpful": True,
    }
    assert client.put(vote, headers=ben).json()["helpful_count"] == 1  # one vote each
    assert client.put(vote, headers=cat).json()["helpful_count"] == 2
    own = client.put(vote, headers=ana)
    assert own.status_code == 400 and own.json()["code"] == "own_review"
    url = f"{API}/titles/{catalog.movie}/reviews"
    helpful = client.get(url, headers=cat).json()["items"]
    assert [r["id"] for r in helpful] == [old, new]
    assert [r["voted_helpful"] for r in helpful] == [True, False]
    newest = client.get(url, params={"order": "newest"}, headers=cat).json()["items"]
    assert [r["id"] for r in newest] == [new, old]
    assert client.get(url, params={"order": "best"}, headers=cat).status_code == 422
    taken = client.delete(vote, headers=cat).json()
    assert taken == {"review_id": old, "helpful_count": 1, "voted_helpful": False}
    assert client.put(f"{API}/reviews/{uuid.uuid4()}/helpful", headers=cat).status_code == 404


def test_deleting_reviews(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    mine = _review(client, catalog.movie, ana, "Mine", 3)["id"]
    theirs = _review(client, catalog.movie, ben, "Theirs", 5)["id"]
    refused = client.delete(f"{API}/reviews/{theirs}", headers=ana)
    assert refused.status_code == 403 and refused.json()["code"] == "not_author"
    assert client.delete(f"{API}/titles/{catalog.movie}/review", headers=ana).status_code == 200
    assert client.delete(f"{API}/titles/{catalog.movie}/review", headers=ana).status_code == 404
    assert client.delete(f"{API}/reviews/{mine}", headers=ana).status_code == 404
    # The rating written with the review stays.
    assert client.get(f"{API}/titles/{catalog.movie}/ratings", headers=ana).json()["mine"] == 3
    boss = admin(ctx, client)
    assert client.delete(f"{API}/reviews/{theirs}", headers=boss).status_code == 200
    assert client.get(f"{API}/titles/{catalog.movie}/reviews", headers=ana).json()["total"] == 0


def test_kids_and_hidden_titles(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    grown = viewer(client)
    review = _review(client, catalog.cartoon, grown, "Sweet", 5)["id"]
    on_adult = _review(client, catalog.adult, grown, "Grim", 4)["id"]
    child = kid(ctx, client)
    for method, url, body in (
        ("GET", f"{API}/titles/{catalog.cartoon}/reviews", None),
        ("PUT", f"{API}/titles/{catalog.cartoon}/review", {"body": "yay", "score": 5}),
        ("DELETE", f"{API}/titles/{catalog.cartoon}/review", None),
        ("PUT", f"{API}/reviews/{review}/helpful", None),
        ("DELETE", f"{API}/reviews/{review}", None),
    ):
        resp = client.request(method, url, json=body, headers=child)
        assert resp.status_code == 403, (method, url, resp.text)
        assert resp.json()["code"] == "kids_profile"

    limited = teen(ctx, client)
    url = f"{API}/titles/{catalog.adult}/review"
    assert client.get(f"{API}/titles/{catalog.adult}/reviews", headers=limited).status_code == 403
    assert client.put(url, json={"body": "x", "score": 1}, headers=limited).status_code == 403
    for method, target in (("PUT", "/helpful"), ("DELETE", "")):
        resp = client.request(method, f"{API}/reviews/{on_adult}{target}", headers=limited)
        assert resp.status_code == 404, resp.text
        assert "Dark Night" not in resp.text
    hidden = f"{API}/titles/{catalog.unpublished}"
    assert client.get(f"{hidden}/reviews", headers=grown).status_code == 404
    resp = client.put(f"{hidden}/review", json={"body": "x", "score": 1}, headers=grown)
    assert resp.status_code == 404
