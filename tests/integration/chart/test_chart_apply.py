"""Everything the chart renders is accepted by a real kube-apiserver (1.35, RBAC on).

The Python client's equivalent of ``helm template … | kubectl apply --dry-run=server``:
each object goes through a server-side apply with ``dryRun=All``, so the apiserver runs
its full validation (schemas, CRD structural checks, RBAC escalation checks) and
persists nothing. Namespaced objects land in the test's own namespace.

Kopf's peering CRDs are the one exception: the peering objects can only be validated
once their CRDs are served, so the test really creates those two CRDs, and deletes them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from tests.utils import helm
from tests.utils.errors import BinaryNotFound
from tests.utils.kube_cluster import KubeCluster

pytestmark = pytest.mark.integration

CHART = helm.CHART_DIR
FIELD_MANAGER = "kinema-chart-test"
KOPF_CRDS = ("clusterkopfpeerings.kopf.dev", "kopfpeerings.kopf.dev")


@pytest.fixture(scope="module", autouse=True)
def _helm_installed() -> None:
    try:
        helm.helm()
    except BinaryNotFound as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def dynamic(kube: KubeCluster) -> Iterator[DynamicClient]:
    with kube.api_client() as api:
        yield DynamicClient(api)


@pytest.fixture(scope="module")
def kopf_crds(kube: KubeCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kopf's peering CRDs as the chart renders them, really created, removed afterwards."""
    objects = helm.render(
        set_values={"operator.peering.enabled": "true", "operator.replicas": "2"}
    ) + helm.render(
        set_values={"operator.peering.enabled": "true", "operator.watchNamespaces[0]": "x"}
    )
    crd_dir = tmp_path_factory.mktemp("kopf-crds")
    for obj in objects:
        if obj["kind"] == "CustomResourceDefinition" and obj["metadata"]["name"] in KOPF_CRDS:
            (crd_dir / f"{obj['metadata']['name']}.yaml").write_text(yaml.safe_dump(obj))
    kube.apply_crds(crd_dir)
    yield
    with kube.api_client() as api:
        ext = k8s.ApiextensionsV1Api(api)
        for name in KOPF_CRDS:
            try:
                ext.delete_custom_resource_definition(name)
            except ApiException as exc:
                if exc.status != 404:
                    raise


def _dry_run_apply(dynamic: DynamicClient, obj: dict[str, Any]) -> dict[str, Any]:
    resource = dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
    result = dynamic.server_side_apply(
        resource,
        body=obj,
        namespace=obj["metadata"].get("namespace"),
        field_manager=FIELD_MANAGER,
        force_conflicts=True,
        dry_run="All",
    )
    applied: dict[str, Any] = result.to_dict()
    return applied


def _apply_all(
    dynamic: DynamicClient, objects: list[dict[str, Any]], *, skip_kinds: frozenset[str]
) -> set[str]:
    applied: set[str] = set()
    failures: list[str] = []
    for obj in objects:
        if obj["kind"] in skip_kinds:
            continue
        try:
            result = _dry_run_apply(dynamic, obj)
        except ApiException as exc:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.status} {exc.body}")
            continue
        assert result["kind"] == obj["kind"]
        applied.add(obj["kind"])
    assert not failures, "\n".join(failures)
    return applied


def test_default_render_applies_server_side(dynamic: DynamicClient, kube_namespace: str) -> None:
    objects = helm.render(namespace=kube_namespace)
    applied = _apply_all(dynamic, objects, skip_kinds=frozenset())
    assert {"Deployment", "ClusterRole", "Job", "Secret", "ConfigMap"} <= applied
    if list((CHART / "files" / "crds").glob("*.yaml")):
        assert "CustomResourceDefinition" in applied


@pytest.mark.usefixtures("kopf_crds")
def test_gpu_ha_render_applies_server_side(dynamic: DynamicClient, kube_namespace: str) -> None:
    objects = helm.render(
        namespace=kube_namespace, values_files=[CHART / "ci" / "gpu-ha-values.yaml"]
    )
    # The Prometheus Operator's CRDs are not in this cluster; the unit tests check the
    # ServiceMonitor's shape instead.
    applied = _apply_all(dynamic, objects, skip_kinds=frozenset({"ServiceMonitor"}))
    assert {"ClusterKopfPeering", "CustomResourceDefinition", "Ingress", "Deployment"} <= applied


@pytest.mark.usefixtures("kopf_crds")
def test_namespaced_render_applies_server_side(dynamic: DynamicClient, kube_namespace: str) -> None:
    objects = helm.render(
        namespace=kube_namespace,
        values_files=[CHART / "ci" / "namespaced-values.yaml"],
        set_values={"operator.watchNamespaces": f"{{{kube_namespace}}}"},
    )
    applied = _apply_all(dynamic, objects, skip_kinds=frozenset())
    assert {"Role", "RoleBinding", "KopfPeering", "ClusterRole"} <= applied


@pytest.mark.parametrize("peering", [False, True], ids=["standalone", "peering"])
def test_helm_install_dry_run_against_the_cluster(
    kube: KubeCluster, kube_namespace: str, peering: bool
) -> None:
    """Helm itself against the apiserver: kubeVersion check, lookups, NOTES."""
    result = _install_dry_run(
        kube,
        kube_namespace,
        {
            "postgres.url": "postgresql+psycopg://kinema:pw@db:5432/kinema",
            "operator.peering.enabled": str(peering).lower(),
            "operator.replicas": "2" if peering else "1",
            "api.replicas": "2",
        },
    )
    assert "STATUS: pending-install" in result.stdout
    assert "kubectl get videos -A" in result.stdout
    assert "WARNING: no object storage configured" in result.stdout
    assert "WARNING: 2 API replicas without Redis" in result.stdout
    assert "WARNING: no database configured" not in result.stdout
    assert "crds.enabled=false: install Kinema's CRDs yourself" in result.stdout
    if peering:
        # The peering object is a hook, rendered because the lookup found none.
        assert "kind: ClusterKopfPeering" in result.stdout
        assert 'Kopf peering "kinema"' in result.stdout
    else:
        assert "Standalone (no peering): exactly one replica" in result.stdout


def test_helm_install_dry_run_with_every_service_configured(
    kube: KubeCluster, kube_namespace: str
) -> None:
    # No Prometheus Operator in this cluster: Helm refuses a ServiceMonitor it cannot map.
    off = {"operator.metrics.serviceMonitor.enabled": "false"}
    result = _install_dry_run(kube, kube_namespace, off, CHART / "ci" / "gpu-ha-values.yaml")
    assert "https://kinema.example.com/" in result.stdout
    assert "WARNING" not in result.stdout
    assert "The secret key was generated" not in result.stdout


def _install_dry_run(
    kube: KubeCluster, namespace: str, values: dict[str, str], values_file: Path | None = None
) -> helm.HelmResult:
    argv = helm.helm_command(
        helm.helm(),
        ["install", f"k{int(time.time() * 1000) % 100000}"],
        values_files=[values_file] if values_file else [],
        # The harness installed the CRDs already, outside any release: exactly the case
        # crds.enabled=false is for (Helm refuses to adopt objects it does not own).
        set_values={"crds.enabled": "false", **values},
        extra=["--namespace", namespace, "--kubeconfig", str(kube.kubeconfig), "--dry-run=server"],
    )
    result = helm.run_helm(argv)
    assert result.ok, result.stderr
    return result


def test_the_dry_run_rejects_what_the_apiserver_would(
    dynamic: DynamicClient, kube_namespace: str
) -> None:
    """Guards the test itself: a broken object does fail the server-side dry-run."""
    deployment = helm.find(helm.render(namespace=kube_namespace), "Deployment", "-operator")
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = 70000
    with pytest.raises(ApiException) as caught:
        _dry_run_apply(dynamic, deployment)
    assert caught.value.status == 422
    assert "containerPort" in str(caught.value.body)


@pytest.mark.usefixtures("kopf_crds")
def test_an_existing_peering_object_is_left_alone_on_upgrade(
    kube: KubeCluster, dynamic: DynamicClient, kube_namespace: str
) -> None:
    """Re-creating the peering hook would wipe the live replicas' keep-alives."""
    name = f"kinema-{kube_namespace}"
    peerings = dynamic.resources.get(api_version="kopf.dev/v1", kind="ClusterKopfPeering")

    def install_dry_run() -> helm.HelmResult:
        argv = helm.helm_command(
            helm.helm(),
            ["install", "kp"],
            set_values={
                "crds.enabled": "false",
                "operator.peering.enabled": "true",
                "operator.peering.name": name,
            },
            extra=["-n", kube_namespace, "--kubeconfig", str(kube.kubeconfig), "--dry-run=server"],
        )
        return helm.run_helm(argv)

    first = install_dry_run()
    assert first.ok, first.stderr
    assert "kind: ClusterKopfPeering" in first.stdout
    peerings.create(
        body={"apiVersion": "kopf.dev/v1", "kind": "ClusterKopfPeering", "metadata": {"name": name}}
    )
    try:
        again = install_dry_run()
        assert again.ok, again.stderr
        assert "kind: ClusterKopfPeering" not in again.stdout
    finally:
        peerings.delete(name=name)
