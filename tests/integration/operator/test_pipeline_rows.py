"""In a cluster the admin's Pipeline page reads the operator's transcode rows.

Against the real kube-apiserver, Job controller, S3 and PostgreSQL, with the real
transcoder run by the test-only kubelet: one Video goes to Ready and one (a file that
is not media) to Failed; each leaves one ``transcode_jobs`` row whose times are its
Kubernetes Jobs', and the Pipeline service (the function behind the admin endpoint, on
the same database) shows both as it shows the embedded pool's: states, encode speed,
the failure's reason, storage. An embedded worker pool on that database never claims
an operator row, and deleting the Video removes its row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from kinema.catalog.models import JobStatus, TranscodeJob, Video
from kinema.catalog.services import jobs as pool
from kinema.resources.video import VideoSpec
from kinema_api.analytics.services.pipeline import pipeline
from kinema_operator.catalog import Catalog
from kinema_operator.video.upserts import metadata_upsert
from tests.integration.operator.conftest import TINY_LADDER
from tests.utils.kubelet import FakeKubelet
from tests.utils.operator_run import GROUP, VERSION, VideoWatch, conditions_of, operator, video
from tests.utils.operator_run import wait as wait_for

pytestmark = pytest.mark.integration


def _rows(session: Session, resource: str) -> list[TranscodeJob]:
    return list(
        session.scalars(
            select(TranscodeJob)
            .join(Video, Video.id == TranscodeJob.video_id)
            .where(Video.resource_name == resource)
        )
    )


def test_the_pipeline_page_shows_the_operators_transcodes(
    operator_settings: dict[str, Any],
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    corrupt_source: str,
    pg_url: str,
) -> None:
    ns = kube_namespace
    good, bad = VideoWatch(fake_kubelet, ns, "clip"), VideoWatch(fake_kubelet, ns, "broken")
    started = datetime.now(UTC)
    engine = create_engine(pg_url)
    try:
        with operator(ns):
            ladder = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
                      "metadata": {"name": "tiny"}, "spec": TINY_LADDER}  # fmt: skip
            good.api.create_namespaced_custom_object(GROUP, VERSION, ns, "ladders", ladder)
            for name, source in (("clip", tiny_source), ("broken", corrupt_source)):
                body = video(name, source, ladderRef={"name": "tiny"})
                good.api.create_namespaced_custom_object(GROUP, VERSION, ns, "videos", body)

            def failed() -> dict[str, Any] | None:
                obj = bad.get()
                return obj if conditions_of(obj).get("Failed", {}).get("status") == "True" else None

            ready = wait_for("clip Ready", lambda: good.ready_at(1), timeout=240)
            broken = wait_for("broken Failed", failed, timeout=120)

            digest = ready["status"]["digest"]
            batch = {
                j.metadata.labels["kinema.dev/step"]: j
                for j in good.batch.list_namespaced_job(
                    ns, label_selector="kinema.dev/video=clip"
                ).items
            }
            assert set(batch) == {"probe", "transcode", "package"}
            with Session(engine) as session:
                [row] = _rows(session, f"{ns}/clip")
                assert row.worker == f"k8s:{ns}/clip-transcode-{digest}"
                assert (row.kind, row.generation, row.status) == (
                    "transcode",
                    1,
                    JobStatus.SUCCEEDED,
                )
                assert row.started_at == batch["probe"].status.start_time
                assert row.finished_at == batch["package"].status.completion_time
                assert row.progress == 1.0 and row.error is None
                [failure] = _rows(session, f"{ns}/broken")
                assert failure.status is JobStatus.FAILED
                assert failure.error == broken["status"]["message"]
                assert failure.error and "probing" in failure.error

                # An embedded worker pool on this database: an open operator row is not
                # its work (on PostgreSQL the claim locks with SKIP LOCKED).
                spec = VideoSpec(source=tiny_source, title="Ghost")
                queued = pool.ExternalJob(
                    worker=f"k8s:{ns}/ghost-transcode-x", generation=1, status=JobStatus.QUEUED
                )
                catalog = Catalog(pg_url)
                try:
                    catalog.record_transcode(metadata_upsert(ns, "ghost", spec, 1), queued)
                finally:
                    catalog.close()
                assert pool.claim_next(session, worker="host:1/kinema-worker-0") is None
                session.rollback()

                page = pipeline(
                    session, start=started - timedelta(minutes=1), end=datetime.now(UTC)
                )
                duration = session.scalar(
                    select(Video.duration_s).where(Video.resource_name == f"{ns}/clip")
                )
            states = {s.status: s.jobs for s in page.states}
            assert states == {"succeeded": 1, "failed": 1, "queued": 1}
            assert (page.failures, page.queued_now, page.running_now) == (1, 1, 0)
            by_title = {j.title: j for j in page.jobs}
            assert by_title["Clip"].status == "succeeded" and by_title["Clip"].storage_bytes > 0
            took = (row.finished_at - row.started_at).total_seconds()
            assert duration and took > 0
            assert by_title["Clip"].speed_x_realtime == round(duration / took, 3)
            assert page.median_speed_x_realtime == by_title["Clip"].speed_x_realtime
            assert by_title["Broken"].error == failure.error
            assert by_title["Broken"].speed_x_realtime is None

            # Deleting the Video removes its row with its catalog row.
            good.api.delete_namespaced_custom_object(GROUP, VERSION, ns, "videos", "clip")

            def gone() -> bool:
                try:
                    good.get()
                except ApiException as exc:
                    return bool(exc.status == 404)
                return False

            wait_for("clip deleted", gone, timeout=60)
            with Session(engine) as session:
                assert _rows(session, f"{ns}/clip") == []
                left = session.scalars(select(TranscodeJob.worker)).all()
                assert sorted(w or "" for w in left) == sorted(
                    [failure.worker or "", queued.worker]
                )
    finally:
        engine.dispose()
