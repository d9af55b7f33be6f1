"""Clip previews in a cluster: the operator's preview loop against a real kube-apiserver
and PostgreSQL. Each tick is driven by the test, and the Jobs' ends are written into
their status through the API (no kubelet runs them): a Job per pending clip with the
worker's command, owned by the clip's Video, at most ``preview_concurrency`` at once;
a Complete Job makes the preview ready, a failed one is retried with a new Job until the
attempts run out, and a Job failed by its pod failure policy (bad arguments) fails the
clip at once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from kinema.catalog.models import Clip, PreviewState
from kinema.catalog.services import clips as clip_rows
from kinema.settings import Settings
from kinema.storage.local import LocalStore
from kinema_operator.catalog import Catalog
from kinema_operator.clip.previews import Previews
from kinema_operator.config import OperatorSettings
from kinema_operator.kube import Kube
from tests.utils.factories import make_ready_video, make_user, migrated_session
from tests.utils.kube_cluster import KubeCluster
from tests.utils.operator_run import GROUP, VERSION, video

pytestmark = pytest.mark.integration

IMAGE = "ghcr.io/kinema/transcoder:test"
BASE = "s3://media/kinema"


@pytest.fixture
def cluster(kube: KubeCluster) -> Iterator[Any]:
    with kube.api_client() as api:
        yield api


def _clips(pg_url: str, resource: str) -> tuple[list[uuid.UUID], uuid.UUID, str]:
    """Three clips of the Video ``resource`` (oldest first), and one of a video that has
    no Video resource (an embedded upload: not the operator's)."""
    with migrated_session(pg_url) as session:
        profile = make_user(session).profiles[0]
        talk = make_ready_video(session)
        talk.resource_name = resource
        local = make_ready_video(session)
        made = [
            clip_rows.add_clip(
                session,
                user_id=profile.user_id,
                profile_id=profile.id,
                video_id=v.id,
                start_s=start,
                end_s=start + 5,
                caption=None,
            )
            for v, start in ((talk, 1.0), (talk, 2.0), (talk, 3.0), (local, 0.0))
        ]
        for i, clip in enumerate(made):  # distinct creation times: a known order
            clip.created_at = datetime(2026, 1, 1, 0, 0, i, tzinfo=UTC)
        session.commit()
        return [c.id for c in made[:3]], made[3].id, str(talk.output_prefix)


def _state(pg_url: str, clip_id: uuid.UUID) -> tuple[PreviewState, str | None, int, str | None]:
    with migrated_session(pg_url) as session:
        clip = session.get(Clip, clip_id)
        assert clip is not None
        return clip.preview_state, clip.preview_error, clip.preview_attempts, clip.claimed_by


def _jobs(batch: Any, namespace: str) -> dict[str, Any]:
    found = batch.list_namespaced_job(namespace, label_selector="kinema.dev/clip-id")
    return {j.metadata.name: j for j in found.items}


def _end(batch: Any, namespace: str, name: str, kind: str, reason: str = "", msg: str = "") -> None:
    """Write a Job's end into its status, as the Job controller would."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def cond(type_: str) -> dict[str, str]:
        return {"type": type_, "status": "True", "reason": reason or type_, "message": msg,
                "lastTransitionTime": now, "lastProbeTime": now}  # fmt: skip

    # The Job controller runs beside the test (no kubelet runs its pod) and writes this
    # status too: keep the start time it set, say none is active, ready or terminating
    # (a finished Job has none), and write again on its newer status if the API refuses.
    for attempt in range(10):
        current = batch.read_namespaced_job_status(name, namespace).status
        start = current.start_time.strftime("%Y-%m-%dT%H:%M:%SZ") if current.start_time else now
        if kind == "Complete":
            status = {"completionTime": now, "succeeded": 1,
                      "conditions": [cond("SuccessCriteriaMet"), cond("Complete")]}  # fmt: skip
        else:
            status = {"failed": 1, "conditions": [cond("FailureTarget"), cond("Failed")]}
        status.update(startTime=start, active=0, ready=0, terminating=0)
        try:
            batch.patch_namespaced_job_status(name, namespace, {"status": status})
            return
        except ApiException as exc:
            if exc.status not in (409, 422) or attempt == 9:
                raise
            time.sleep(0.2)


def test_preview_jobs_are_launched_followed_and_retried(
    kube: KubeCluster, kube_namespace: str, pg_url: str, cluster: Any, tmp_path: Path
) -> None:
    ns = kube_namespace
    custom: Any = k8s.CustomObjectsApi(cluster)
    batch = k8s.BatchV1Api(cluster)
    owner: dict[str, Any] = custom.create_namespaced_custom_object(
        GROUP, VERSION, ns, "videos", video("talk", "s3://media/raw/talk.mp4")
    )
    (first, second, third), local, output = _clips(pg_url, f"{ns}/talk")
    op = OperatorSettings(image=IMAGE, preview_concurrency=2, preview_attempts=2)
    catalog = Catalog(pg_url)
    previews = Previews(
        kube=Kube(cluster),
        catalog=catalog,
        store=LocalStore(tmp_path / "store"),
        settings=Settings(storage_url=BASE),
        op=op,
    )
    try:
        previews.tick()
        jobs = _jobs(batch, ns)
        name1 = f"kinema-clip-preview-{first.hex[:20]}-1"
        name2 = f"kinema-clip-preview-{second.hex[:20]}-1"
        assert sorted(jobs) == sorted([name1, name2])  # two at once, the oldest clips
        job = jobs[name1]
        container = job.spec.template.spec.containers[0]
        assert container.image == IMAGE and container.command == ["kinema"]
        assert container.args == [
            "clip-preview", f"{BASE}/{output}", f"{BASE}/clips/{first.hex}",
            "--start", "1.000", "--end", "6.000",
        ]  # fmt: skip
        ref = job.metadata.owner_references[0]
        assert (ref.kind, ref.name, ref.uid) == ("Video", "talk", owner["metadata"]["uid"])
        assert _state(pg_url, first) == (PreviewState.PENDING, None, 1, f"job:{ns}/{name1}")
        assert _state(pg_url, third)[3] is None  # waits for room

        previews.tick()  # nothing ended: nothing changes
        assert sorted(_jobs(batch, ns)) == sorted([name1, name2])

        _end(batch, ns, name1, "Complete")
        previews.tick()
        assert _state(pg_url, first) == (PreviewState.READY, None, 1, None)
        name3 = f"kinema-clip-preview-{third.hex[:20]}-1"
        assert name3 in _jobs(batch, ns)  # the freed room went to the next clip

        # A failure is tried again with a new Job, until the attempts run out.
        _end(batch, ns, name2, "Failed", "BackoffLimitExceeded", "Job has reached the limit")
        previews.tick()
        retried = f"kinema-clip-preview-{second.hex[:20]}-2"
        assert retried in _jobs(batch, ns)
        assert _state(pg_url, second) == (PreviewState.PENDING, None, 2, f"job:{ns}/{retried}")
        _end(batch, ns, retried, "Failed", "DeadlineExceeded", "Job was active too long")
        previews.tick()
        state, error, attempts, claim = _state(pg_url, second)
        assert (state, attempts, claim) == (PreviewState.FAILED, 2, None)
        assert error == "DeadlineExceeded: Job was active too long (after 2 attempts)"

        # Bad arguments (exit code 2): failed at once, no new Job.
        _end(batch, ns, name3, "Failed", "PodFailurePolicy", "Container exited with 2")
        previews.tick()
        assert _state(pg_url, third)[:3] == (
            PreviewState.FAILED,
            "PodFailurePolicy: Container exited with 2",
            1,
        )
        assert len(_jobs(batch, ns)) == 4
        # A video without a Video resource is not the operator's to preview.
        assert _state(pg_url, local) == (PreviewState.PENDING, None, 0, None)
    finally:
        catalog.close()


def test_a_clip_whose_video_resource_is_gone_fails(
    kube: KubeCluster, kube_namespace: str, pg_url: str, cluster: Any, tmp_path: Path
) -> None:
    (first, _, _), _, _ = _clips(pg_url, f"{kube_namespace}/gone")
    catalog = Catalog(pg_url)
    previews = Previews(
        kube=Kube(cluster),
        catalog=catalog,
        store=LocalStore(tmp_path / "store"),
        settings=Settings(storage_url=BASE),
        op=OperatorSettings(image=IMAGE, preview_concurrency=1),
    )
    try:
        previews.tick()
        assert _state(pg_url, first)[:2] == (PreviewState.FAILED, "the Video gone is gone")
        assert _jobs(k8s.BatchV1Api(cluster), kube_namespace) == {}
    finally:
        catalog.close()
