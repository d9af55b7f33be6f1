"""Running the Kinema operator in-process for a test (Kopf's KopfRunner), and the small
helpers operator tests share. Needs ``KUBECONFIG`` (the ``kube_env`` fixture) and the
S3 credentials (``s3_env``) in the environment."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from tests.utils.ports import free_port
from tests.utils.s3_server import S3Server

if TYPE_CHECKING:
    from tests.utils.kubelet import FakeKubelet

GROUP, VERSION = "kinema.dev", "v1alpha1"


def configure_operator(
    monkeypatch: pytest.MonkeyPatch, s3: S3Server, s3_prefix: str, pg_url: str
) -> dict[str, Any]:
    """Environment for an in-process operator of this test: the catalog migrated, output
    under the test's S3 prefix, a fast resync, /metrics on a free port."""
    from kinema.catalog import migrate

    migrate.upgrade(pg_url)
    port = free_port()
    env = {
        "KINEMA_DATABASE_URL": pg_url,
        "KINEMA_STORAGE_URL": f"s3://{s3.bucket}/{s3_prefix.rstrip('/')}",
        "KINEMA_OPERATOR_IMAGE": "ghcr.io/kinema/transcoder:test",
        "KINEMA_OPERATOR_RESYNC_INTERVAL_S": "1",
        "KINEMA_OPERATOR_METRICS_PORT": str(port),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return {"metrics": f"http://127.0.0.1:{port}/metrics", "prefix": s3_prefix}


@contextmanager
def operator(namespace: str) -> Iterator[None]:
    from kopf.testing import KopfRunner

    args = ["run", "--standalone", "--namespace", namespace, "-m", "kinema_operator.handlers"]
    with KopfRunner(args, timeout=60) as runner:
        yield
    assert runner.exception is None, runner.output[-4000:]


def wait(what: str, check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def video(name: str, source: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Video",
        "metadata": {"name": name},
        "spec": {"source": source, "title": name.title(), **spec},
    }


def conditions_of(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


class VideoWatch:
    """One Video of a test as the cluster holds it: the object, its Jobs, its Renditions.

    Every read first re-raises what the test-only kubelet caught, so a broken Pod fails
    the test at once instead of after a timeout.
    """

    def __init__(self, kubelet: FakeKubelet, namespace: str, name: str) -> None:
        from kubernetes import client as k8s

        self.kubelet, self.namespace, self.name = kubelet, namespace, name
        self.api: Any = k8s.CustomObjectsApi(kubelet.api_client)
        self.batch: Any = k8s.BatchV1Api(kubelet.api_client)

    def get(self) -> dict[str, Any]:
        self.kubelet.raise_errors()
        obj: dict[str, Any] = self.api.get_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "videos", self.name
        )
        return obj

    def condition_at(self, kind: str, generation: int) -> dict[str, Any] | None:
        """The condition ``kind`` when it is True for ``generation``, else None."""
        found = conditions_of(self.get()).get(kind, {})
        ok = found.get("status") == "True" and found.get("observedGeneration") == generation
        return found if ok else None

    def ready_at(self, generation: int) -> dict[str, Any] | None:
        """The Video once Ready for ``generation``; fails the test if it failed instead."""
        obj = self.get()
        failed = conditions_of(obj).get("Failed", {})
        assert failed.get("status") != "True", failed
        ready = conditions_of(obj).get("Ready", {})
        ok = ready.get("status") == "True" and ready.get("observedGeneration") == generation
        return obj if ok else None

    def jobs(self) -> list[str]:
        selector = f"kinema.dev/video={self.name}"
        found = self.batch.list_namespaced_job(self.namespace, label_selector=selector)
        return sorted(j.metadata.name for j in found.items)

    def renditions(self) -> list[str]:
        found = self.api.list_namespaced_custom_object(GROUP, VERSION, self.namespace, "renditions")
        return sorted(r["spec"]["name"] for r in found["items"])
