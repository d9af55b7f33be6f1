"""The API on PostgreSQL, Redis and S3 (the cluster's backends) from the harness."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from tests.utils.factories import bearer, make_playable_video, signup

pytestmark = pytest.mark.integration


def test_progress_survives_redis_restart(cluster_ctx: AppContext, redis_server: Any) -> None:
    with cluster_ctx.sessions() as s:
        video_id = make_playable_video(s, cluster_ctx.store, duration_s=300).id
        s.commit()
    with TestClient(create_app(context=cluster_ctx, web_dist=None)) as client:
        h = bearer(signup(client))
        for pos in (10.0, 20.0, 31.5):
            resp = client.put(f"/api/v1/progress/{video_id}", json={"position_s": pos}, headers=h)
            assert resp.status_code == 200
        # The hot path is in Redis...
        assert cluster_ctx.cache.get(f"progress:{_profile(client, h)}:{video_id.hex}") is not None
        redis_server.restart()
        # ...and a restart (which empties this non-persistent Redis) loses nothing.
        assert client.get(f"/api/v1/progress/{video_id}", headers=h).json()["position_s"] == 31.5
        play = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
        assert play["resume_position_s"] == 31.5
        home = client.get("/api/v1/browse/home", headers=h).json()
        assert [c["position_s"] for c in home["continue_watching"]] == [31.5]
        # Writes keep working after the restart.
        assert (
            client.put(f"/api/v1/progress/{video_id}", json={"position_s": 40}, headers=h).json()[
                "position_s"
            ]
            == 40
        )


def _profile(client: TestClient, h: dict[str, str]) -> str:
    return str(client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"]).replace("-", "")


def test_plan_filtering_on_s3(cluster_ctx: AppContext) -> None:
    with cluster_ctx.sessions() as s:
        video_id = make_playable_video(s, cluster_ctx.store).id
        s.commit()
    with TestClient(create_app(context=cluster_ctx, web_dist=None)) as client:
        h = bearer(signup(client))
        play = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
        master = client.get(play["hls_url"]).text
        assert [v.height for v in manifests.variants(master) if not v.iframe] == [240, 480]
        base = play["hls_url"].rsplit("/", 1)[0]
        assert client.get(f"{base}/720p/seg_00001.m4s").status_code == 403
        seg = client.get(f"{base}/480p/seg_00003.m4s", headers={"Range": "bytes=100-199"})
        assert seg.status_code == 206
        assert seg.content == bytes([3]) * 100


def test_search_on_postgres(cluster_ctx: AppContext) -> None:
    from tests.utils.factories import make_title

    with cluster_ctx.sessions() as s:
        make_title(s, name="Midnight Express", description="A train at night.")
        make_title(s, name="Express Delivery", genres=["Comedy"])
        make_title(s, name="Quiet Garden", description="An express of feelings.")
        s.commit()
    with TestClient(create_app(context=cluster_ctx, web_dist=None)) as client:
        names = [t["name"] for t in client.get("/api/v1/search?q=express").json()["items"]]
        assert names[-1] == "Quiet Garden"
        assert set(names[:2]) == {"Midnight Express", "Express Delivery"}
        fuzzy = client.get("/api/v1/search?q=midnigt").json()["items"]
        assert [t["name"] for t in fuzzy][:1] == ["Midnight Express"]
