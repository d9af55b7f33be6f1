"""Editing a Ready Video: a metadata edit re-runs nothing and reaches the catalog; a new
ladder re-transcodes into a new output, encoding only the rung it added (the unchanged
rung and the audio are copied from the live output, server-side in S3), replaces the
Renditions and removes the old output once the new one is live."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes.client import CoreV1Api
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kinema.catalog.models import Video as CatalogVideo
from tests.integration.operator.conftest import TINY_LADDER
from tests.utils.kubelet import FakeKubelet
from tests.utils.operator_run import GROUP, VERSION, VideoWatch, operator, video, wait
from tests.utils.s3_server import S3Server

pytestmark = pytest.mark.integration


def _ladder(name: str, *sizes: tuple[int, int]) -> dict[str, Any]:
    spec = {**TINY_LADDER, "chunking": {"chunks": 1}}
    spec["rungs"] = [{"height": h, "width": w, "bitrateKbps": 150} for h, w in sizes]
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder", "metadata": {"name": name},
            "spec": spec}  # fmt: skip


def test_edits_retranscode_only_what_changed(
    operator_settings: dict[str, Any],
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    s3: S3Server,
    pg_url: str,
) -> None:
    watch = VideoWatch(fake_kubelet, kube_namespace, "edit")
    api, ready_at, jobs, renditions = watch.api, watch.ready_at, watch.jobs, watch.renditions

    def catalog_row() -> CatalogVideo | None:
        with Session(engine) as session:
            row = session.scalar(
                select(CatalogVideo).where(CatalogVideo.resource_name == f"{kube_namespace}/edit")
            )
            if row is not None:
                _ = (row.title.name, row.name, [r.height for r in row.renditions])
            return row

    engine = create_engine(pg_url)
    try:
        with operator(kube_namespace):
            for body in (_ladder("small", (144, 256)), _ladder("large", (144, 256), (180, 320))):
                api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", body)
            body = video("edit", tiny_source, ladderRef={"name": "small"})
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)
            first = wait("Ready", lambda: ready_at(1), timeout=120)
            first_jobs = jobs()
            first_output = first["status"]["output"]
            assert [s.split("-")[1] for s in first_jobs] == ["probe", "transcode"]
            assert renditions() == ["144p", "audio-0"]

            # 1. Metadata only: same digest, no Job, the catalog follows.
            patch: dict[str, Any] = {"spec": {"title": "Edited Title", "genres": ["Comedy"]}}
            api.patch_namespaced_custom_object(
                GROUP, VERSION, kube_namespace, "videos", "edit", patch
            )
            second = wait("Ready at generation 2", lambda: ready_at(2), timeout=60)
            assert jobs() == first_jobs
            assert second["status"]["output"] == first_output
            row = wait(
                "the catalog title",
                lambda: (r := catalog_row()) is not None and r.title.name == "Edited Title" and r,
            )
            assert [r.height for r in row.renditions] == [144]

            def media(output: str) -> dict[str, str]:
                """Key under the output -> ETag, for the 144p rung and the audio."""
                prefix = output.removeprefix(f"s3://{s3.bucket}/") + "/"
                found: dict[str, str] = {}
                for folder in ("video/144p/", "audio/"):
                    listed = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=prefix + folder)
                    for o in listed.get("Contents", []):
                        found[o["Key"].removeprefix(prefix)] = o["ETag"]
                return found

            before = media(first_output)
            assert any(k.endswith(".m4s") for k in before)

            # 2. A new ladder: new digest, new Jobs and output; the old ones go. Only
            # the added rung is encoded: 144p and the audio are copied from the live output.
            patch = {"spec": {"ladderRef": {"name": "large"}}}
            api.patch_namespaced_custom_object(
                GROUP, VERSION, kube_namespace, "videos", "edit", patch
            )
            third = wait("Ready at generation 3", lambda: ready_at(3), timeout=120)
            new_output = third["status"]["output"]
            assert new_output != first_output
            assert third["status"]["digest"] in new_output
            assert set(jobs()).isdisjoint(first_jobs)
            assert renditions() == ["144p", "180p", "audio-0"]
            [transcode] = [
                j
                for j in watch.batch.list_namespaced_job(kube_namespace).items
                if "-transcode-" in j.metadata.name and j.metadata.name not in first_jobs
            ]
            args = transcode.spec.template.spec.containers[0].args
            assert args[args.index("--reuse") + 1] == first_output
            assert media(new_output) == before
            core = CoreV1Api(fake_kubelet.api_client)
            reused = wait(
                "the Reused event",
                lambda: [
                    e.message
                    for e in core.list_namespaced_event(
                        kube_namespace, field_selector="involvedObject.name=edit"
                    ).items
                    if e.reason == "Reused"
                ],
            )
            assert reused == ["copied 144p and the audio from the previous output"]
            assert third["status"]["manifests"]["hls"].startswith(new_output)
            old_prefix = first_output.removeprefix(f"s3://{s3.bucket}/") + "/"
            left = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=old_prefix)
            assert left.get("KeyCount", 0) == 0
            new_prefix = new_output.removeprefix(f"s3://{s3.bucket}/") + "/"
            kept = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=new_prefix)
            assert any(o["Key"].endswith("master.m3u8") for o in kept.get("Contents", []))
            row = wait(
                "the catalog renditions",
                lambda: (
                    (r := catalog_row()) is not None
                    and sorted(x.height for x in r.renditions) == [144, 180]
                    and r
                ),
            )
            assert row.hls_path == "master.m3u8"
            assert row.output_prefix is not None and third["status"]["digest"] in row.output_prefix
    finally:
        engine.dispose()
