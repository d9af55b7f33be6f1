"""Artwork A/B tests through the API (embedded backends): variants from the packaged
output's poster candidates, sticky per-profile assignment served as the title's poster,
impressions and takes, the admin's statistics and ending a test."""

from __future__ import annotations

import uuid
from datetime import timedelta

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import ArtworkAssignment, ArtworkVariant, Maturity, Title
from kinema.output import REPORT_FILE, PosterCandidate, TranscodeReport
from kinema.storage import join_key
from kinema_api.artwork.services import assign
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    bearer,
    make_ready_video,
    make_title,
    set_plan,
    signup,
    write_packaged_output,
)

URIS = [f"posters/poster_{n:09d}.jpg" for n in (1000, 5000, 9000)]


def _image(uri: str) -> bytes:
    return b"\xff\xd8\xff\xe0" + uri.encode()


def _title(ctx: AppContext, *, maturity: Maturity = Maturity.ALL) -> uuid.UUID:
    """A published title whose video's output kept three poster candidates."""
    with ctx.sessions() as session:
        title: Title = make_title(session, maturity=maturity)
        video = make_ready_video(session, title=title)
        prefix = video.output_prefix or ""
        video.poster_path = URIS[0]
        write_packaged_output(ctx.store, prefix)
        report = TranscodeReport(status="complete", posters=[PosterCandidate(uri=u) for u in URIS])
        ctx.store.put_bytes(report.model_dump_json().encode(), join_key(prefix, REPORT_FILE))
        for uri in URIS:
            ctx.store.put_bytes(_image(uri), join_key(prefix, uri))
        session.commit()
        return title.id


def _start(client: TestClient, admin: dict[str, str], title_id: uuid.UUID) -> dict[str, object]:
    resp = client.post(
        "/api/v1/admin/artwork/tests", json={"title_id": str(title_id)}, headers=admin
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, object] = resp.json()
    return body


def _poster(client: TestClient, title_id: uuid.UUID, h: dict[str, str] | None = None) -> bytes:
    if h is None:
        client.cookies.clear()  # anonymous: without the session cookie signup set
    resp = client.get(f"/api/v1/titles/{title_id}/poster", headers=h or {})
    assert resp.status_code == 200, resp.text
    return resp.content


def test_variants_sticky_assignment_and_defaults(ctx: AppContext, client: TestClient) -> None:
    assign.set_rng(np.random.default_rng(5))
    title_id = _title(ctx)
    viewer = bearer(signup(client))
    # No test: the default poster, as before.
    default = _poster(client, title_id, viewer)
    assert default == _image(URIS[0])
    admin = bearer(admin_token(ctx, client))
    test = _start(client, admin, title_id)
    variants = test["variants"]
    assert isinstance(variants, list) and len(variants) == 3
    # A second test on the same title is refused while one runs.
    again = client.post(
        "/api/v1/admin/artwork/tests", json={"title_id": str(title_id)}, headers=admin
    )
    assert again.status_code == 409 and again.json()["code"] == "artwork_test_running"

    got = client.get(f"/api/v1/titles/{title_id}/poster", headers=viewer)
    assert got.headers["cache-control"] == "private, no-cache"
    first = got.content
    assert first in {_image(u) for u in URIS}
    for _ in range(5):  # sticky
        assert _poster(client, title_id, viewer) == first
    with ctx.sessions() as session:
        row = session.scalars(select(ArtworkAssignment)).one()
        assert 0.0 < row.propensity <= 1.0
        assert row.expires_at - row.assigned_at == timedelta(days=7)

    # Anonymous visitors and kids profiles see the default and get no assignment.
    assert _poster(client, title_id) == default
    set_plan(ctx, client, viewer, "family")
    kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=viewer)
    assert (
        client.post(f"/api/v1/profiles/{kid.json()['id']}/select", headers=viewer).status_code
        == 200
    )
    kid_poster = client.get(f"/api/v1/titles/{title_id}/poster", headers=viewer)
    assert kid_poster.content == default
    assert kid_poster.headers["cache-control"] != "private, no-cache"
    with ctx.sessions() as session:
        assert len(session.scalars(select(ArtworkAssignment)).all()) == 1


def test_assignment_follows_the_posteriors(ctx: AppContext, client: TestClient) -> None:
    """New profiles are drawn by Thompson sampling over the variants' counters."""
    assign.set_rng(np.random.default_rng(11))
    title_id = _title(ctx)
    admin = bearer(admin_token(ctx, client))
    test_id = uuid.UUID(str(_start(client, admin, title_id)["id"]))
    with ctx.sessions() as session:
        rows = session.scalars(
            select(ArtworkVariant)
            .where(ArtworkVariant.test_id == test_id)
            .order_by(ArtworkVariant.position)
        ).all()
        for row, takes in zip(rows, (10, 300, 10), strict=True):
            row.impressions, row.takes = 2_000, takes
        leader = _image(URIS[1])
        session.commit()
    for _ in range(2):
        assert _poster(client, title_id, bearer(signup(client))) == leader
    with ctx.sessions() as session:
        logged = session.scalars(select(ArtworkAssignment)).all()
        assert len(logged) == 2 and all(r.propensity > 0.99 for r in logged)


def test_impressions_and_takes(ctx: AppContext, client: TestClient) -> None:
    assign.set_rng(np.random.default_rng(2))
    title_id, other = _title(ctx), _title(ctx)
    admin = bearer(admin_token(ctx, client))
    test_id = _start(client, admin, title_id)["id"]
    h = bearer(signup(client))
    batch = {"title_ids": [str(title_id), str(other)]}
    # Not shown a variant yet (its poster was never served): nothing counts.
    seen = client.post("/api/v1/artwork/impressions", json=batch, headers=h)
    assert seen.status_code == 200 and seen.json() == {"counted": 0}
    shown = _poster(client, title_id, h)
    assert client.post("/api/v1/artwork/impressions", json=batch, headers=h).json() == {
        "counted": 1
    }
    # Deduplicated per profile, title and day.
    assert client.post("/api/v1/artwork/impressions", json=batch, headers=h).json() == {
        "counted": 0
    }
    # Validated at the edge; anonymous refused.
    invalid: list[list[str]] = [[], ["x"], [str(other)] * 101]
    for ids in invalid:
        bad = {"title_ids": ids}
        resp = client.post("/api/v1/artwork/impressions", json=bad, headers=h)
        assert resp.status_code == 422, ids
    client.cookies.clear()
    assert client.post("/api/v1/artwork/impressions", json=batch).status_code == 401

    with ctx.sessions() as session:
        video_id = session.get(Title, title_id).videos[0].id  # type: ignore[union-attr]
    for _ in range(2):  # a take per assignment, however many plays
        assert client.get(f"/api/v1/playback/{video_id}", headers=h).status_code == 200
    stats = client.get(f"/api/v1/admin/artwork/tests/{test_id}", headers=admin).json()
    counted = {v["id"]: (v["impressions"], v["takes"]) for v in stats["variants"]}
    assert sorted(counted.values()) == [(0, 0), (0, 0), (1, 1)]
    with ctx.sessions() as session:
        row = session.scalars(select(ArtworkAssignment)).one()
        assert counted[str(row.variant_id)] == (1, 1)
        assert ctx.store.get_bytes(session.get(ArtworkVariant, row.variant_id).key) == shown  # type: ignore[union-attr]


def test_admin_statistics_and_ending(ctx: AppContext, client: TestClient) -> None:
    title_id = _title(ctx)
    viewer = bearer(signup(client))
    admin = bearer(admin_token(ctx, client))
    # Admin only.
    for method, url in (
        ("GET", "/api/v1/admin/artwork/tests"),
        ("POST", "/api/v1/admin/artwork/tests"),
        ("GET", f"/api/v1/admin/artwork/tests/{uuid.uuid4()}"),
        ("POST", f"/api/v1/admin/artwork/tests/{uuid.uuid4()}/end"),
        ("GET", f"/api/v1/admin/artwork/variants/{uuid.uuid4()}/image"),
    ):
        resp = client.request(method, url, headers=viewer, json={"title_id": str(title_id)})
        assert resp.status_code == 403, (url, resp.text)
    # A title with a single image cannot be tested.
    with ctx.sessions() as session:
        lone = make_title(session)
        session.commit()
        lone_id = lone.id
    refused = client.post(
        "/api/v1/admin/artwork/tests", json={"title_id": str(lone_id)}, headers=admin
    )
    assert refused.status_code == 409 and refused.json()["code"] == "artwork_too_few_variants"

    test = _start(client, admin, title_id)
    with ctx.sessions() as session:
        rows = session.scalars(
            select(ArtworkVariant)
            .where(ArtworkVariant.test_id == uuid.UUID(str(test["id"])))
            .order_by(ArtworkVariant.position)
        ).all()
        for row, (shown, takes) in zip(rows, ((1000, 50), (1000, 60), (1000, 80)), strict=True):
            row.impressions, row.takes = shown, takes
        session.commit()
    body = client.get(f"/api/v1/admin/artwork/tests/{test['id']}", headers=admin).json()
    variants = body["variants"]
    assert [v["take_rate"] for v in variants] == [0.05, 0.06, 0.08]
    for v in variants:
        assert v["low"] < v["mean"] < v["high"]
    assert variants[2]["p_best"] > 0.9 and body["leader_id"] == variants[2]["id"]
    image = client.get(variants[1]["image_url"], headers=admin)
    assert image.status_code == 200 and image.content == _image(URIS[1])
    listed = client.get("/api/v1/admin/artwork/tests", params={"state": "running"}, headers=admin)
    assert [t["id"] for t in listed.json()] == [test["id"]]

    # Ending without a choice: the highest posterior mean becomes the default poster.
    ended = client.post(f"/api/v1/admin/artwork/tests/{test['id']}/end", headers=admin)
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "ended" and ended.json()["winner_id"] == variants[2]["id"]
    for h in (viewer, {}):
        client.cookies.clear()
        got = client.get(f"/api/v1/titles/{title_id}/poster", headers=h)
        assert got.content == _image(URIS[2]) and "no-cache" not in got.headers["cache-control"]
    again = client.post(f"/api/v1/admin/artwork/tests/{test['id']}/end", headers=admin)
    assert again.status_code == 409

    # An admin's choice wins over the statistics.
    second = _start(client, admin, title_id)
    pick = next(v for v in second["variants"] if v["source"] == "candidate")  # type: ignore[attr-defined]
    done = client.post(
        f"/api/v1/admin/artwork/tests/{second['id']}/end",
        json={"winner_id": pick["id"]},
        headers=admin,
    )
    assert done.status_code == 200 and done.json()["winner_id"] == pick["id"]
    assert _poster(client, title_id) == client.get(pick["image_url"], headers=admin).content
    wrong = client.post(f"/api/v1/admin/artwork/tests/{uuid.uuid4()}/end", headers=admin)
    assert wrong.status_code == 404
