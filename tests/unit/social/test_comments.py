"""Comments over HTTP: posting on titles and videos, plain text, replies, editing and
deleting, order and pages, kids profiles, hidden titles and the per-profile limit."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.unit.social.helpers import (
    API,
    Catalog,
    Headers,
    admin,
    kid,
    seed,
    switch_profile,
    teen,
    viewer,
)
from tests.utils.factories import build_api_context


def _post(client: TestClient, url: str, headers: Headers, body: str, **extra: object) -> str:
    resp = client.post(url, json={"body": body, **extra}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_comments_on_a_title_and_its_videos(client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    on_title = client.post(
        f"{API}/titles/{catalog.series}/comments", json={"body": "  Great show!\r\n"}, headers=ana
    )
    assert on_title.status_code == 201, on_title.text
    created = on_title.json()
    assert created["body"] == "Great show!"  # trimmed
    assert created["video_id"] is None and created["position_s"] is None
    assert created["mine"] is True and created["author"]["name"]
    assert created["reply_count"] == 0 and created["reactions"] == []

    pinned = client.post(
        f"{API}/videos/{catalog.episode1}/comments",
        json={"body": "line one\r\nline two", "position_s": 751.5},
        headers=ben,
    ).json()
    assert pinned["body"] == "line one\nline two"
    assert pinned["position_s"] == 751.5
    assert pinned["title_id"] == str(catalog.series)
    # A moment past the end (the player's rounding) is the end.
    late = client.post(
        f"{API}/videos/{catalog.episode2}/comments",
        json={"body": "the ending!", "position_s": 1200.4},
        headers=ben,
    ).json()
    assert late["position_s"] == 1200.0

    title_page = client.get(f"{API}/titles/{catalog.series}/comments", headers=ana).json()
    assert [c["body"] for c in title_page["items"]] == [
        "the ending!",
        "line one\nline two",
        "Great show!",
    ]
    assert title_page["total"] == 3 and title_page["next_offset"] is None
    assert [c["mine"] for c in title_page["items"]] == [False, False, True]
    episode = client.get(f"{API}/videos/{catalog.episode1}/comments", headers=ana).json()
    assert [c["body"] for c in episode["items"]] == ["line one\nline two"]
    assert client.get(f"{API}/videos/{catalog.movie_video}/comments", headers=ana).json() == {
        "items": [],
        "total": 0,
        "next_offset": None,
    }


def test_text_is_returned_verbatim_as_json(client: TestClient, catalog: Catalog) -> None:
    h = viewer(client)
    script = '<script>alert("x")</script> & <b>bold</b>'
    resp = client.post(f"{API}/titles/{catalog.movie}/comments", json={"body": script}, headers=h)
    assert resp.status_code == 201
    assert resp.headers["content-type"] == "application/json"
    assert resp.json()["body"] == script  # not escaped, not stripped: clients render text
    listed = client.get(f"{API}/titles/{catalog.movie}/comments", headers=h)
    assert listed.headers["content-type"] == "application/json"
    assert listed.headers["x-content-type-options"] == "nosniff"
    assert listed.json()["items"][0]["body"] == script


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": "   \n\t "},
        {"body": "x" * 2001},
        {"body": "nul \x00 byte"},
        {"body": "bell \x07"},
        {"body": 42},
        {"body": "ok", "position_s": -1},
        {"body": "ok", "position_s": "soon"},
    ],
)
def test_bad_comment_bodies_are_refused(
    client: TestClient, catalog: Catalog, payload: dict[str, object]
) -> None:
    h = viewer(client)
    resp = client.post(f"{API}/videos/{catalog.movie_video}/comments", json=payload, headers=h)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"
    assert (
        client.get(f"{API}/videos/{catalog.movie_video}/comments", headers=h).json()["total"] == 0
    )


def test_longest_comment_and_unknown_targets(client: TestClient, catalog: Catalog) -> None:
    h = viewer(client)
    longest = "é" * 2000
    assert _post(client, f"{API}/titles/{catalog.movie}/comments", h, f"  {longest}  ")
    assert client.get(f"{API}/titles/{catalog.movie}/comments", headers=h).json()["items"][0][
        "body"
    ] == (longest)
    for url in (
        f"{API}/titles/{uuid.uuid4()}/comments",
        f"{API}/videos/{uuid.uuid4()}/comments",
        f"{API}/comments/{uuid.uuid4()}/replies",
    ):
        assert client.post(url, json={"body": "hi"}, headers=h).status_code == 404
        assert client.get(url, headers=h).status_code == 404
    assert client.get(f"{API}/titles/not-a-uuid/comments", headers=h).status_code == 422
    client.cookies.clear()  # signing up left the web app's session cookie behind
    assert client.get(f"{API}/titles/{catalog.movie}/comments").status_code == 401


def test_replies_are_one_level_deep(client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    top = _post(client, f"{API}/videos/{catalog.movie_video}/comments", ana, "first", position_s=5)
    r1 = _post(client, f"{API}/comments/{top}/replies", ben, "agreed")
    _post(client, f"{API}/comments/{top}/replies", ana, "thanks")
    reply = client.get(f"{API}/comments/{top}/replies", headers=ana).json()
    assert [r["body"] for r in reply["items"]] == ["agreed", "thanks"]  # oldest first
    first = reply["items"][0]
    assert first["parent_id"] == top and first["video_id"] == str(catalog.movie_video)
    assert first["position_s"] is None
    listed = client.get(f"{API}/titles/{catalog.movie}/comments", headers=ana).json()
    assert [c["id"] for c in listed["items"]] == [top]  # replies are not top-level
    assert listed["items"][0]["reply_count"] == 2

    deeper = client.post(f"{API}/comments/{r1}/replies", json={"body": "nested"}, headers=ana)
    assert deeper.status_code == 400
    assert deeper.json()["code"] == "reply_to_reply"


def test_edit_and_delete_own_comments(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana, ben = viewer(client), viewer(client)
    top = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "frist")
    lone = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "lonely")
    reply = _post(client, f"{API}/comments/{top}/replies", ben, "ha")

    edited = client.patch(f"{API}/comments/{top}", json={"body": "first"}, headers=ana)
    assert edited.status_code == 200 and edited.json()["body"] == "first"
    assert edited.json()["edited_at"] is not None
    theirs = client.patch(f"{API}/comments/{top}", json={"body": "mine now"}, headers=ben)
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_author"
    assert client.delete(f"{API}/comments/{top}", headers=ben).status_code == 403
    # Comments belong to a profile, not to the account: a sibling profile is refused too.
    sibling = viewer(client)
    first_profile = _post(client, f"{API}/titles/{catalog.movie}/comments", sibling, "by one")
    switch_profile(ctx, client, sibling)
    refused = client.patch(f"{API}/comments/{first_profile}", json={"body": "x"}, headers=sibling)
    assert refused.status_code == 403 and refused.json()["code"] == "not_author"
    assert client.delete(f"{API}/comments/{first_profile}", headers=sibling).status_code == 403
    boss = admin(ctx, client)
    assert client.delete(f"{API}/comments/{first_profile}", headers=boss).status_code == 200
    bad = client.patch(f"{API}/comments/{top}", json={"body": ""}, headers=ana)
    assert bad.status_code == 422

    assert client.delete(f"{API}/comments/{lone}", headers=ana).status_code == 200
    assert client.delete(f"{API}/comments/{top}", headers=ana).status_code == 200
    listed = client.get(f"{API}/titles/{catalog.movie}/comments", headers=ben).json()
    # A deleted comment without replies is gone; one with replies stays as a marker.
    assert [c["id"] for c in listed["items"]] == [top]
    marker = listed["items"][0]
    assert marker["deleted"] is True and marker["body"] == "" and marker["author"] is None
    assert marker["reply_count"] == 1 and marker["mine"] is False
    replies = client.get(f"{API}/comments/{top}/replies", headers=ben).json()["items"]
    assert [r["id"] for r in replies] == [reply]
    # A deleted comment can no longer be edited, replied to or reacted to.
    assert client.patch(f"{API}/comments/{top}", json={"body": "x"}, headers=ana).status_code == 404
    assert (
        client.post(f"{API}/comments/{top}/replies", json={"body": "x"}, headers=ben).status_code
        == 404
    )
    assert client.put(f"{API}/comments/{top}/reactions/like", headers=ben).status_code == 404
    assert client.delete(f"{API}/comments/{top}", headers=ana).status_code == 404

    # Admins delete anyone's comment; the last reply going takes the marker with it.
    assert client.delete(f"{API}/comments/{reply}", headers=boss).status_code == 200
    assert client.get(f"{API}/titles/{catalog.movie}/comments", headers=ben).json()["total"] == 0


def test_pages_and_top_order(client: TestClient, catalog: Catalog) -> None:
    h, other = viewer(client), viewer(client)
    ids = [_post(client, f"{API}/titles/{catalog.movie}/comments", h, f"c{i}") for i in range(5)]
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get(
            f"{API}/titles/{catalog.movie}/comments",
            params={"limit": 2, "offset": offset},
            headers=h,
        ).json()
        assert page["total"] == 5
        seen += [c["id"] for c in page["items"]]
        offset = page["next_offset"]
    assert seen == ids[::-1]  # newest first, each once
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"order": "oldest"}):
        url = f"{API}/titles/{catalog.movie}/comments"
        assert client.get(url, params=params, headers=h).status_code == 422

    # Top: most reactions first, newest first among equals.
    for emoji in ("like", "love", "fire"):
        client.put(f"{API}/comments/{ids[1]}/reactions/{emoji}", headers=other)
    client.put(f"{API}/comments/{ids[3]}/reactions/like", headers=other)
    client.put(f"{API}/comments/{ids[3]}/reactions/like", headers=h)
    client.put(f"{API}/comments/{ids[0]}/reactions/wow", headers=h)
    top = client.get(
        f"{API}/titles/{catalog.movie}/comments", params={"order": "top"}, headers=h
    ).json()
    assert [c["id"] for c in top["items"]] == [ids[1], ids[3], ids[0], ids[4], ids[2]]


def test_comment_reactions(client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    cid = _post(client, f"{API}/videos/{catalog.movie_video}/comments", ana, "wow")
    first = client.put(f"{API}/comments/{cid}/reactions/laugh", headers=ben)
    assert first.status_code == 200
    again = client.put(f"{API}/comments/{cid}/reactions/laugh", headers=ben).json()
    assert again == {
        "comment_id": cid,
        "reactions": [{"emoji": "laugh", "count": 1}],
        "mine": ["laugh"],
    }
    client.put(f"{API}/comments/{cid}/reactions/love", headers=ben)
    both = client.put(f"{API}/comments/{cid}/reactions/love", headers=ana).json()
    assert both["reactions"] == [{"emoji": "love", "count": 2}, {"emoji": "laugh", "count": 1}]
    assert both["mine"] == ["love"]
    shown = client.get(f"{API}/videos/{catalog.movie_video}/comments", headers=ben).json()["items"][
        0
    ]
    assert shown["my_reactions"] == ["love", "laugh"]
    taken = client.delete(f"{API}/comments/{cid}/reactions/love", headers=ben).json()
    # Ties keep the order the emoji are offered in.
    assert taken["reactions"] == [{"emoji": "love", "count": 1}, {"emoji": "laugh", "count": 1}]
    assert taken["mine"] == ["laugh"]
    assert client.delete(f"{API}/comments/{cid}/reactions/love", headers=ben).status_code == 200
    for emoji in ("thumbsup", "👍", "LIKE"):
        assert client.put(f"{API}/comments/{cid}/reactions/{emoji}", headers=ben).status_code == 422
    assert (
        client.put(f"{API}/comments/{uuid.uuid4()}/reactions/like", headers=ben).status_code == 404
    )


def test_reports_and_the_admin_queue(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    boss = admin(ctx, client)
    cid = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "buy pills at example.com")
    other = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "the twist is...")
    url = f"{API}/comments/{cid}/reports"
    assert (
        client.post(url, json={"reason": "spam", "note": "an ad"}, headers=ben).status_code == 201
    )
    again = client.post(url, json={"reason": "abuse"}, headers=ben)
    assert again.status_code == 409
    own = client.post(url, json={"reason": "spam"}, headers=ana)
    assert own.status_code == 400 and own.json()["code"] == "own_comment"
    assert client.post(url, json={"reason": "rude"}, headers=ben).status_code == 422
    assert (
        client.post(url, json={"reason": "spam", "note": "x" * 501}, headers=ben).status_code == 422
    )
    client.post(f"{API}/comments/{other}/reports", json={"reason": "spoiler"}, headers=ben)

    assert client.get(f"{API}/comment-reports", headers=ben).status_code == 403
    queue = client.get(f"{API}/comment-reports", headers=boss).json()
    assert queue["total"] == 2
    first = queue["items"][0]
    assert first["reason"] == "spam" and first["note"] == "an ad"
    assert first["comment"]["body"] == "buy pills at example.com"
    assert first["resolved_at"] is None and first["reporter"]
    # Dismissing a report keeps the comment; deleting a comment resolves its reports.
    resolve = f"{API}/comment-reports/{queue['items'][1]['id']}/resolve"
    assert client.post(resolve, headers=ben).status_code == 403
    resolved = client.post(resolve, headers=boss).json()
    assert resolved["resolved_at"] is not None and resolved["comment"]["deleted"] is False
    assert client.delete(f"{API}/comments/{cid}", headers=boss).status_code == 200
    assert client.get(f"{API}/comment-reports", headers=boss).json()["total"] == 0
    done = client.get(f"{API}/comment-reports", params={"state": "resolved"}, headers=boss).json()
    assert done["total"] == 2
    assert (
        client.post(f"{API}/comment-reports/{uuid.uuid4()}/resolve", headers=boss).status_code
        == 404
    )


def test_kids_profiles_see_no_comments(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    grown = viewer(client)
    cid = _post(client, f"{API}/titles/{catalog.cartoon}/comments", grown, "not for kids")
    child = kid(ctx, client)
    # The title is rated for all: what refuses the kids profile is the comments.
    for method, url, body in (
        ("GET", f"{API}/titles/{catalog.cartoon}/comments", None),
        ("GET", f"{API}/videos/{catalog.cartoon_video}/comments", None),
        ("GET", f"{API}/comments/{cid}/replies", None),
        ("POST", f"{API}/titles/{catalog.cartoon}/comments", {"body": "hi"}),
        ("POST", f"{API}/videos/{catalog.cartoon_video}/comments", {"body": "hi"}),
        ("POST", f"{API}/comments/{cid}/replies", {"body": "hi"}),
        ("PUT", f"{API}/comments/{cid}/reactions/like", None),
        ("POST", f"{API}/comments/{cid}/reports", {"reason": "spam"}),
    ):
        resp = client.request(method, url, json=body, headers=child)
        assert resp.status_code == 403, (method, url, resp.text)
        assert resp.json()["code"] == "kids_profile"
    assert (
        client.get(f"{API}/titles/{catalog.cartoon}/comments", headers=grown).json()["total"] == 1
    )


def test_titles_the_profile_may_not_see(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    grown, limited = viewer(client), teen(ctx, client)
    on_adult = _post(client, f"{API}/titles/{catalog.adult}/comments", grown, "dark")
    # Addressed by title or video: refused as the rest of the API refuses it (the
    # maturity limit is 403, an unpublished title 404), never listed.
    for url in (
        f"{API}/titles/{catalog.adult}/comments",
        f"{API}/videos/{catalog.adult_video}/comments",
    ):
        assert client.get(url, headers=limited).status_code == 403
        assert client.post(url, json={"body": "x"}, headers=limited).status_code == 403
    for url in (
        f"{API}/titles/{catalog.unpublished}/comments",
        f"{API}/videos/{catalog.unpublished_video}/comments",
    ):
        assert client.get(url, headers=grown).status_code == 404
        assert client.post(url, json={"body": "x"}, headers=grown).status_code == 404
    # Addressed by the comment's own id: 404, so the id confirms nothing.
    for method, url, body in (
        ("GET", f"{API}/comments/{on_adult}/replies", None),
        ("POST", f"{API}/comments/{on_adult}/replies", {"body": "x"}),
        ("PUT", f"{API}/comments/{on_adult}/reactions/like", None),
        ("POST", f"{API}/comments/{on_adult}/reports", {"reason": "spam"}),
        ("PATCH", f"{API}/comments/{on_adult}", {"body": "x"}),
        ("DELETE", f"{API}/comments/{on_adult}", None),
    ):
        resp = client.request(method, url, json=body, headers=limited)
        assert resp.status_code == 404, (method, url, resp.text)
        assert "Dark Night" not in resp.text


def test_comments_are_limited_per_profile(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", comment_rate_limit_per_min=2)
    try:
        catalog = seed(ctx)
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h, other = viewer(client), viewer(client)
            url = f"{API}/titles/{catalog.movie}/comments"
            top = _post(client, url, h, "one")
            _post(client, f"{API}/comments/{top}/replies", h, "two")
            limited = client.post(url, json={"body": "three"}, headers=h)
            assert limited.status_code == 429
            assert limited.headers["Retry-After"] == "60"
            assert limited.json()["code"] == "too_many_requests"
            # Refused requests do not count, and other profiles have their own allowance.
            assert client.post(url, json={"body": ""}, headers=other).status_code == 422
            _post(client, url, other, "mine")
            _post(client, url, other, "also mine")
            assert client.get(url, headers=other).json()["total"] == 3
    finally:
        ctx.close()
