"""A Video, end to end, against the real kube-apiserver, Job controller, S3 and PostgreSQL.

The operator runs in-process (``kopf.testing.KopfRunner``); kube-controller-manager's
Job controller makes the Pods; :class:`tests.utils.kubelet.FakeKubelet` runs them with
the real transcoder (``.venv/bin/kinema``). What is asserted is what a user sees: the
Video's conditions, playable HLS and DASH in S3, a catalog row, Jobs shaped by the
Ladder, an emptied prefix after deletion.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.integration.operator.conftest import TINY_LADDER
from tests.utils.kube_cluster import KubeCluster
from tests.utils.kubelet import FakeKubelet
from tests.utils.s3_server import S3Server

pytestmark = pytest.mark.integration

GROUP, VERSION = "kinema.dev", "v1alpha1"
HANDLERS = "kinema_operator.handlers"


@pytest.fixture
def operator_env(
    kube_env: KubeCluster,
    s3_env: S3Server,
    s3_prefix: str,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The operator's configuration for this test; returns the output root URL."""
    from kinema.catalog import migrate

    migrate.upgrade(pg_url)
    storage = f"s3://{s3_env.bucket}/{s3_prefix.rstrip('/')}"
    for key, value in {
        "KINEMA_DATABASE_URL": pg_url,
        "KINEMA_STORAGE_URL": storage,
        "KINEMA_TRANSCODER_IMAGE": "ghcr.io/kinema/transcoder:test",
        "KINEMA_OPERATOR_IMAGE": "ghcr.io/kinema/transcoder:test",
        "KINEMA_OPERATOR_RESYNC_INTERVAL_S": "1",
        "KINEMA_OPERATOR_METRICS_PORT": "0",
    }.items():
        monkeypatch.setenv(key, value)
    return storage


@contextmanager
def running_operator(namespace: str) -> Iterator[Any]:
    from kopf.testing import KopfRunner

    args = ["run", "--standalone", "--namespace", namespace, "-m", HANDLERS]
    with KopfRunner(args, timeout=60) as runner:
        yield runner
    output: str = runner.output
    assert "Traceback" not in output, output[-6000:]
    assert runner.exception is None, output[-4000:]


def condition(video: dict[str, Any], type_: str) -> dict[str, Any] | None:
    for cond in (video.get("status") or {}).get("conditions") or []:
        if cond.get("type") == type_:
            found: dict[str, Any] = cond
            return found
    return None


def wait_for(
    what: str, check: Callable[[], Any], *, timeout: float, kubelet: FakeKubelet | None = None
) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        if kubelet is not None:
            kubelet.raise_errors()
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def video_body(name: str, source: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Video",
        "metadata": {"name": name},
        "spec": {"source": source, "title": f"Test {name}", **spec},
    }


def ladder_body(name: str, **over: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Ladder",
        "metadata": {"name": name},
        "spec": {**TINY_LADDER, **over},
    }


def steps(batch: Any, namespace: str, video: str) -> list[str]:
    """The step label of every Job of ``video`` (duplicates would show twice)."""
    jobs = batch.list_namespaced_job(namespace, label_selector=f"kinema.dev/video={video}")
    return sorted(j.metadata.labels.get("kinema.dev/step", "?") for j in jobs.items)


def test_video_ready_survives_a_restart_and_delete_empties_its_output(
    operator_env: str,
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    tiny_media: Path,
    s3: S3Server,
    pg_url: str,
    tmp_path: Path,
) -> None:
    """Ready with playable HLS + DASH and a catalog row; a restart mid-transcode adopts
    the running Jobs (none duplicated); deleting (deletionPolicy Delete) empties the
    Video's prefix and removes its catalog row. One transcode serves all three, to keep
    the suite fast."""
    from kubernetes import client as k8s
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from kinema.catalog.models import Video as CatalogVideo
    from tests.integration.transcoder.conftest import check_output

    api: Any = k8s.CustomObjectsApi(fake_kubelet.api_client)
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)

    def get() -> dict[str, Any]:
        video: dict[str, Any] = api.get_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "videos", "clip"
        )
        return video

    started = time.monotonic()
    with running_operator(kube_namespace):
        api.create_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "ladders", ladder_body("tiny")
        )
        body = video_body("clip", tiny_source, ladderRef={"name": "tiny"}, genres=["Drama"])
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)
        wait_for(
            "the transcode Job",
            lambda: "transcode" in steps(batch, kube_namespace, "clip"),
            timeout=120,
            kubelet=fake_kubelet,
        )
    # The operator is gone while the transcode runs; a new one must adopt its Jobs.
    restarted = time.monotonic()
    with running_operator(kube_namespace):

        def done() -> dict[str, Any] | None:
            video = get()
            for type_ in ("Ready", "Failed"):
                cond = condition(video, type_)
                if cond and cond.get("status") == "True":
                    return video
            return None

        video = wait_for("the Video to finish", done, timeout=180, kubelet=fake_kubelet)
        # Printed after the runner, which captures stdout while the operator runs.
        timing = (
            f"Video Ready {time.monotonic() - started:.1f}s after creation "
            f"({time.monotonic() - restarted:.1f}s after the operator restarted)"
        )
        status = video["status"]
        ready = condition(video, "Ready")
        assert ready is not None and ready["status"] == "True", status
        assert ready["observedGeneration"] == video["metadata"]["generation"]
        assert status["phase"] == "Ready" and status["progress"] == 100
        manifests = status["manifests"]
        assert manifests["hls"].endswith(".m3u8") and manifests["dash"].endswith(".mpd")
        # No duplicates: one Job per step, the Indexed transcode completed by Kubernetes.
        assert steps(batch, kube_namespace, "clip") == ["package", "probe", "transcode"]
        jobs = batch.list_namespaced_job(kube_namespace, label_selector="kinema.dev/step=transcode")
        transcode = jobs.items[0]
        assert transcode.spec.completion_mode == "Indexed" and transcode.spec.completions == 2
        assert transcode.status.completed_indexes in ("0,1", "0-1")  # Kubernetes writes "0,1"
        assert transcode.metadata.owner_references[0].kind == "Video"
        renditions = api.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "renditions")
        assert len(renditions["items"]) >= 2

        # The output is a complete, playable HLS + DASH package.
        output = status["output"]
        assert output.startswith(f"s3://{s3.bucket}/")
        key_prefix = output.removeprefix(f"s3://{s3.bucket}/").rstrip("/") + "/"
        assert s3.download(key_prefix, tmp_path / "out"), f"nothing under {output}"
        report = check_output(tmp_path / "out", tiny_media)
        assert report["chunks"] == 2
        heights = sorted(r["height"] for r in report["renditions"] if r["kind"] == "video")
        assert heights == [144, 180]

        # The catalog has the video, its renditions and manifest paths.
        engine = create_engine(pg_url)
        try:
            with Session(engine) as session:
                row = session.scalar(
                    select(CatalogVideo).where(
                        CatalogVideo.resource_name == f"{kube_namespace}/clip"
                    )
                )
                assert row is not None
                assert str(row.status.value).lower() == "ready"
                assert row.hls_path and row.dash_path
                assert len(row.renditions) == 2

            # deletionPolicy Delete (the default): the finalizer empties the prefix.
            api.delete_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", "clip")

            def gone() -> bool:
                from kubernetes.client.exceptions import ApiException

                try:
                    get()
                except ApiException as exc:
                    return bool(exc.status == 404)
                return False

            wait_for("the Video to be deleted", gone, timeout=60, kubelet=fake_kubelet)
            root = key_prefix.rstrip("/").rsplit("/", 1)[0] + "/"
            left = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=root)
            assert left.get("KeyCount", 0) == 0, [o["Key"] for o in left.get("Contents", [])]
            assert s3.client().head_object(
                Bucket=s3.bucket, Key=tiny_source.removeprefix(f"s3://{s3.bucket}/")
            ), "the source must never be deleted"
            with Session(engine) as session:
                row = session.scalar(
                    select(CatalogVideo).where(
                        CatalogVideo.resource_name == f"{kube_namespace}/clip"
                    )
                )
                assert row is None
        finally:
            engine.dispose()
    print(timing)


def test_corrupt_source_ends_failed_with_the_reason(
    operator_env: str,
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    corrupt_source: str,
) -> None:
    from kubernetes import client as k8s

    api: Any = k8s.CustomObjectsApi(fake_kubelet.api_client)
    with running_operator(kube_namespace):
        api.create_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "ladders", ladder_body("tiny")
        )
        api.create_namespaced_custom_object(
            GROUP,
            VERSION,
            kube_namespace,
            "videos",
            video_body("broken", corrupt_source, ladderRef={"name": "tiny"}),
        )

        def failed() -> dict[str, Any] | None:
            video = api.get_namespaced_custom_object(
                GROUP, VERSION, kube_namespace, "videos", "broken"
            )
            cond = condition(video, "Failed")
            return dict(video) if cond and cond.get("status") == "True" else None

        video = wait_for("the Video to fail", failed, timeout=120, kubelet=fake_kubelet)
    cond = condition(video, "Failed")
    assert cond is not None
    assert video["status"]["phase"] == "Failed"
    ready = condition(video, "Ready")
    assert ready is None or ready["status"] == "False"
    # The transcoder's one-line reason reaches the condition (not just "BackoffLimitExceeded").
    text = f"{cond.get('reason')} {cond.get('message')}".lower()
    assert any(w in text for w in ("invalid", "not a", "moov", "probe", "no video", "media")), cond
    # A presigned URL's signature never reaches a condition (or Events, logs).
    assert "signature=" not in text, cond


def test_gpu_ladder_yields_jobs_with_the_gpu_fields(
    operator_env: str, fake_kubelet: FakeKubelet, kube_namespace: str, tiny_source: str
) -> None:
    """GPU scheduling from the Ladder lands on the transcode Job; Kueue holds it suspended."""
    from kubernetes import client as k8s

    api: Any = k8s.CustomObjectsApi(fake_kubelet.api_client)
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)
    scheduling = {
        "resources": {"limits": {"nvidia.com/gpu": "1"}, "requests": {"cpu": "2"}},
        "nodeSelector": {"nvidia.com/gpu.present": "true"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "runtimeClassName": "nvidia",
        "kueueQueueName": "gpu-queue",
    }
    with running_operator(kube_namespace):
        ladder = ladder_body("gpu", scheduling=scheduling, encoder="nvenc")
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", ladder)
        video = video_body("gpu-clip", tiny_source, ladderRef={"name": "gpu"})
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", video)

        def transcode_job() -> Any:
            jobs = batch.list_namespaced_job(
                kube_namespace, label_selector="kinema.dev/step=transcode"
            ).items
            return jobs[0] if jobs else None

        job = wait_for("the transcode Job", transcode_job, timeout=120, kubelet=fake_kubelet)
    assert job.metadata.labels["kueue.x-k8s.io/queue-name"] == "gpu-queue"
    assert job.spec.suspend is True
    pod = job.spec.template.spec
    container = pod.containers[0]
    assert container.resources.limits["nvidia.com/gpu"] == "1"
    assert container.resources.requests["cpu"] == "2"
    assert pod.node_selector == {"nvidia.com/gpu.present": "true"}
    tolerations = [(t.key, t.operator, t.effect) for t in pod.tolerations]
    assert ("nvidia.com/gpu", "Exists", "NoSchedule") in tolerations
    assert pod.runtime_class_name == "nvidia"
    assert container.termination_message_policy == "FallbackToLogsOnError"
    assert job.spec.completion_mode == "Indexed" and job.spec.completions == 2
    # Held by Kueue's suspend: no pod may exist until a queue admits the Job.
    pods: Any = k8s.CoreV1Api(fake_kubelet.api_client).list_namespaced_pod(
        kube_namespace, label_selector=f"job-name={job.metadata.name}"
    )
    assert pods.items == []


@pytest.mark.slow
def test_twenty_videos_converge_through_operator_kills(
    operator_env: str,
    fake_kubelet: FakeKubelet,
    kube_namespace: str,
    tiny_source: str,
    s3: S3Server,
    pg_url: str,
    tmp_path: Path,
) -> None:
    """A wave of 20 Videos while the operator (the real ``kinema operator`` process) is
    SIGKILLed three times at random moments and started again: every Video ends Ready,
    no step has two Jobs, nothing is left in storage that no Video points at, and the
    catalog has every one of them.

    Five times the kubelet's four parallel pods: Jobs queue, and each Video is transcoded
    for real, so the count stays small; scale without real encoding belongs to simulated
    (kwok) nodes."""
    import os
    import random
    import signal
    import subprocess
    import sys

    from kubernetes import client as k8s
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from kinema.catalog.models import Video as CatalogVideo
    from kinema.catalog.models import VideoStatus

    count = 20
    # Not for security: which moments the kills land on, replayable from the seed.
    seed = int(os.environ.get("KINEMA_FAULT_SEED") or random.randrange(1 << 30))  # noqa: S311
    rng = random.Random(seed)  # noqa: S311
    api: Any = k8s.CustomObjectsApi(fake_kubelet.api_client)
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)
    fake_kubelet.max_parallel = 4
    kinema = Path(sys.executable).with_name("kinema")
    logs: list[Path] = []

    def start() -> subprocess.Popen[bytes]:
        logs.append(tmp_path / f"operator-{len(logs)}.log")
        with logs[-1].open("wb") as out:
            return subprocess.Popen(
                [str(kinema), "operator", "--namespace", kube_namespace],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(os.environ),
            )

    def ready(video: dict[str, Any], type_: str) -> bool:
        cond = condition(video, type_)
        return bool(cond and cond["status"] == "True")

    def videos() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = api.list_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "videos"
        )["items"]
        return items

    one_rung = [{"height": 144, "width": 256, "bitrateKbps": 120}]
    started = time.monotonic()
    proc = start()
    kills: list[str] = []
    try:
        ladder = ladder_body("one", chunking={"chunks": 1}, rungs=one_rung)
        api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", ladder)
        for n in range(count):
            video = video_body(f"v{n:02d}", tiny_source, ladderRef={"name": "one"})
            api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", video)
        for _ in range(3):
            time.sleep(rng.uniform(4.0, 14.0))
            fake_kubelet.raise_errors()
            done = sum(ready(v, "Ready") for v in videos())
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills.append(f"{time.monotonic() - started:.1f}s ({done} Ready)")
            proc = start()

        def converged() -> bool:
            items = videos()
            failed = [v["metadata"]["name"] for v in items if ready(v, "Failed")]
            assert not failed, (failed, seed)
            return sum(ready(v, "Ready") for v in items) == count

        wait_for(f"{count} Videos to be Ready", converged, timeout=900, kubelet=fake_kubelet)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    took = time.monotonic() - started
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()[-4000:]

    # No step ran twice: one Job per step per Video (one chunk: the transcode packages).
    for n in range(count):
        assert steps(batch, kube_namespace, f"v{n:02d}") == ["probe", "transcode"]
    # Nothing orphaned: every object under the Videos' output folder belongs to the output
    # its Video points at.
    outputs = {
        v["status"]["output"].removeprefix(f"s3://{s3.bucket}/").rstrip("/") + "/" for v in videos()
    }
    roots = {o.rstrip("/").rsplit("/", 2)[0] + "/" for o in outputs}
    assert len(roots) == 1, roots
    (root,) = roots
    pages = s3.client().get_paginator("list_objects_v2").paginate(Bucket=s3.bucket, Prefix=root)
    keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
    orphans = [k for k in keys if not any(k.startswith(o) for o in outputs)]
    assert keys and not orphans, orphans[:10]
    engine = create_engine(pg_url)
    try:
        with Session(engine) as session:
            ready_rows = session.scalar(
                select(func.count())
                .select_from(CatalogVideo)
                .where(
                    CatalogVideo.status == VideoStatus.READY,
                    CatalogVideo.resource_name.startswith(f"{kube_namespace}/"),
                )
            )
    finally:
        engine.dispose()
    assert ready_rows == count
    print(
        f"{count} Videos Ready in {took:.1f}s through operator kills at {', '.join(kills)} "
        f"(seed {seed}; KINEMA_FAULT_SEED={seed} replays it)"
    )
