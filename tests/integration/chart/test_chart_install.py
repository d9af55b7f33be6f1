"""A real ``helm install`` and ``helm uninstall`` against the real kube-apiserver.

What a dry-run cannot show: that the post-install hook can create the Kopf peering
object right after the same release installed its CRD, and that ``helm uninstall``
leaves the CRDs behind (``helm.sh/resource-policy: keep``).

There is no kubelet, so nothing runs: migrations are off (Helm would wait for the hook
Job forever) and the test looks at objects only. The chart is a copy without Kinema's
CRDs, which the harness has installed outside any release already.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tests.utils import helm
from tests.utils.errors import BinaryNotFound
from tests.utils.kube_cluster import KubeCluster

pytestmark = pytest.mark.integration

KOPF_CRD = "clusterkopfpeerings.kopf.dev"


@pytest.fixture(scope="module", autouse=True)
def _helm_installed() -> None:
    try:
        helm.helm()
    except BinaryNotFound as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


def _crd_gone(ext: k8s.ApiextensionsV1Api, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            ext.read_custom_resource_definition(name)
        except ApiException as exc:
            if exc.status == 404:
                return
            raise
        time.sleep(0.2)
    raise AssertionError(f"CRD {name} still there after {timeout} s")


def _delete_crd(ext: k8s.ApiextensionsV1Api, name: str) -> None:
    try:
        ext.delete_custom_resource_definition(name)
    except ApiException as exc:
        if exc.status != 404:
            raise
    _crd_gone(ext, name)


@pytest.fixture
def no_kopf_crd(kube: KubeCluster) -> Iterator[k8s.ApiextensionsV1Api]:
    """Kopf's cluster peering CRD absent before the test, and removed after it (with the
    peering objects, which are hooks and so outlive the release)."""
    with kube.api_client() as api:
        ext = k8s.ApiextensionsV1Api(api)
        _delete_crd(ext, KOPF_CRD)
        yield ext
        _delete_crd(ext, KOPF_CRD)


def test_install_creates_the_peering_hook_and_uninstall_keeps_the_crds(
    kube: KubeCluster, kube_namespace: str, tmp_path: Path, no_kopf_crd: k8s.ApiextensionsV1Api
) -> None:
    chart = tmp_path / "kinema"
    shutil.copytree(helm.CHART_DIR, chart)
    shutil.rmtree(chart / "files" / "crds")
    release = f"r{uuid.uuid4().hex[:8]}"
    peering = f"kinema-{release}"
    common = ["--namespace", kube_namespace, "--kubeconfig", str(kube.kubeconfig)]

    installed = helm.run_helm(
        helm.helm_command(
            helm.helm(),
            ["install", release],
            chart=chart,
            set_values={
                "operator.peering.enabled": "true",
                "operator.peering.name": peering,
                "operator.replicas": "2",
                "api.migrations.enabled": "false",
            },
            extra=[*common, "--timeout", "60s"],
        ),
        timeout=120,
    )
    try:
        assert installed.ok, installed.stderr
        with kube.api_client() as api:
            custom = k8s.CustomObjectsApi(api)
            obj: Any = custom.get_cluster_custom_object(
                "kopf.dev", "v1", "clusterkopfpeerings", peering
            )
            assert obj["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
            deployment: Any = k8s.AppsV1Api(api).read_namespaced_deployment(
                f"{release}-kinema-operator", kube_namespace
            )
            assert deployment.spec.replicas == 2
            assert f"--peering={peering}" in deployment.spec.template.spec.containers[0].args

        # An upgrade leaves the live peering object alone (its keep-alives survive).
        # Kopf writes them into .status of the object itself (no status subresource).
        with kube.api_client() as api:
            custom = k8s.CustomObjectsApi(api)
            custom.patch_cluster_custom_object(
                "kopf.dev",
                "v1",
                "clusterkopfpeerings",
                peering,
                {"status": {"pod-a": {"priority": 7}}},
            )
        upgraded = helm.run_helm(
            helm.helm_command(
                helm.helm(),
                ["upgrade", release],
                chart=chart,
                set_values={
                    "operator.peering.enabled": "true",
                    "operator.peering.name": peering,
                    "operator.replicas": "3",
                    "api.migrations.enabled": "false",
                },
                extra=[*common, "--timeout", "60s"],
            ),
            timeout=120,
        )
        assert upgraded.ok, upgraded.stderr
        with kube.api_client() as api:
            custom = k8s.CustomObjectsApi(api)
            obj = custom.get_cluster_custom_object("kopf.dev", "v1", "clusterkopfpeerings", peering)
            assert obj.get("status", {}).get("pod-a") == {"priority": 7}
    finally:
        uninstalled = helm.run_helm([str(helm.helm()), "uninstall", release, *common], timeout=120)
    assert uninstalled.ok, uninstalled.stderr
    assert "These resources were kept due to the resource policy" in uninstalled.stdout
    kept: Any = no_kopf_crd.read_custom_resource_definition(KOPF_CRD)
    assert kept.metadata.annotations["helm.sh/resource-policy"] == "keep"
