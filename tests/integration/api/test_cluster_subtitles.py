"""Cluster mode: an admin's sidecar subtitles become the Video's ``spec.subtitles`` on
the real kube-apiserver (with the generated CRD's validation), as ``upload:`` sources
the operator resolves to the raw upload; refused sets touch neither the cluster nor
the catalog."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kubernetes import client as k8s

from kinema.catalog.models import Upload
from kinema.resources.video import VideoSpec
from kinema_api.admin.schemas import MAX_SUBTITLE_BYTES
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.integration.api.cluster import upload, video_object, video_objects
from tests.utils.factories import admin_token, bearer

pytestmark = pytest.mark.integration

SRT = b"1\n00:00:00,200 --> 00:00:01,500\nBonjour\n"


def _source(upload_id: str, filename: str) -> str:
    return f"upload:{uuid.UUID(upload_id).hex}/{filename}"


def test_sidecars_become_the_video_spec_subtitles(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi, kube_namespace: str
) -> None:
    with TestClient(create_app(context=kube_ctx, web_dist=None)) as client:
        h = bearer(admin_token(kube_ctx, client))
        movie = upload(kube_ctx, b"not really a movie", "movie.mp4")
        fr = upload(kube_ctx, SRT, "movie.fr.srt")
        en = upload(kube_ctx, b"WEBVTT\n\n00:00.200 --> 00:01.500\nHello\n", "movie.en.vtt")
        de = upload(kube_ctx, SRT, "movie.de.srt")
        created = client.post(
            "/api/v1/admin/videos",
            json={
                "title": "Harbour",
                "upload_id": movie,
                "subtitles": [
                    {"language": "fr", "upload_id": fr, "label": "Français"},
                    {"language": "en", "upload_id": en},
                ],
            },
            headers=h,
        )
        assert created.status_code == 201, created.text
        video = created.json()
        assert [s["language"] for s in video["subtitles"]] == ["fr", "en"]
        obj = video_object(custom, kube_ctx, video["id"])
        assert obj["spec"]["subtitles"] == [
            {"language": "fr", "source": _source(fr, "movie.fr.srt"), "label": "Français"},
            {"language": "en", "source": _source(en, "movie.en.vtt")},
        ]
        # What the operator reads: the spec passes the Video model's own rules.
        VideoSpec.model_validate(obj["spec"])
        source, revision = obj["spec"]["source"], obj["spec"]["revision"]

        # A subtitle-only edit: only spec.subtitles changes (the operator rewrites the
        # tracks with a light Job; source and revision, hence the encode, stay).
        url = f"/api/v1/admin/videos/{video['id']}"
        edited = client.patch(
            url, json={"subtitles": [{"language": "de", "upload_id": de}]}, headers=h
        )
        assert edited.status_code == 200, edited.text
        assert [s["language"] for s in edited.json()["subtitles"]] == ["de"]
        obj = video_object(custom, kube_ctx, video["id"])
        assert obj["spec"]["subtitles"] == [
            {"language": "de", "source": _source(de, "movie.de.srt")}
        ]
        assert (obj["spec"]["source"], obj["spec"]["revision"]) == (source, revision)
        assert obj["spec"]["title"] == "Harbour"

        # The same set again is no change: the object is not written.
        version = obj["metadata"]["resourceVersion"]
        same = client.patch(
            url, json={"subtitles": [{"language": "de", "upload_id": de}]}, headers=h
        )
        assert same.status_code == 200, same.text
        assert video_object(custom, kube_ctx, video["id"])["metadata"]["resourceVersion"] == (
            version
        )

        # [] removes every sidecar.
        cleared = client.patch(url, json={"subtitles": []}, headers=h)
        assert cleared.status_code == 200 and cleared.json()["subtitles"] == []
        obj = video_object(custom, kube_ctx, video["id"])
        assert not obj["spec"].get("subtitles")
        assert (obj["spec"]["source"], obj["spec"]["revision"]) == (source, revision)
        assert len(video_objects(custom, kube_namespace)) == 1


def test_refused_sidecars_touch_neither_cluster_nor_catalog(
    kube_ctx: AppContext, custom: k8s.CustomObjectsApi, kube_namespace: str
) -> None:
    with TestClient(create_app(context=kube_ctx, web_dist=None)) as client:
        h = bearer(admin_token(kube_ctx, client))
        movie = upload(kube_ctx, b"not really a movie", "movie.mp4")
        fr = upload(kube_ctx, SRT, "movie.fr.srt")
        big = upload(kube_ctx, SRT, "big.srt")
        with kube_ctx.sessions() as s:
            row = s.get(Upload, uuid.UUID(big))
            assert row is not None
            row.size = MAX_SUBTITLE_BYTES + 1
            s.commit()
        cases: list[tuple[list[dict[str, Any]], int, str]] = [
            ([{"language": "fr", "upload_id": fr}, {"language": "fr", "upload_id": fr}], 422,
             "repeated: fr"),
            ([{"language": "fr_FR", "upload_id": fr}], 422, "subtitles"),
            ([{"language": "fr", "upload_id": str(uuid.uuid4())}], 404, "no upload"),
            ([{"language": "fr", "upload_id": big}], 422, "at most"),
            ([{"language": "fr", "upload_id": movie}], 422, ".srt or .vtt"),
        ]  # fmt: skip
        for subtitles, status, words in cases:
            resp = client.post(
                "/api/v1/admin/videos",
                json={"title": "Refused", "upload_id": movie, "subtitles": subtitles},
                headers=h,
            )
            assert resp.status_code == status, (subtitles, resp.text)
            assert words in resp.json()["detail"]
        assert len(video_objects(custom, kube_namespace)) == 0

        created = client.post(
            "/api/v1/admin/videos",
            json={
                "title": "Kept",
                "upload_id": movie,
                "subtitles": [{"language": "fr", "upload_id": fr}],
            },
            headers=h,
        )
        assert created.status_code == 201, created.text
        video_id = created.json()["id"]
        before = video_object(custom, kube_ctx, video_id)
        for subtitles, status, words in cases:
            resp = client.patch(
                f"/api/v1/admin/videos/{video_id}",
                json={"title": "Changed", "subtitles": subtitles},
                headers=h,
            )
            assert resp.status_code == status, (subtitles, resp.text)
            assert words in resp.json()["detail"]
        after = video_object(custom, kube_ctx, video_id)
        assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
        shown = client.get(f"/api/v1/admin/videos/{video_id}", headers=h).json()
        assert shown["title"] == "Kept" and [s["language"] for s in shown["subtitles"]] == ["fr"]
