"""What the test-only kubelet reports: its Node's status and its Pods' statuses.

Pure functions from what :class:`tests.utils.kubelet.FakeKubelet` knows (capacity, when a
container started, its exit code and message) to the status objects a real kubelet
writes, so that the Job controller and the operator read them as they would in a
cluster.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def termination_message(log: bytes, *, max_lines: int = 80, max_bytes: int = 2048) -> str:
    """The log tail a kubelet reports under ``FallbackToLogsOnError``."""
    lines = log.splitlines()[-max_lines:]
    tail = b"\n".join(lines)[-max_bytes:]
    return tail.decode("utf-8", errors="replace").strip()


def node_status(*, gpus: int) -> dict[str, Any]:
    """A Ready node with room for anything a test runs, and ``gpus`` NVIDIA GPUs."""
    capacity = {"cpu": "16", "memory": "64Gi", "pods": "110"}
    if gpus:
        capacity["nvidia.com/gpu"] = str(gpus)
    stamp = now()
    return {
        "capacity": capacity,
        "allocatable": capacity,
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "message": "fake kubelet is posting ready status",
                "lastHeartbeatTime": stamp,
                "lastTransitionTime": stamp,
            }
        ],
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "nodeInfo": {
            "architecture": "amd64",
            "bootID": "",
            "containerRuntimeVersion": "fake://0",
            "kernelVersion": "",
            "kubeProxyVersion": "",
            "kubeletVersion": "v1.35.4",
            "machineID": "",
            "operatingSystem": "linux",
            "osImage": "fake",
            "systemUUID": "",
        },
    }


def pod_status(
    name: str,
    *,
    container: str,
    image: str,
    started_at: str,
    exit_code: int | None,
    message: str = "",
) -> dict[str, Any]:
    """The status of Pod ``name`` whose one container is running (``exit_code`` None) or
    has ended with ``exit_code`` and termination ``message``."""
    stamp = now()
    if exit_code is None:
        phase = "Running"
        state: dict[str, Any] = {"running": {"startedAt": started_at}}
        ready = "True"
    else:
        phase = "Succeeded" if exit_code == 0 else "Failed"
        terminated: dict[str, Any] = {
            "exitCode": exit_code,
            "reason": "Completed" if exit_code == 0 else "Error",
            "startedAt": started_at,
            "finishedAt": stamp,
            "containerID": f"fake://{name}",
        }
        if message:
            terminated["message"] = message
        state = {"terminated": terminated}
        ready = "False"
    return {
        "phase": phase,
        "hostIP": "127.0.0.1",
        "podIP": "127.0.0.1",
        "startTime": started_at,
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": started_at},
            {"type": "Initialized", "status": "True", "lastTransitionTime": started_at},
            {"type": "ContainersReady", "status": ready, "lastTransitionTime": stamp},
            {"type": "Ready", "status": ready, "lastTransitionTime": stamp},
        ],
        "containerStatuses": [
            {
                "name": container,
                "image": image,
                "imageID": f"fake://{image}",
                "containerID": f"fake://{name}",
                "ready": exit_code is None,
                "started": exit_code is None,
                "restartCount": 0,
                "state": state,
            }
        ],
    }
