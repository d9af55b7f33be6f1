"""A subtitle-only edit of a Ready Video: one small ``subtitles`` Job rewrites the
live output's manifests; no media Job runs and no media object is rewritten."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kinema.catalog.models import Video as CatalogVideo
from tests.integration.operator.conftest import TINY_LADDER
from tests.utils.kubelet import FakeKubelet
from tests.utils.operator_run import GROUP, VERSION, VideoWatch, operator, video, wait
from tests.utils.s3_server import S3Server

pytestmark = pytest.mark.integration

FRENCH = "1\n00:00:00,200 --> 00:00:01,500\nBonjour tout le monde\n"
GERMAN = "1\n00:00:00,300 --> 00:00:01,700\nHallo aus der neuen Spur\n"


def test_subtitle_edits_rewrite_only_the_subtitles(
    operator_settings: dict[str, Any],
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    s3: S3Server,
    s3_prefix: str,
    pg_url: str,
) -> None:
    watch = VideoWatch(fake_kubelet, kube_namespace, "subs")
    api, ready_at, jobs, renditions = watch.api, watch.ready_at, watch.jobs, watch.renditions
    store = s3.client()
    subs_url = {}
    for lang, srt in (("fr", FRENCH), ("de", GERMAN)):
        key = f"{s3_prefix}subs/clip.{lang}.srt"
        store.put_object(Bucket=s3.bucket, Key=key, Body=srt.encode())
        subs_url[lang] = f"s3://{s3.bucket}/{key}"

    def objects(prefix: str) -> dict[str, tuple[str, Any]]:
        out: dict[str, tuple[str, Any]] = {}
        pages = store.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket, Prefix=prefix)
        for page in pages:
            for o in page.get("Contents", []):
                out[o["Key"].removeprefix(prefix)] = (o["ETag"], o["LastModified"])
        return out

    def media(prefix: str) -> dict[str, tuple[str, Any]]:
        return {k: v for k, v in objects(prefix).items() if k.startswith(("video/", "audio/"))}

    def text(key: str) -> str:
        body: bytes = store.get_object(Bucket=s3.bucket, Key=key)["Body"].read()
        return body.decode()

    def subtitle_tracks() -> list[tuple[str, str]] | None:
        with Session(engine) as session:
            row = session.scalar(
                select(CatalogVideo).where(CatalogVideo.resource_name == f"{kube_namespace}/subs")
            )
            if row is None:
                return None
            return sorted((t.language, t.path) for t in row.tracks if t.kind.value == "subtitle")

    def set_subtitles(*langs: str) -> None:
        patch = {"spec": {"subtitles": [{"language": x, "source": subs_url[x]} for x in langs]}}
        api.patch_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "subs", patch)

    ladder = {**TINY_LADDER, "chunking": {"chunks": 1}}
    engine = create_engine(pg_url)
    try:
        with operator(kube_namespace):
            body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
                    "metadata": {"name": "one"}, "spec": ladder}  # fmt: skip
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", body)
            body = video(
                "subs",
                tiny_source,
                ladderRef={"name": "one"},
                subtitles=[{"language": "fr", "source": subs_url["fr"]}],
            )
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)
            first = wait("Ready", lambda: ready_at(1), timeout=120)
            status = first["status"]
            prefix = status["output"].removeprefix(f"s3://{s3.bucket}/") + "/"
            first_jobs = jobs()
            before = media(prefix)
            assert before and any(k.endswith(".m4s") for k in before)
            assert "subtitle-fr" in renditions()

            # 1. A second subtitle: one subtitles Job, the same output and media objects.
            set_subtitles("fr", "de")
            second = wait("Ready at generation 2", lambda: ready_at(2), timeout=90)
            new_jobs = sorted(set(jobs()) - set(first_jobs))
            assert len(new_jobs) == 1 and "-subtitles-" in new_jobs[0], jobs()
            assert set(first_jobs) <= set(jobs())
            assert second["status"]["output"] == status["output"]
            assert second["status"]["digest"] == status["digest"]
            assert second["status"]["subtitlesDigest"] != status["subtitlesDigest"]
            assert media(prefix) == before
            master = text(f"{prefix}master.m3u8")
            assert 'TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="de"' in master
            assert 'LANGUAGE="fr"' in master
            mpd = text(f"{prefix}manifest.mpd")
            assert 'lang="de"' in mpd and "subtitles/de.vtt" in mpd
            assert "Hallo aus der neuen Spur" in text(f"{prefix}subtitles/de.vtt")
            assert text(f"{prefix}subtitles/de.m3u8").startswith("#EXTM3U")
            assert "subtitle-de" in renditions() and "subtitle-fr" in renditions()
            assert second["status"]["manifests"] == status["manifests"]
            wait("the German track in the catalog", lambda: subtitle_tracks() == [
                ("de", "subtitles/de.vtt"), ("fr", "subtitles/fr.vtt")])  # fmt: skip

            # 2. Removing French takes it out of the manifests, the store and the catalog.
            set_subtitles("de")
            wait("Ready at generation 3", lambda: ready_at(3), timeout=90)
            assert [j for j in jobs() if "-subtitles-" not in j] == [
                j for j in first_jobs if "-subtitles-" not in j
            ]
            assert media(prefix) == before
            master = text(f"{prefix}master.m3u8")
            assert 'LANGUAGE="fr"' not in master and 'LANGUAGE="de"' in master
            assert 'lang="fr"' not in text(f"{prefix}manifest.mpd")
            left = objects(prefix)
            assert "subtitles/fr.vtt" not in left and "subtitles/fr.m3u8" not in left
            assert "subtitle-fr" not in renditions() and "subtitle-de" in renditions()
            wait("French gone from the catalog",
                 lambda: subtitle_tracks() == [("de", "subtitles/de.vtt")])  # fmt: skip
    finally:
        engine.dispose()


def test_an_unreadable_subtitle_fails_and_leaves_the_output_live(
    operator_settings: dict[str, Any],
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    s3: S3Server,
    s3_prefix: str,
) -> None:
    watch = VideoWatch(fake_kubelet, kube_namespace, "oops")
    api, get, condition_at, jobs = watch.api, watch.get, watch.condition_at, watch.jobs
    store = s3.client()
    missing = f"s3://{s3.bucket}/{s3_prefix}subs/missing.srt"

    def objects(prefix: str) -> dict[str, tuple[str, Any]]:
        listed = store.list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
        return {o["Key"]: (o["ETag"], o["LastModified"]) for o in listed.get("Contents", [])}

    ladder = {**TINY_LADDER, "chunking": {"chunks": 1}}
    with operator(kube_namespace):
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
                "metadata": {"name": "one"}, "spec": ladder}  # fmt: skip
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", body)
        body = video("oops", tiny_source, ladderRef={"name": "one"})
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)
        wait("Ready", lambda: condition_at("Ready", 1), timeout=120)
        status = get()["status"]
        prefix = status["output"].removeprefix(f"s3://{s3.bucket}/") + "/"
        before = objects(prefix)
        first_jobs = jobs()

        patch = {"spec": {"subtitles": [{"language": "it", "source": missing}]}}
        api.patch_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "oops", patch)
        failed = wait("Failed", lambda: condition_at("Failed", 2), timeout=90)
        assert failed["reason"] == "SubtitlesFailed" and "missing.srt" in failed["message"]
        assert objects(prefix) == before  # nothing of the live output was touched
        assert get()["status"]["manifests"] == status["manifests"]
        new_jobs = [j for j in jobs() if j not in first_jobs]
        assert len(new_jobs) == 1 and "-subtitles-" in new_jobs[0]

        # Taking the bad subtitle out again: Ready, with no further Job.
        patch = {"spec": {"subtitles": []}}
        api.patch_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "oops", patch)
        wait("Ready again", lambda: condition_at("Ready", 3), timeout=60)
        assert all("-subtitles-" not in j for j in jobs())
        assert objects(prefix) == before
