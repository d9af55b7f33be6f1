"""Cluster mode: admin actions become Video resources on the real kube-apiserver
(with the generated CRDs and their validation), the API on PostgreSQL and S3."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kubernetes import client as k8s

from kinema.catalog.models import Video
from kinema.resources.common import GROUP, VERSION
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.kube import CATALOG_VIDEO_ID
from tests.integration.api.cluster import upload, video_object, video_objects
from tests.utils.factories import (
    admin_token,
    bearer,
    build_api_context,
    signup,
)

pytestmark = pytest.mark.integration


def test_admin_actions_drive_video_resources(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi, kube_namespace: str
) -> None:
    with TestClient(create_app(context=kube_ctx, web_dist=None)) as client:
        h = bearer(admin_token(kube_ctx, client))
        upload_id = upload(kube_ctx)
        created = client.post(
            "/api/v1/admin/videos",
            json={
                "title": "Night Train",
                "description": "A long way home.",
                "genres": ["Drama", "Mystery"],
                "tags": ["trains"],
                "maturity": "16+",
                "year": 2021,
                "published": True,
                "upload_id": upload_id,
                "chapters": {"intro_start_s": 5, "intro_end_s": 35, "credits_start_s": 590},
            },
            headers=h,
        )
        assert created.status_code == 201, created.text
        video = created.json()
        assert video["status"] == "queued"
        assert video["job"] is None  # the operator runs it, not the embedded queue

        obj = video_object(custom, kube_ctx, video["id"])
        assert obj["metadata"]["namespace"] == kube_namespace
        assert obj["metadata"]["labels"][CATALOG_VIDEO_ID] == video["id"]
        assert obj["metadata"]["annotations"][CATALOG_VIDEO_ID] == video["id"]
        bucket_key = kube_ctx.store.uri(f"raw/{upload_id.replace('-', '')}/movie.mp4")
        assert bucket_key.startswith("s3://")
        assert obj["spec"] == {
            "source": bucket_key,
            "title": "Night Train",
            "description": "A long way home.",
            "genres": ["Drama", "Mystery"],
            "tags": ["trains"],
            "maturityRating": "16+",
            "type": "movie",
            "year": 2021,
            "published": True,
            "chapters": {
                "introStartSeconds": 5.0,
                "introEndSeconds": 35.0,
                "creditsStartSeconds": 590.0,
            },
            # Defaults the CRD schema filled in on the server.
            **{k: obj["spec"][k] for k in obj["spec"] if k not in _GIVEN},
        }
        assert obj["spec"]["revision"] == 0
        name = obj["metadata"]["name"]

        # Metadata edit: a merge patch of the spec (and the row, at once).
        patched = client.patch(
            f"/api/v1/admin/videos/{video['id']}",
            json={"title": "Night Train (Director's Cut)", "genres": ["Drama"], "published": False},
            headers=h,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["title"] == "Night Train (Director's Cut)"
        spec = video_object(custom, kube_ctx, video["id"])["spec"]
        assert spec["title"] == "Night Train (Director's Cut)"
        assert spec["genres"] == ["Drama"]
        assert spec["published"] is False
        assert spec["tags"] == ["trains"]  # untouched fields stay
        assert spec["year"] == 2021

        # Re-transcode without a new upload bumps spec.revision...
        again = client.post(f"/api/v1/admin/videos/{video['id']}/transcode", json={}, headers=h)
        assert again.status_code == 200, again.text
        assert video_object(custom, kube_ctx, video["id"])["spec"]["revision"] == 1
        # ...and with one, points spec.source at it.
        new_upload = upload(kube_ctx, b"a better master")
        again = client.post(
            f"/api/v1/admin/videos/{video['id']}/transcode",
            json={"upload_id": new_upload},
            headers=h,
        )
        assert again.status_code == 200, again.text
        spec = video_object(custom, kube_ctx, video["id"])["spec"]
        assert spec["source"] == kube_ctx.store.uri(f"raw/{new_upload.replace('-', '')}/movie.mp4")
        assert spec["revision"] == 1
        assert again.json()["source"] == spec["source"]

        # Delete: the Video goes (the operator's finalizer would remove output and row).
        gone = client.delete(f"/api/v1/admin/videos/{video['id']}", headers=h)
        assert gone.status_code == 202, gone.text
        assert [o["metadata"]["name"] for o in video_objects(custom, kube_namespace)] == []
        assert client.get(f"/api/v1/admin/videos/{video['id']}", headers=h).status_code == 200
        # With the object gone, deleting again removes the row directly.
        assert client.delete(f"/api/v1/admin/videos/{video['id']}", headers=h).status_code == 200
        assert client.get(f"/api/v1/admin/videos/{video['id']}", headers=h).status_code == 404
        assert name.endswith(video["id"].replace("-", "")[:8])


_GIVEN = {
    "source",
    "title",
    "description",
    "genres",
    "tags",
    "maturityRating",
    "type",
    "year",
    "published",
    "chapters",
}


def test_episode_becomes_an_episode_video(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi
) -> None:
    with TestClient(create_app(context=kube_ctx, web_dist=None)) as client:
        h = bearer(admin_token(kube_ctx, client))
        created = client.post(
            "/api/v1/admin/videos",
            json={
                "kind": "series",
                "title": "Harbour Lights",
                "season_number": 1,
                "episode_number": 2,
                "upload_id": upload(kube_ctx),
            },
            headers=h,
        )
        assert created.status_code == 201, created.text
        spec = video_object(custom, kube_ctx, created.json()["id"])["spec"]
        assert spec["type"] == "episode"
        assert spec["title"] == "Episode 2"
        assert spec["episode"] == {"series": "Harbour Lights", "season": 1, "number": 2}


def test_cluster_refusals_are_clear_json_errors(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi, kube_namespace: str
) -> None:
    with TestClient(create_app(context=kube_ctx, web_dist=None)) as client:
        h = bearer(admin_token(kube_ctx, client))
        # The catalog takes 300 characters; the Video CRD only 200: the API server says no.
        resp = client.post(
            "/api/v1/admin/videos",
            json={"title": "x" * 250, "upload_id": upload(kube_ctx)},
            headers=h,
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["code"] == "invalid_resource"
        assert "spec.title" in resp.json()["detail"]
        # Nothing was left behind: no row, no object.
        assert client.get("/api/v1/admin/videos", headers=h).json() == []
        assert video_objects(custom, kube_namespace) == []

        # An edit the CRD refuses leaves the row unchanged too.
        created = client.post(
            "/api/v1/admin/videos",
            json={"title": "Short", "upload_id": upload(kube_ctx)},
            headers=h,
        ).json()
        resp = client.patch(
            f"/api/v1/admin/videos/{created['id']}", json={"title": "y" * 250}, headers=h
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["code"] == "invalid_resource"
        assert client.get(f"/api/v1/admin/videos/{created['id']}", headers=h).json()["title"] == (
            "Short"
        )

        # A draft (no upload yet) gets its Video on its first transcode; when a Video of
        # that name exists already, the API server's 409 comes back as a JSON conflict.
        draft = client.post("/api/v1/admin/videos", json={"title": "Taken"}, headers=h).json()
        assert draft["status"] == "draft"
        taken = f"taken-{draft['id'].replace('-', '')[:8]}"
        custom.create_namespaced_custom_object(
            GROUP,
            VERSION,
            kube_namespace,
            "videos",
            {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "Video",
                "metadata": {"name": taken},
                "spec": {"source": "s3://elsewhere/x.mp4", "title": "Someone else's"},
            },
        )
        resp = client.post(
            f"/api/v1/admin/videos/{draft['id']}/transcode",
            json={"upload_id": upload(kube_ctx)},
            headers=h,
        )
        assert resp.status_code == 409, resp.text
        assert resp.json()["code"] == "conflict"
        assert taken in resp.json()["detail"]
        body = client.get(f"/api/v1/admin/videos/{draft['id']}", headers=h).json()
        assert body["status"] == "draft"  # the row did not change

        # A row fed by a Video in another namespace (declared with kubectl or GitOps)
        # is not the API's to change: one clear line, no call to the cluster.
        with kube_ctx.sessions() as s:
            row = s.get(Video, uuid.UUID(created["id"]))
            assert row is not None
            row.resource_name = "elsewhere/other"
            s.commit()
        resp = client.post(f"/api/v1/admin/videos/{created['id']}/transcode", json={}, headers=h)
        assert resp.status_code == 409
        assert "elsewhere/other" in resp.json()["detail"]


@pytest.mark.slow
def test_api_created_video_is_transcoded_into_the_same_catalog_row(
    tmp_path: Path,
    pg_url: str,
    s3_env: Any,
    s3_prefix: str,
    kube_env: Any,
    kube_controllers: Any,
    kube_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Upload -> API -> Video -> operator (Jobs run by the test kubelet with the real
    transcoder) -> Ready, and the row the API created is the one that plays."""
    import kubernetes.config.kube_config

    from kinema.catalog import migrate
    from tests.integration.operator.test_video_flow import running_operator, wait_for
    from tests.utils.kubelet import FakeKubelet
    from tests.utils.media import Source, make_source

    migrate.upgrade(pg_url)
    monkeypatch.setattr(
        kubernetes.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kube_env.kubeconfig)
    )
    storage = f"s3://{s3_env.bucket}/{s3_prefix.rstrip('/')}"
    for key, value in {
        "KINEMA_DATABASE_URL": pg_url,
        "KINEMA_STORAGE_URL": storage,
        "KINEMA_OPERATOR_IMAGE": "ghcr.io/kinema/transcoder:test",
        "KINEMA_OPERATOR_RESYNC_INTERVAL_S": "1",
        "KINEMA_OPERATOR_METRICS_PORT": "0",
    }.items():
        monkeypatch.setenv(key, value)
    media = make_source(Source(size="320x180", rate="24", duration=2.0), tmp_path / "media")
    ctx = build_api_context(
        tmp_path / "data",
        database_url=pg_url,
        storage_url=storage,
        s3_endpoint_url=s3_env.endpoint_url,
        mode="cluster",
        kubeconfig=kube_env.kubeconfig,
        namespace=kube_namespace,
    )
    try:
        with (
            kube_controllers.api_client() as api,
            FakeKubelet(
                api,
                [kube_namespace],
                tmp_path / "kubelet",
                base_env=s3_env.env(),
                gpus=1,
            ) as kubelet,
            TestClient(create_app(context=ctx, web_dist=None)) as client,
        ):
            h = bearer(admin_token(ctx, client))
            upload_id = upload(ctx, media.read_bytes())
            created = client.post(
                "/api/v1/admin/videos",
                json={"title": "Operator Made", "upload_id": upload_id, "published": True},
                headers=h,
            )
            assert created.status_code == 201, created.text
            video_id = created.json()["id"]
            url = f"/api/v1/admin/videos/{video_id}"
            with running_operator(kube_namespace):
                seen: list[tuple[str, float]] = []

                def ready() -> Any:
                    body = client.get(url, headers=h).json()
                    assert body["status"] != "failed", body
                    seen.append((body["status"], body["progress"]))
                    return body if body["status"] == "ready" else None

                body = wait_for("the catalog row to be ready", ready, timeout=240, kubelet=kubelet)
                assert body["renditions"]
                # While the operator worked, the admin view showed its progress.
                assert any(st == "processing" and 0 < p < 1 for st, p in seen), seen
                listed = client.get("/api/v1/admin/videos", headers=h).json()
                assert [v["id"] for v in listed] == [video_id]  # no second row

                viewer = bearer(signup(client))
                play = client.get(f"/api/v1/playback/{video_id}", headers=viewer)
                assert play.status_code == 200, play.text
                master = client.get(play.json()["hls_url"])
                assert master.status_code == 200
                assert "#EXT-X-STREAM-INF" in master.text

                # A re-transcode from a file that is not media fails in the operator; the
                # live output keeps playing and the admin view says the new one failed.
                corrupt = upload(ctx, b"\x00not a movie\x00" * 64)
                again = client.post(f"{url}/transcode", json={"upload_id": corrupt}, headers=h)
                assert again.status_code == 200, again.text

                def retranscode_failed() -> Any:
                    body = client.get(url, headers=h).json()
                    return body if body["retranscode_failed"] else None

                body = wait_for(
                    "the failed re-transcode to show",
                    retranscode_failed,
                    timeout=120,
                    kubelet=kubelet,
                )
                assert body["status"] == "ready"
                assert body["error"]

                # The operator wrote it into the catalog row too (not only the live view).
                def row_error() -> Any:
                    with ctx.sessions() as s:
                        row = s.get(Video, uuid.UUID(video_id))
                        return row.error if row is not None and row.error else None

                wait_for("the catalog to record it", row_error, timeout=60, kubelet=kubelet)
                play = client.get(f"/api/v1/playback/{video_id}", headers=viewer)
                assert client.get(play.json()["hls_url"]).status_code == 200

                assert client.delete(url, headers=h).status_code == 202

                def row_gone() -> bool:
                    return client.get(url, headers=h).status_code == 404

                wait_for("the finalizer to remove the row", row_gone, timeout=90, kubelet=kubelet)
            kubelet.raise_errors()
    finally:
        ctx.close()


def test_rbac_refusal_is_a_clear_403(
    tmp_path: Path,
    pg_url: str,
    s3_env: Any,
    s3_prefix: str,
    kube: Any,
    kube_namespace: str,
) -> None:
    """The API's service account without the chart's Role: the API server's 403 comes
    back as one JSON line, and nothing is left in the catalog."""
    import yaml

    with kube.api_client() as api:
        core = k8s.CoreV1Api(api)
        core.create_namespaced_service_account(
            kube_namespace, k8s.V1ServiceAccount(metadata=k8s.V1ObjectMeta(name="no-rights"))
        )
        issued = core.create_namespaced_service_account_token(
            "no-rights",
            kube_namespace,
            k8s.AuthenticationV1TokenRequest(
                spec=k8s.V1TokenRequestSpec(audiences=[], expiration_seconds=3600)
            ),
        )
        assert issued.status is not None
        token = issued.status.token
    config = yaml.safe_load(kube.kubeconfig.read_text())
    config["users"] = [{"name": "no-rights", "user": {"token": token}}]
    for context in config["contexts"]:
        context["context"]["user"] = "no-rights"
    restricted = tmp_path / "restricted-kubeconfig"
    restricted.write_text(yaml.safe_dump(config))
    ctx = build_api_context(
        tmp_path / "data",
        database_url=pg_url,
        storage_url=f"s3://{s3_env.bucket}/{s3_prefix}",
        s3_endpoint_url=s3_env.endpoint_url,
        mode="cluster",
        kubeconfig=restricted,
        namespace=kube_namespace,
    )
    try:
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = bearer(admin_token(ctx, client))
            resp = client.post(
                "/api/v1/admin/videos",
                json={"title": "Forbidden Fruit", "upload_id": upload(ctx)},
                headers=h,
            )
            assert resp.status_code == 403, resp.text
            assert resp.json()["code"] == "forbidden"
            assert "creating Video" in resp.json()["detail"]
            assert "no-rights" in resp.json()["detail"]
            assert client.get("/api/v1/admin/videos", headers=h).json() == []
    finally:
        ctx.close()


def test_live_status_is_listed_once_per_interval_for_every_watcher(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi, kube_namespace: str
) -> None:
    """Admin live-status streams share one list of the Videos per interval."""
    resources = kube_ctx.videos
    assert resources is not None
    video_id = str(uuid.uuid4())
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Video",
        "metadata": {"name": "watched", "labels": {CATALOG_VIDEO_ID: video_id}},
        "spec": {"source": "s3://media/raw/watched.mp4", "title": "Watched"},
    }
    custom.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)

    def set_progress(value: int) -> None:
        custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, kube_namespace, "videos", "watched",
            {"status": {"phase": "Transcoding", "progress": value}},
        )  # fmt: skip

    set_progress(10)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: resources.statuses(max_age=60), range(16)))
    # One list answered every caller: they hold the very same mapping.
    assert all(a is answers[0] for a in answers)
    assert answers[0][video_id]["progress"] == 10
    set_progress(40)
    assert resources.statuses(max_age=60)[video_id]["progress"] == 10  # still shared
    assert resources.statuses()[video_id]["progress"] == 40  # a plain call lists afresh
    time.sleep(0.3)
    assert resources.statuses(max_age=0.2)[video_id]["progress"] == 40
