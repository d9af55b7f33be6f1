"""kube-controller-manager from the harness: Kubernetes' own Job controller makes Pods."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client as k8s

from tests.utils.kube_cluster import KubeCluster
from tests.utils.procs import wait_until

pytestmark = pytest.mark.integration


def _indexed_job(name: str, completions: int) -> k8s.V1Job:
    return k8s.V1Job(
        metadata=k8s.V1ObjectMeta(name=name),
        spec=k8s.V1JobSpec(
            completion_mode="Indexed",
            completions=completions,
            parallelism=completions,
            backoff_limit=0,
            template=k8s.V1PodTemplateSpec(
                spec=k8s.V1PodSpec(
                    restart_policy="Never",
                    containers=[
                        k8s.V1Container(
                            name="work", image="registry.invalid/kinema/none:0", command=["true"]
                        )
                    ],
                )
            ),
        ),
    )


def test_job_controller_creates_indexed_pods(
    kube_controllers: KubeCluster, kube_namespace: str
) -> None:
    with kube_controllers.api_client() as api:
        batch, core = k8s.BatchV1Api(api), k8s.CoreV1Api(api)
        job: Any = batch.create_namespaced_job(kube_namespace, _indexed_job("encode", 2))
        pods: list[Any] = []

        def pods_created() -> bool:
            pods[:] = core.list_namespaced_pod(
                kube_namespace, label_selector="batch.kubernetes.io/job-name=encode"
            ).items
            return len(pods) == 2

        wait_until(pods_created, timeout=60, what="the Job controller to create 2 Pods")
        indexes = sorted(
            p.metadata.annotations["batch.kubernetes.io/job-completion-index"] for p in pods
        )
        assert indexes == ["0", "1"]
        for pod in pods:
            owner = pod.metadata.owner_references[0]
            assert (owner.kind, owner.name, owner.uid) == ("Job", "encode", job.metadata.uid)
            assert owner.controller is True
            assert pod.status.phase == "Pending"  # no kubelet: scheduled nowhere, never run

        def counted_active() -> bool:
            job_now: Any = batch.read_namespaced_job_status("encode", kube_namespace)
            return bool(job_now.status.active == 2)

        wait_until(counted_active, timeout=30, what="Job status to count 2 active Pods")


def test_namespace_deletion_completes(kube_controllers: KubeCluster) -> None:
    name = "t-harness-ns-delete"
    kube_controllers.create_namespace(name)
    kube_controllers.delete_namespace(name)
    with kube_controllers.api_client() as api:
        core = k8s.CoreV1Api(api)

        def gone() -> bool:
            namespaces: list[Any] = core.list_namespace().items
            return name not in {ns.metadata.name for ns in namespaces}

        wait_until(gone, timeout=60, what="the namespace controller to finish deleting")
