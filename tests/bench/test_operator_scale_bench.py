"""The operator at scale: a wave of Videos applied at once, on simulated GPU nodes.

The real ``kinema operator`` process runs against a control plane of its own
(``kwok_cluster``: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
kwok playing 50 GPU nodes with 8 ``nvidia.com/gpu`` each and 10 CPU nodes), the test's
S3 server and PostgreSQL. Every Video uses one GPU Ladder (the transcode Job asks for a
GPU, selects ``nvidia.com/gpu.present=true`` nodes and tolerates their taint) chunked in
two: per Video a probe Job, an Indexed transcode Job of two pods and a package Job.
Pods do not run on kwok's nodes: the test's pod stage (``tests/utils/pod_stage.py``)
writes for each running pod what the real transcoder wrote for that step and chunk (one
real run, made when the module starts), then marks the container exited, and kwok
reports the pod Succeeded. The operator reads what it always reads: ``probe.json``,
``kinema.json``, the Jobs' statuses, the output folder it prunes.

Printed for each wave (100 Videos; 1,000 as well with ``KINEMA_BENCH_1000=1``): the
time until every Video has all its Jobs and until all are Ready, Videos/s, the
operator's peak RSS (``VmHWM``; in brackets, once started and before the first Video),
its kube-apiserver requests per Video as the apiserver's audit log counts them (the
operator has a client certificate of its own, so its requests and no one else's are
counted at the door, Kopf's watches included), its reconciliation triggers per Video
(``kinema_operator_reconciles_total``), duplicate Jobs and GPU pods placed on nodes
without GPUs; then the CPU seconds each process used during the wave, and the
operator's requests by verb and resource. The operator runs with its production
defaults (a 15 s resync). Asserted: every Video Ready and none Failed, no duplicate Job,
every GPU pod on a GPU node, no traceback in the operator's log. Never a time.

Caveats: everything shares the machine (2 cores here): the control plane, kwok, the
pod stage's S3 writes and this test's watches compete with the operator, so times are
pessimistic and move with whatever else runs; request counts barely depend on speed
(a slower run gets a few more resyncs). The recorded output is a
2-second 320x180 clip encoded on the CPU (1 rung): the operator's work does not depend
on the media. kube-controller-manager and kube-scheduler run with raised client limits
(``tests/utils/kwok_cluster.py``), as a cluster of this size would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.utils.kube_audit import by_label
from tests.utils.kube_watch import Watcher
from tests.utils.kwok_cluster import GPU_LABEL, GPU_RESOURCE, GPU_TAINT, KwokCluster
from tests.utils.media import Source, make_source
from tests.utils.pod_stage import PodStage, RecordedOutputs, record_outputs
from tests.utils.ports import free_port
from tests.utils.s3_server import S3Server

pytestmark = [pytest.mark.bench, pytest.mark.integration, pytest.mark.slow]

GROUP, VERSION = "kinema.dev", "v1alpha1"
CHUNKS = 2
STEPS = ("probe", "transcode", "package")  # the Jobs of one Video (two chunks)
LADDER: dict[str, Any] = {
    "segmentSeconds": 1,
    "gopSeconds": 1,
    "preset": "ultrafast",
    "rungs": [{"height": 144, "width": 256, "bitrateKbps": 120}],
    "audio": {"bitrateKbps": 64},
    "chunking": {"chunks": CHUNKS},
    "retry": {"backoffLimit": 0},
    "trickplay": {"intervalSeconds": 1, "tileWidth": 64, "columns": 2, "rows": 2},
    "scheduling": {
        "resources": {"limits": {GPU_RESOURCE: "1"}},
        "nodeSelector": {GPU_LABEL: "true"},
        "tolerations": [{"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}],
        "runtimeClassName": "nvidia",
    },
}
BASE_SIZE = 100
LARGE_SIZE = 1000


@dataclass(frozen=True)
class Media:
    prefix: str  # the module's own key prefix in the bucket
    storage_url: str  # KINEMA_STORAGE_URL of the operator
    recorded: RecordedOutputs


@pytest.fixture(scope="module")
def media(s3: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Media]:
    """A real source in S3 and what the real transcoder's steps make of it."""
    prefix = f"bench-scale-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("scale-media")
    clip = make_source(Source(size="320x180", rate="24", duration=2.0), folder)
    s3.client().upload_file(str(clip), s3.bucket, f"{prefix}/sources/clip.mp4")
    source = f"s3://{s3.bucket}/{prefix}/sources/clip.mp4"
    storage = f"s3://{s3.bucket}/{prefix}"
    ladder = folder / "ladder.json"
    ladder.write_text(
        json.dumps({"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder", "spec": LADDER})
    )
    env = {**os.environ, **s3.env(), "KINEMA_STORAGE_URL": storage}
    kinema = Path(sys.executable).with_name("kinema")
    recorded = record_outputs(
        kinema, source, ladder, f"{storage}/recorded", CHUNKS, s3.client(), env
    )
    yield Media(prefix, storage, recorded)
    s3.empty_prefix(f"{prefix}/")


@dataclass
class Tracker:
    """When each Job appeared and each Video became Ready or Failed, as watched."""

    started: float = 0.0
    jobs: dict[str, tuple[float, str, str]] = field(default_factory=dict)  # name: (t, video, step)
    ready: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_job(self, type_: str, job: dict[str, Any]) -> None:
        meta = job["metadata"]
        labels = meta.get("labels") or {}
        with self.lock:
            if type_ != "DELETED" and meta["name"] not in self.jobs:
                video, step = (
                    labels.get("kinema.dev/video", "?"),
                    labels.get("kinema.dev/step", "?"),
                )
                self.jobs[meta["name"]] = (time.monotonic(), video, step)

    def on_video(self, type_: str, video: dict[str, Any]) -> None:
        name = video["metadata"]["name"]
        generation = video["metadata"].get("generation")
        conditions = {c["type"]: c for c in (video.get("status") or {}).get("conditions") or []}
        with self.lock:
            ready = conditions.get("Ready", {})
            if ready.get("status") == "True" and ready.get("observedGeneration") == generation:
                self.ready.setdefault(name, time.monotonic())
            failed = conditions.get("Failed", {})
            if failed.get("status") == "True":
                self.failed[name] = str(failed.get("message"))

    def all_jobs_at(self, videos: int) -> float | None:
        """Seconds from the start until every Video had every one of its Jobs."""
        latest: dict[str, dict[str, float]] = defaultdict(dict)
        with self.lock:
            for at, video, step in self.jobs.values():
                latest[video].setdefault(step, at)
        done = [max(steps.values()) for steps in latest.values() if set(STEPS) <= set(steps)]
        return max(done) - self.started if len(done) == videos else None


@dataclass
class Wave:
    videos: int
    applied_s: float
    jobs_s: float
    ready_s: float
    rss_mb: float
    idle_rss_mb: float  # once started, before the first Video
    requests: Counter[str]
    reconciles: float
    duplicates: int
    gpu_misplaced: int
    gpu_pods: int
    played: Counter[str]
    cpu: dict[str, float]

    @property
    def per_video(self) -> float:
        return sum(self.requests.values()) / self.videos


def _operator_env(
    cluster: KwokCluster, user: str, s3: S3Server, media: Media, pg_url: str, metrics: int
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env.pop("KUBECONFIG", None)
    env.update(s3.env())
    env.update(
        {
            "KINEMA_KUBECONFIG": str(cluster.audited_kubeconfig(user)),
            "KINEMA_DATABASE_URL": pg_url,
            "KINEMA_STORAGE_URL": media.storage_url,
            "KINEMA_OPERATOR_IMAGE": "ghcr.io/kinema/transcoder:bench",
            "KINEMA_OPERATOR_METRICS_PORT": str(metrics),
        }
    )
    return env


def _cpu_s(pid: int | None) -> float:
    """User + system CPU seconds a process has used (``/proc/<pid>/stat``)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_of(cluster: KwokCluster, operator: int) -> dict[str, float]:
    """CPU seconds so far of the operator, each cluster process and this test."""
    kube = cluster.kube
    processes = {
        "operator": operator,
        "kube-apiserver": kube.apiserver.pid,
        "etcd": kube.etcd.pid,
        "kube-controller-manager": kube.controllers.pid if kube.controllers else None,
        "kube-scheduler": cluster.scheduler.pid,
        "kwok": cluster.kwok.pid,
        "test": os.getpid(),
    }
    return {name: _cpu_s(pid) for name, pid in processes.items()}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _metric(text: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


def _http(cluster: KwokCluster) -> httpx.Client:
    return httpx.Client(base_url=cluster.kube.server, verify=cluster.kube.ssl_context(), timeout=60)


def _video(name: str, source: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Video",
        "metadata": {"name": name},
        "spec": {"source": source, "title": f"Scale {name}", "ladderRef": {"name": "gpu"}},
    }


def _wait_alive(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the operator exited: {log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the operator did not come up: {log.read_text()[-4000:]}")


def _wave(
    cluster: KwokCluster, count: int, s3: S3Server, media: Media, pg_url: str, logs: Path
) -> Wave:
    namespace = f"scale-{count}-{uuid.uuid4().hex[:6]}"
    cluster.kube.create_namespace(namespace)
    user = f"kinema-operator-{namespace}"
    metrics, liveness = free_port(), free_port()
    tracker = Tracker()
    base = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}"
    with _http(cluster) as http:
        ladder = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder", "metadata": {"name": "gpu"}}
        http.post(f"{base}/ladders", json={**ladder, "spec": LADDER}).raise_for_status()
    log = logs / f"operator-{namespace}.log"
    argv = [str(Path(sys.executable).with_name("kinema")), "operator", "--namespace", namespace]
    argv += ["--liveness", f"http://127.0.0.1:{liveness}/healthz"]
    source = media.recorded.source
    with (
        Watcher(
            cluster.kube, f"/apis/batch/v1/namespaces/{namespace}/jobs", tracker.on_job
        ) as jobs,
        Watcher(cluster.kube, f"{base}/videos", tracker.on_video) as videos,
        PodStage(
            cluster.kube,
            namespace,
            media.recorded,
            s3.client(),
            cluster.gpu_nodes + cluster.cpu_nodes,
        ) as stage,
        log.open("wb") as out,
    ):
        env = _operator_env(cluster, user, s3, media, pg_url, metrics)
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_alive(proc, f"http://127.0.0.1:{liveness}/healthz", log)
            idle_rss = _peak_rss_mb(proc.pid)
            cpu_before = _cpu_of(cluster, proc.pid)
            tracker.started = time.monotonic()
            with _http(cluster) as http, ThreadPoolExecutor(8) as pool:
                created = pool.map(
                    lambda n: http.post(f"{base}/videos", json=_video(f"v{n:04d}", source)),
                    range(count),
                )
                for response in created:
                    response.raise_for_status()
            applied = time.monotonic() - tracker.started
            deadline = time.monotonic() + max(300.0, count * 1.8)
            while len(tracker.ready) < count:
                for check in (jobs, videos, stage):
                    check.raise_errors()
                assert not tracker.failed, dict(list(tracker.failed.items())[:5])
                assert proc.poll() is None, log.read_text()[-4000:]
                assert time.monotonic() < deadline, (
                    f"{len(tracker.ready)}/{count} Ready, {stage.played}: {log.read_text()[-3000:]}"
                )
                time.sleep(0.5)
            ready_s = max(tracker.ready.values()) - tracker.started
            jobs_s = tracker.all_jobs_at(count)
            rss = _peak_rss_mb(proc.pid)
            cpu_after = _cpu_of(cluster, proc.pid)
            scraped = httpx.get(f"http://127.0.0.1:{metrics}/metrics", timeout=10).text
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-6000:]
    duplicates, gpu_pods, misplaced = _placement(cluster, namespace)
    return Wave(
        videos=count,
        applied_s=applied,
        jobs_s=jobs_s if jobs_s is not None else float("nan"),
        ready_s=ready_s,
        rss_mb=rss,
        idle_rss_mb=idle_rss,
        requests=by_label(cluster.requests_of(user)),
        reconciles=_metric(scraped, 'kinema_operator_reconciles_total{kind="Video"'),
        duplicates=duplicates,
        gpu_misplaced=misplaced,
        gpu_pods=gpu_pods,
        played=Counter(stage.played),
        cpu={name: cpu_after[name] - cpu_before[name] for name in cpu_after},
    )


def _placement(cluster: KwokCluster, namespace: str) -> tuple[int, int, int]:
    """Duplicate Jobs (two of one step for one Video), GPU pods, GPU pods off GPU nodes."""
    with _http(cluster) as http:
        jobs = http.get(f"/apis/batch/v1/namespaces/{namespace}/jobs").json()["items"]
        pods = http.get(f"/api/v1/namespaces/{namespace}/pods").json()["items"]
    per_step = Counter(
        (
            j["metadata"]["labels"].get("kinema.dev/video"),
            j["metadata"]["labels"].get("kinema.dev/step"),
        )
        for j in jobs
    )
    duplicates = sum(n - 1 for n in per_step.values() if n > 1)
    gpu_nodes = set(cluster.gpu_nodes)
    gpu_pods = misplaced = 0
    for pod in pods:
        limits = (pod["spec"]["containers"][0].get("resources") or {}).get("limits") or {}
        if GPU_RESOURCE in limits:
            gpu_pods += 1
            if pod["spec"].get("nodeName") not in gpu_nodes:
                misplaced += 1
    return duplicates, gpu_pods, misplaced


@pytest.mark.timeout(3600)
def test_operator_scale(
    kwok_cluster: KwokCluster, media: Media, s3: S3Server, pg_url: str, tmp_path: Path
) -> None:
    from kinema.catalog import migrate

    migrate.upgrade(pg_url)
    sizes = [BASE_SIZE, *([LARGE_SIZE] if os.environ.get("KINEMA_BENCH_1000") else [])]
    waves = []
    for count in sizes:
        wave = _wave(kwok_cluster, count, s3, media, pg_url, tmp_path)
        waves.append(wave)
        assert wave.duplicates == 0
        assert wave.gpu_misplaced == 0
        assert wave.gpu_pods == count * CHUNKS
        assert wave.played["transcode"] == count * CHUNKS
    nodes = f"{len(kwok_cluster.gpu_nodes)} GPU + {len(kwok_cluster.cpu_nodes)} CPU kwok nodes"
    print(
        f"\nVideos applied at once; {nodes}; per Video 3 Jobs, 4 pods, "
        f"{media.recorded.objects} output objects"
        "\nvideos  applied_s  all_jobs_s  all_ready_s  videos/s  peak_rss_MB (idle)"
        "  api_req/video  reconciles/video  dup_jobs  gpu_off_gpu_node"
    )
    for w in waves:
        print(
            f"{w.videos:>6} {w.applied_s:>10.1f} {w.jobs_s:>11.1f} {w.ready_s:>12.1f} "
            f"{w.videos / w.ready_s:>9.1f} {w.rss_mb:>12.0f} ({w.idle_rss_mb:>3.0f}) "
            f"{w.per_video:>14.1f} "
            f"{w.reconciles / w.videos:>17.1f} {w.duplicates:>9} {w.gpu_misplaced:>17}"
        )
    for w in waves:
        spent = ", ".join(f"{name} {s:.0f}" for name, s in w.cpu.items())
        print(f"CPU seconds until all Ready ({w.videos} Videos): {spent}")
    largest = waves[-1]
    print(f"operator requests per Video by verb and resource ({largest.videos} Videos):")
    for label, n in largest.requests.most_common(14):
        print(f"  {label:<34} {n / largest.videos:>6.2f}")
