"""Job events drive a Video, and only those that change what the Video decides on.

Most of a Job's events count its running and ready pods, or move finalizers and
timestamps; a Video's reconciliation reads none of that. With the resync loop out of
the way, a Video must still go from creation to Ready on its Jobs' events alone, with
one reconciliation for its creation and at most one per change of a Job's progress
(pods succeeded, suspension, the end), fewer than its Jobs' events. At a thousand
Videos each needless reconciliation is three API reads (the Video, its Ladder, its
Jobs): see ``tests/bench/test_operator_scale_bench.py``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from prometheus_client import REGISTRY

from kinema_operator.video.views import NOT_STARTED, JobProgress, JobView
from tests.integration.operator.conftest import TINY_LADDER
from tests.utils.kube_cluster import KubeCluster
from tests.utils.kube_watch import Watcher
from tests.utils.kubelet import FakeKubelet
from tests.utils.operator_run import GROUP, VERSION, VideoWatch, operator, video, wait

pytestmark = pytest.mark.integration


def _reconciles() -> float:
    """Video reconciliations so far (the operator runs in this process: its registry)."""
    return sum(
        REGISTRY.get_sample_value(
            "kinema_operator_reconciles_total", {"kind": "Video", "result": result}
        )
        or 0.0
        for result in ("ok", "invalid", "error")
    )


class JobEvents:
    """Every event of the namespace's Jobs, and how many changed a Job's progress."""

    def __init__(self) -> None:
        self.events = 0
        self.changes = 0
        self._last: dict[str, JobProgress] = {}
        self._lock = threading.Lock()

    def __call__(self, type_: str, job: dict[str, Any]) -> None:
        progress = JobView.parse(job).progress
        with self._lock:
            self.events += 1
            if progress != self._last.get(job["metadata"]["name"], NOT_STARTED):
                self.changes += 1
            self._last[job["metadata"]["name"]] = progress


def test_a_video_is_reconciled_once_per_change_of_its_jobs_progress(
    operator_settings: dict[str, Any],
    fake_kubelet: FakeKubelet,
    kube_env: KubeCluster,
    kube_namespace: str,
    tiny_source: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The resync loop keeps ticking but the Video never comes due: only events count.
    monkeypatch.setenv("KINEMA_OPERATOR_RESYNC_INTERVAL_S", "600")
    watch = VideoWatch(fake_kubelet, kube_namespace, "evented")
    seen = JobEvents()
    jobs_path = f"/apis/batch/v1/namespaces/{kube_namespace}/jobs"
    before = _reconciles()
    with Watcher(kube_env, jobs_path, seen) as jobs, operator(kube_namespace):
        ladder = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
                  "metadata": {"name": "tiny"}, "spec": TINY_LADDER}  # fmt: skip
        watch.api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "ladders", ladder)
        body = video("evented", tiny_source, ladderRef={"name": "tiny"})
        watch.api.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "videos", body)
        wait("Ready on Job events alone", lambda: watch.ready_at(1), timeout=120)
        jobs.raise_errors()
        reconciles = _reconciles() - before
    names = watch.jobs()
    assert [n.split("-")[1] for n in names] == ["package", "probe", "transcode"], names
    assert reconciles <= 1 + seen.changes, (reconciles, seen.changes, seen.events)
    assert reconciles < seen.events, (reconciles, seen.changes, seen.events)
    print(f"{reconciles:.0f} reconciliations for {seen.events} Job events")
