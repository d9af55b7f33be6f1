from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from kinema.catalog.models import JobStatus, TranscodeJob
from kinema.catalog.services import jobs
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    bearer,
    make_playable_video,
    make_ready_video,
    signup,
)

TUS = {"Tus-Resumable": "1.0.0"}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _tus_upload(client: TestClient, h: dict[str, str], data: bytes, *, chunk: int) -> str:
    created = client.post(
        "/api/v1/admin/uploads",
        json={
            "filename": "movie.mp4",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["method"] == "tus"
    url = body["tus_url"]
    offset = 0
    while offset < len(data):
        piece = data[offset : offset + chunk]
        resp = client.patch(
            url,
            content=piece,
            headers={
                **h,
                **TUS,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Upload-Checksum": "sha1 "
                + base64.b64encode(hashlib.sha1(piece).digest()).decode(),  # noqa: S324 - tus
            },
        )
        assert resp.status_code == 204, resp.text
        offset = int(resp.headers["Upload-Offset"])
    return str(body["id"])


def test_admin_only(client: TestClient) -> None:
    h = bearer(signup(client))
    for method, url in [
        ("GET", "/api/v1/admin/videos"),
        ("POST", "/api/v1/admin/uploads"),
        ("POST", "/api/v1/admin/uploads/tus"),
        ("DELETE", f"/api/v1/admin/videos/{uuid.uuid4()}"),
    ]:
        resp = client.request(method, url, headers=h, json={})
        assert resp.status_code == 403, (method, url, resp.text)
    client.cookies.clear()
    assert client.get("/api/v1/admin/videos").status_code == 401


def test_tus_upload_then_video(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    data = bytes(range(256)) * 1000  # 256 000 bytes
    upload_id = _tus_upload(client, h, data, chunk=100_000)
    state = client.get(f"/api/v1/admin/uploads/{upload_id}", headers=h).json()
    assert state["status"] == "completed"
    assert state["offset"] == len(data)
    assert ctx.store.get_bytes(state["key"]) == data
    assert (
        client.post(f"/api/v1/admin/uploads/{upload_id}/complete", json={}, headers=h).json()[
            "status"
        ]
        == "completed"
    )

    created = client.post(
        "/api/v1/admin/videos",
        json={"title": "My Movie", "genres": ["Drama"], "upload_id": upload_id, "year": 2024},
        headers=h,
    )
    assert created.status_code == 201, created.text
    video = created.json()
    assert video["status"] == "queued"
    assert video["job"]["status"] == "queued"
    assert ctx.jobs_queued.is_set()
    video_id = video["id"]
    patched = client.patch(
        f"/api/v1/admin/videos/{video_id}", json={"title": "Renamed", "published": False}, headers=h
    )
    assert patched.json()["title"] == "Renamed"
    assert patched.json()["published"] is False
    listed = client.get("/api/v1/admin/videos", params={"status": "queued"}, headers=h).json()
    assert [v["id"] for v in listed] == [video_id]
    again = client.post(f"/api/v1/admin/videos/{video_id}/transcode", json={}, headers=h).json()
    assert again["job"]["status"] == "queued"
    with ctx.sessions() as s:
        statuses = sorted(j.status for j in s.query(TranscodeJob).all())
    assert statuses == sorted([JobStatus.CANCELLED, JobStatus.QUEUED])
    assert client.delete(f"/api/v1/admin/videos/{video_id}", headers=h).status_code == 200
    assert client.get(f"/api/v1/admin/videos/{video_id}", headers=h).status_code == 404
    assert not ctx.store.exists(state["key"])


def test_tus_protocol_errors(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    options = client.options("/api/v1/admin/uploads/tus")
    assert options.headers["Tus-Version"] == "1.0.0"
    assert "checksum" in options.headers["Tus-Extension"]
    created = client.post(
        "/api/v1/admin/uploads/tus",
        headers={
            **h,
            **TUS,
            "Upload-Length": "10",
            "Upload-Metadata": f"filename {_b64('clip.mov')},sha256 {_b64('0' * 64)}",
        },
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    patch = {**h, **TUS, "Content-Type": "application/offset+octet-stream"}
    wrong_offset = client.patch(url, content=b"abc", headers={**patch, "Upload-Offset": "5"})
    assert wrong_offset.status_code == 409
    assert wrong_offset.headers["Upload-Offset"] == "0"
    bad_sum = client.patch(
        url,
        content=b"abc",
        headers={**patch, "Upload-Offset": "0", "Upload-Checksum": "sha1 " + _b64("nope")},
    )
    assert bad_sum.status_code == 460
    assert client.head(url, headers=h).headers["Upload-Offset"] == "0"
    wrong_type = client.patch(
        url, content=b"abc", headers={**h, "Upload-Offset": "0", "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    too_long = client.patch(url, content=b"x" * 11, headers={**patch, "Upload-Offset": "0"})
    assert too_long.status_code == 413
    ok = client.patch(url, content=b"01234", headers={**patch, "Upload-Offset": "0"})
    assert ok.headers["Upload-Offset"] == "5"
    # The announced SHA-256 does not match the bytes: the last chunk is refused.
    last = client.patch(url, content=b"56789", headers={**patch, "Upload-Offset": "5"})
    assert last.status_code == 422
    assert "SHA-256" in last.json()["detail"]
    upload_id = url.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/admin/uploads/{upload_id}", headers=h).json()["status"] == "aborted"
    assert client.head(url, headers=h).status_code == 410
    for bad in ({"Upload-Length": "0"}, {"Upload-Length": "x"}, {"Upload-Metadata": "filename !!"}):
        resp = client.post(
            "/api/v1/admin/uploads/tus", headers={**h, **TUS, "Upload-Length": "5", **bad}
        )
        assert resp.status_code in (400, 422), (bad, resp.text)
    # Termination.
    location = client.post(
        "/api/v1/admin/uploads/tus", headers={**h, **TUS, "Upload-Length": "3"}
    ).headers["Location"]
    assert client.delete(location, headers=h).status_code == 204
    assert client.head(location, headers=h).status_code == 410


def test_upload_and_video_validation(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    for body in (
        {"filename": "a.mp4", "size": 0},
        {"filename": "a.mp4", "size": 60 * 1024**3},
        {"filename": "../etc/passwd", "size": 10},
        {"filename": "a.mp4", "size": 10, "sha256": "xyz"},
        {"filename": "", "size": 10},
    ):
        assert client.post("/api/v1/admin/uploads", json=body, headers=h).status_code == 422, body
    multipart = client.post(
        "/api/v1/admin/uploads",
        json={"filename": "a.mp4", "size": 10, "method": "multipart"},
        headers=h,
    )
    assert multipart.status_code == 409
    assert "S3" in multipart.json()["detail"]
    incomplete = client.post(
        "/api/v1/admin/uploads", json={"filename": "a.mp4", "size": 10}, headers=h
    ).json()
    cases: list[tuple[dict[str, object], int]] = [
        ({"title": "X", "upload_id": incomplete["id"]}, 409),
        ({"title": "X", "upload_id": str(uuid.uuid4())}, 404),
        ({"title": "X", "kind": "series"}, 422),
        ({"title": "X", "kind": "series", "season_number": 1}, 422),
        ({"title": ""}, 422),
        ({"title": "X", "year": 1500}, 422),
        ({"title": "X", "maturity": "PG"}, 422),
    ]
    for body, status in cases:
        resp = client.post("/api/v1/admin/videos", json=body, headers=h)
        assert resp.status_code == status, (body, resp.text)
    draft = client.post("/api/v1/admin/videos", json={"title": "Draft"}, headers=h).json()
    assert draft["status"] == "draft"
    no_source = client.post(f"/api/v1/admin/videos/{draft['id']}/transcode", json={}, headers=h)
    assert no_source.status_code == 409
    assert client.delete(f"/api/v1/admin/uploads/{incomplete['id']}", headers=h).status_code == 200


def test_series_episodes(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    first = client.post(
        "/api/v1/admin/videos",
        json={"title": "The Show", "kind": "series", "season_number": 1, "episode_number": 1},
        headers=h,
    ).json()
    second = client.post(
        "/api/v1/admin/videos",
        json={
            "title": "The Return",
            "kind": "series",
            "series_id": first["title_id"],
            "season_number": 1,
            "episode_number": 2,
        },
        headers=h,
    )
    assert second.status_code == 201, second.text
    assert second.json()["title_id"] == first["title_id"]
    assert second.json()["name"] == "The Return"
    clash = client.post(
        "/api/v1/admin/videos",
        json={
            "title": "Dup",
            "kind": "series",
            "series_id": first["title_id"],
            "season_number": 1,
            "episode_number": 2,
        },
        headers=h,
    )
    assert clash.status_code == 409


def test_delete_removes_media(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store)
        s.commit()
        prefix = video.output_prefix or ""
    assert any(True for _ in ctx.store.list(prefix))
    assert client.delete(f"/api/v1/admin/videos/{video.id}", headers=h).status_code == 200
    assert list(ctx.store.list(prefix)) == []


def test_the_admin_list_costs_the_same_queries_for_any_page_size(
    ctx: AppContext, client: TestClient
) -> None:
    """Latest jobs and renditions come in one query each, not one per video."""
    h = bearer(admin_token(ctx, client))

    def add(count: int) -> None:
        with ctx.sessions() as s:
            for _ in range(count):
                video = make_ready_video(s)
                jobs.enqueue_transcode(s, video=video)
            s.commit()

    def queries() -> tuple[int, list[dict[str, Any]]]:
        statements: list[str] = []

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(ctx.engine, "before_cursor_execute", seen)
        try:
            listed = client.get("/api/v1/admin/videos?limit=200", headers=h)
        finally:
            event.remove(ctx.engine, "before_cursor_execute", seen)
        assert listed.status_code == 200, listed.text
        return len(statements), listed.json()

    add(2)
    few, first = queries()
    add(10)
    many, second = queries()
    assert len(first) == 2 and len(second) == 12
    assert many == few
    assert all(v["job"] is not None and v["job"]["status"] == "queued" for v in second)
    assert all(v["renditions"] for v in second)
