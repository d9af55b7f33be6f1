"""kube-apiserver + etcd from the harness: objects, watches, RBAC, CRDs and kopf."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client as k8s
from kubernetes import watch

from tests.utils.kube_cluster import KubeCluster, crd_documents
from tests.utils.procs import wait_until

pytestmark = pytest.mark.integration

CRD_DIR = Path(__file__).resolve().parents[3] / "crds"


def test_configmap_create_get_and_watch(kube: KubeCluster, kube_namespace: str) -> None:
    with kube.api_client() as api:
        core = k8s.CoreV1Api(api)
        listed: Any = core.list_namespaced_config_map(kube_namespace)
        start = listed.metadata.resource_version
        core.create_namespaced_config_map(
            kube_namespace,
            k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="settings"), data={"ladder": "hd"}),
        )
        got: Any = core.read_namespaced_config_map("settings", kube_namespace)
        assert got.data == {"ladder": "hd"}
        assert got.metadata.uid

        core.patch_namespaced_config_map("settings", kube_namespace, {"data": {"ladder": "4k"}})
        core.delete_namespaced_config_map("settings", kube_namespace)

        # A watch from the list's resourceVersion replays exactly what happened since.
        seen: list[tuple[str, str | None]] = []
        stream = watch.Watch()
        for event in stream.stream(
            core.list_namespaced_config_map,
            kube_namespace,
            resource_version=start,
            timeout_seconds=20,
        ):
            seen.append((event["type"], (event["object"].data or {}).get("ladder")))
            if event["type"] == "DELETED":
                stream.stop()
    assert seen == [("ADDED", "hd"), ("MODIFIED", "4k"), ("DELETED", "4k")]


def test_tls_and_rbac_are_on(kube: KubeCluster) -> None:
    with kube.api_client() as api:
        review: Any = k8s.AuthenticationV1Api(api).create_self_subject_review(
            k8s.V1SelfSubjectReview()
        )
    assert review.status.user_info.username == "kinema-admin"
    assert "system:masters" in review.status.user_info.groups

    # Trusting the CA without presenting a client certificate makes one anonymous, and
    # RBAC (unlike AlwaysAllow) gives anonymous users nothing.
    anonymous = ssl.create_default_context(cafile=str(kube.pki.ca_cert))
    response = httpx.get(f"{kube.server}/api/v1/namespaces", verify=anonymous, timeout=10)
    assert response.status_code == 403
    assert "system:anonymous" in response.json()["message"]


def test_every_crd_in_the_repo_is_established(kube: KubeCluster) -> None:
    declared = {doc["metadata"]["name"] for doc in crd_documents(CRD_DIR)}
    with kube.api_client() as api:
        served: list[Any] = k8s.ApiextensionsV1Api(api).list_custom_resource_definition().items
    established = {
        crd.metadata.name
        for crd in served
        if any(c.type == "Established" and c.status == "True" for c in crd.status.conditions)
    }
    assert declared <= established


KOPF_HANDLERS = textwrap.dedent(
    """
    import kopf

    @kopf.on.create("v1", "configmaps", labels={"kinema.dev/harness": "kopf"})
    def greet(patch, **_):
        patch.metadata.annotations["kinema.dev/seen-by"] = "kopf"
    """
)


def test_kopf_logs_in_with_the_kubeconfig(
    kube_env: KubeCluster, kube_namespace: str, tmp_path: Path
) -> None:
    handlers = tmp_path / "handlers.py"
    handlers.write_text(KOPF_HANDLERS)
    log_path = tmp_path / "kopf.log"
    with log_path.open("wb") as log:
        operator = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kopf",
                "run",
                "--standalone",
                "--namespace",
                kube_namespace,
                str(handlers),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "KUBECONFIG": str(kube_env.kubeconfig)},
        )
    try:
        with kube_env.api_client() as api:
            core = k8s.CoreV1Api(api)
            core.create_namespaced_config_map(
                kube_namespace,
                k8s.V1ConfigMap(
                    metadata=k8s.V1ObjectMeta(
                        name="greet-me", labels={"kinema.dev/harness": "kopf"}
                    )
                ),
            )

            def annotated() -> bool:
                assert operator.poll() is None, log_path.read_text()
                cm: Any = core.read_namespaced_config_map("greet-me", kube_namespace)
                return (cm.metadata.annotations or {}).get("kinema.dev/seen-by") == "kopf"

            try:
                wait_until(annotated, timeout=45, what="kopf to handle the ConfigMap")
            except TimeoutError as exc:
                raise AssertionError(f"{exc}\n{log_path.read_text()}") from exc
    finally:
        operator.terminate()
        try:
            operator.wait(timeout=20)
        except subprocess.TimeoutExpired:
            operator.kill()
            operator.wait()
