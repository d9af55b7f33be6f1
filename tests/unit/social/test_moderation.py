"""The admins' moderation queue over HTTP: reported comments grouped per comment with
their count and reasons, newest report first, open and resolved, dismissing, deleting
(the comment leaves the queue), pages, and everyone else refused."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from kinema_api.context import AppContext
from tests.unit.social.helpers import API, Catalog, Headers, admin, kid, viewer

QUEUE = f"{API}/moderation/comments"
SCRIPT = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def _post(client: TestClient, url: str, headers: Headers, body: str) -> str:
    resp = client.post(url, json={"body": body}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _report(client: TestClient, cid: str, headers: Headers, reason: str, note: str = "") -> None:
    resp = client.post(
        f"{API}/comments/{cid}/reports", json={"reason": reason, "note": note}, headers=headers
    )
    assert resp.status_code == 201, resp.text


def _queue(client: TestClient, headers: Headers, **params: str | int) -> dict[str, Any]:
    resp = client.get(QUEUE, params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_the_queue_groups_reports_per_comment(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana, ben, cy, dee = viewer(client), viewer(client), viewer(client), viewer(client)
    boss = admin(ctx, client)
    spam = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, SCRIPT)
    spoiler = _post(client, f"{API}/videos/{catalog.episode2}/comments", ana, "he dies")
    _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "nobody minds this one")
    _report(client, spam, ben, "spam", note="<b>an ad</b>")
    _report(client, spam, cy, "spam")
    _report(client, spam, dee, "abuse")
    _report(client, spoiler, ben, "spoiler")  # the latest report: first in the queue

    queue = _queue(client, boss)
    assert queue["total"] == 2 and queue["next_offset"] is None
    items = queue["items"]
    assert isinstance(items, list)
    first, second = items
    assert first["comment_id"] == spoiler and first["title"] == "The Show"
    assert str(first["episode"]).startswith("S1:E2") and first["video_id"] == str(catalog.episode2)
    assert second["comment_id"] == spam and second["title"] == "Ocean Voyage"
    assert second["body"] == SCRIPT  # verbatim JSON: the client renders it as text
    assert second["author"]["name"] and "id" not in second["author"]
    assert second["report_count"] == 3 and second["open"] is True
    assert second["reasons"] == [{"reason": "spam", "count": 2}, {"reason": "abuse", "count": 1}]
    notes = [r["note"] for r in second["reports"]]
    assert notes == ["", "", "<b>an ad</b>"]  # newest first
    assert all(r["reporter"]["name"] and r["resolved_at"] is None for r in second["reports"])

    page = _queue(client, boss, limit=1)
    assert page["total"] == 2 and page["next_offset"] == 1
    rest = _queue(client, boss, limit=1, offset=1)
    assert [i["comment_id"] for i in rest["items"]] == [spam]
    assert client.get(QUEUE, params={"limit": 0}, headers=boss).status_code == 422
    assert client.get(QUEUE, params={"state": "closed"}, headers=boss).status_code == 422


def test_dismissing_and_deleting_move_comments_out_of_the_open_queue(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana, ben, cy = viewer(client), viewer(client), viewer(client)
    boss = admin(ctx, client)
    kept = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "harsh but fair")
    doomed = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "buy pills")
    _report(client, kept, ben, "abuse")
    _report(client, doomed, ben, "spam")
    _report(client, doomed, cy, "spam")

    dismissed = client.post(f"{QUEUE}/{kept}/dismiss", headers=boss)
    assert dismissed.status_code == 200, dismissed.text
    body = dismissed.json()
    assert body["open"] is False and body["deleted"] is False and body["body"] == "harsh but fair"
    assert body["reports"][0]["resolved_at"] is not None
    # Dismissing again is harmless; a comment nobody reported is not in the queue.
    assert client.post(f"{QUEUE}/{kept}/dismiss", headers=boss).status_code == 200
    unreported = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "fine")
    assert client.post(f"{QUEUE}/{unreported}/dismiss", headers=boss).status_code == 404
    assert client.post(f"{QUEUE}/{uuid.uuid4()}/dismiss", headers=boss).status_code == 404
    # The comment is still there for everyone.
    listed = client.get(f"{API}/titles/{catalog.movie}/comments", headers=ben).json()
    assert kept in [c["id"] for c in listed["items"]]

    assert [i["comment_id"] for i in _queue(client, boss)["items"]] == [doomed]
    assert client.delete(f"{API}/comments/{doomed}", headers=boss).status_code == 200
    assert _queue(client, boss) == {"items": [], "total": 0, "next_offset": None}

    resolved = _queue(client, boss, state="resolved")
    assert resolved["total"] == 2
    gone = next(i for i in resolved["items"] if i["comment_id"] == doomed)
    assert gone["deleted"] is True and gone["body"] == "" and gone["author"] is None
    assert gone["report_count"] == 2 and gone["open"] is False
    assert _queue(client, boss, state="all")["total"] == 2
    # A new report of the kept comment opens it again.
    _report(client, kept, cy, "spoiler")
    reopened = _queue(client, boss)["items"]
    assert [(i["comment_id"], i["report_count"]) for i in reopened] == [(kept, 1)]


def test_only_admins_moderate(ctx: AppContext, client: TestClient, catalog: Catalog) -> None:
    ana, ben = viewer(client), viewer(client)
    cid = _post(client, f"{API}/titles/{catalog.movie}/comments", ana, "hm")
    _report(client, cid, ben, "other")
    for headers in (ben, ana, kid(ctx, client)):
        assert client.get(QUEUE, headers=headers).status_code == 403
        assert client.post(f"{QUEUE}/{cid}/dismiss", headers=headers).status_code == 403
        assert client.get(f"{API}/moderation/clips", headers=headers).status_code == 403
    assert client.get(QUEUE).status_code == 403  # signed out: refused like any non-admin
    assert client.get(f"{API}/moderation/clips").status_code == 403
    # Refused requests changed nothing.
    assert _queue(client, admin(ctx, client))["total"] == 1
