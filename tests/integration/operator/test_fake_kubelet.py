"""The test-only kubelet lets the real Job controller finish Jobs: completions, failures."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from tests.utils.kubelet import FakeKubelet
from tests.utils.kubelet_env import expand
from tests.utils.kubelet_status import termination_message

pytestmark = pytest.mark.integration


def test_expand_follows_kubernetes_rules() -> None:
    env = {"A": "1", "JOB_COMPLETION_INDEX": "3"}
    assert expand("--chunk $(JOB_COMPLETION_INDEX)/4", env) == "--chunk 3/4"
    assert expand("$(MISSING) $$(A) $(A)", env) == "$(MISSING) $(A) 1"


def test_termination_message_is_the_log_tail() -> None:
    log = b"".join(b"line %d\n" % i for i in range(200))
    message = termination_message(log)
    assert message.endswith("line 199")
    assert len(message.splitlines()) == 80


def _job(name: str, script: str, *, completions: int = 1, backoff: int = 0) -> dict[str, Any]:
    container = {
        "name": "main",
        "image": "ghcr.io/kinema/transcoder:test",
        "command": ["python", "-c", script],
        "args": ["$(JOB_COMPLETION_INDEX)"],
        "env": [{"name": "GREETING", "value": "hi"}],
        "terminationMessagePolicy": "FallbackToLogsOnError",
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "completions": completions,
            "parallelism": completions,
            "completionMode": "Indexed",
            "backoffLimit": backoff,
            "template": {"spec": {"restartPolicy": "Never", "containers": [container]}},
        },
    }


def _wait_job(batch: Any, namespace: str, name: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = batch.read_namespaced_job_status(name, namespace)
        for cond in job.status.conditions or []:
            if cond.type in ("Complete", "Failed") and cond.status == "True":
                return job
        time.sleep(0.3)
    raise AssertionError(f"Job {name} did not finish: {job.status}")


def test_indexed_job_completes_through_the_job_controller(
    fake_kubelet: FakeKubelet, kube_namespace: str
) -> None:
    from kubernetes import client as k8s

    script = "import os, sys; print(os.environ['GREETING'], sys.argv[1])"
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)
    batch.create_namespaced_job(kube_namespace, _job("ok", script, completions=3))
    job = _wait_job(batch, kube_namespace, "ok")
    assert job.status.succeeded == 3
    assert job.status.completed_indexes == "0-2"
    logs = sorted(fake_kubelet.log_of(kube_namespace, r["pod"]).strip() for r in fake_kubelet.ran)
    assert logs == ["hi 0", "hi 1", "hi 2"]


def test_failed_pod_reports_its_log_tail_and_respects_backoff(
    fake_kubelet: FakeKubelet, kube_namespace: str
) -> None:
    from kubernetes import client as k8s

    script = "import sys; print('bad input: moov atom not found', file=sys.stderr); sys.exit(3)"
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)
    core: Any = k8s.CoreV1Api(fake_kubelet.api_client)
    batch.create_namespaced_job(kube_namespace, _job("bad", script, backoff=1))
    job = _wait_job(batch, kube_namespace, "bad", timeout=90)
    assert job.status.failed == 2  # the first try and one retry (backoffLimit 1)
    pods = core.list_namespaced_pod(kube_namespace, label_selector="job-name=bad").items
    terminated = [p.status.container_statuses[0].state.terminated for p in pods]
    assert {t.exit_code for t in terminated} == {3}
    assert all("moov atom not found" in t.message for t in terminated)
    assert sys.executable  # the container ran under this interpreter


def test_termination_log_file_becomes_the_message(
    fake_kubelet: FakeKubelet, kube_namespace: str
) -> None:
    from kubernetes import client as k8s

    body = _job("msg", "", completions=1)
    container = body["spec"]["template"]["spec"]["containers"][0]
    container["command"] = ["sh", "-c", "printf '{\"ok\": true}' > /dev/termination-log"]
    container["args"] = []
    batch: Any = k8s.BatchV1Api(fake_kubelet.api_client)
    core: Any = k8s.CoreV1Api(fake_kubelet.api_client)
    batch.create_namespaced_job(kube_namespace, body)
    assert _wait_job(batch, kube_namespace, "msg").status.succeeded == 1
    pods = core.list_namespaced_pod(kube_namespace, label_selector="job-name=msg").items
    assert pods[0].status.container_statuses[0].state.terminated.message == '{"ok": true}'
