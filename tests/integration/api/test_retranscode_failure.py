"""A failed re-transcode of a ready video: the old output stays playable and the
failure shows (``retranscode_failed`` + ``error``), embedded and from the operator."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import JobStatus, TranscodeJob
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_operator.catalog import Catalog
from tests.utils.factories import (
    admin_token,
    bearer,
    make_completed_upload,
    make_playable_video,
    signup,
    worker_pool,
)

pytestmark = pytest.mark.integration


def _play_master(client: TestClient, video_id: str) -> int:
    h = bearer(signup(client))
    play = client.get(f"/api/v1/playback/{video_id}", headers=h)
    assert play.status_code == 200, play.text
    return client.get(play.json()["hls_url"]).status_code


@pytest.mark.slow
def test_embedded_retranscode_of_a_corrupt_upload_fails_visibly(
    embedded_ctx: AppContext,
) -> None:
    ctx = embedded_ctx
    with ctx.sessions() as s:
        video_id = str(make_playable_video(s, ctx.store, duration_s=12).id)
        corrupt = make_completed_upload(s, ctx.store, data=b"\x00garbage, not a video" * 500)
        s.commit()
    pool = worker_pool(ctx)
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        h = bearer(admin_token(ctx, client))
        before = client.get(f"/api/v1/admin/videos/{video_id}", headers=h).json()
        assert before["status"] == "ready"
        assert before["retranscode_failed"] is False
        resp = client.post(
            f"/api/v1/admin/videos/{video_id}/transcode",
            json={"upload_id": str(corrupt)},
            headers=h,
        )
        assert resp.status_code == 200, resp.text
        pool.start()
        try:
            deadline = time.monotonic() + 180
            while True:
                body = client.get(f"/api/v1/admin/videos/{video_id}", headers=h).json()
                if body["job"]["status"] == JobStatus.FAILED.value:
                    break
                assert time.monotonic() < deadline, body
                time.sleep(0.3)
        finally:
            pool.stop()
        assert body["status"] == "ready"  # the previous output is still live...
        assert body["retranscode_failed"] is True  # ...and the failure is there to see
        assert body["error"]
        assert body["error"] == body["job"]["error"]
        assert "transcode failed" in body["error"]
        with ctx.sessions() as s:
            assert s.query(TranscodeJob).one().attempts == 3
        assert _play_master(client, video_id) == 200
        listed = client.get("/api/v1/admin/videos", headers=h).json()
        assert [v["retranscode_failed"] for v in listed] == [True]

        # Trying again clears the flag until that attempt ends.
        again = client.post(f"/api/v1/admin/videos/{video_id}/transcode", json={}, headers=h)
        assert again.json()["retranscode_failed"] is False
        assert again.json()["error"] is None


def test_operator_failure_on_a_live_video_is_recorded(cluster_ctx: AppContext, pg_url: str) -> None:
    ctx = cluster_ctx
    with ctx.sessions() as s:
        ready = make_playable_video(s, ctx.store, duration_s=12)
        ready.resource_name = "media/ready-one"
        ready_id = str(ready.id)
        s.commit()
    catalog = Catalog(pg_url)
    try:
        assert catalog.record_failure("media/ready-one", "transcoding failed: bad input") is True
        assert catalog.record_failure("media/unknown", "whatever") is False
    finally:
        catalog.close()
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        h = bearer(admin_token(ctx, client))
        body: dict[str, Any] = client.get(f"/api/v1/admin/videos/{ready_id}", headers=h).json()
        assert body["status"] == "ready"
        assert body["retranscode_failed"] is True
        assert body["error"] == "transcoding failed: bad input"
        assert _play_master(client, ready_id) == 200
