"""The Helm chart renders what a platform engineer expects from its default values.

No cluster here: ``helm lint`` and ``helm template`` only (the server-side dry-run of
every rendered object is in ``tests/integration/chart``). The operator's topologies are
in ``test_chart_operator.py``, the CRDs in ``test_chart_crds.py`` and the values file and
its schema in ``test_chart_values.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.utils import helm
from tests.utils.helm import GPU_HA, NAMESPACED

pytestmark = pytest.mark.usefixtures("helm_installed")
CHART = helm.CHART_DIR


# Lint ---------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [None, GPU_HA, NAMESPACED], ids=["default", "gpu-ha", "ns"])
def test_lint_strict_passes(values: Path | None) -> None:
    result = helm.lint(values_files=[values] if values else [])
    assert result.ok, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


def test_template_works_without_kube_version() -> None:
    """``helm template t charts/kinema`` as a user types it: the project's Helm is built as
    Helm's releases are (scripts/go-tools.sh), so the Kubernetes it assumes without
    ``--kube-version`` meets the chart's ``kubeVersion`` floor."""
    result = helm.run_helm([str(helm.helm()), "template", "t", str(CHART)])
    assert result.ok, result.stderr
    assert any(o["kind"] == "Deployment" for o in yaml.safe_load_all(result.stdout) if o)


# Default values -----------------------------------------------------------------------


def test_default_render_is_one_standalone_operator_and_the_api() -> None:
    objects = helm.render()
    kinds = sorted({o["kind"] for o in objects})
    assert kinds == sorted(
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
            "CronJob",
            "Deployment",
            "Job",
            "Role",
            "RoleBinding",
            "Secret",
            "Service",
            "ServiceAccount",
            *(
                ["CustomResourceDefinition"]
                if list((CHART / "files" / "crds").glob("*.yaml"))
                else []
            ),
        ]
    )
    operator = helm.find(objects, "Deployment", "-operator")
    assert operator["spec"]["replicas"] == 1
    # Two standalone operators must never overlap, not even during a rollout.
    assert operator["spec"]["strategy"] == {"type": "Recreate"}
    container = helm.container(operator)
    assert container["args"] == ["operator", "--liveness=http://0.0.0.0:8080/healthz"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "healthz"}
    env = helm.container_env(container)
    assert env["KINEMA_OPERATOR_METRICS_PORT"] == "9090"
    assert env["KINEMA_OPERATOR_IMAGE"] == "kinema/kinema:0.1.0"
    assert "KINEMA_DATABASE_URL" not in env  # nothing configured: NOTES.txt warns
    assert not any(o["kind"] == "Ingress" for o in objects)

    api = helm.container(helm.find(objects, "Deployment", "-api"))
    assert api["args"] == ["api", "--port=8000"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/v1/health"

    migrate = helm.find(objects, "Job", "-migrate")
    assert migrate["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert helm.container({"spec": migrate["spec"]})["args"] == ["migrate"]
    # What the hook reads must exist before it: earlier hooks.
    for kind in ("ConfigMap", "Secret"):
        annotations = helm.find(objects, kind)["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(annotations["helm.sh/hook-weight"]) < 0


def test_pods_run_as_non_root_with_a_read_only_root() -> None:
    objects = helm.render(values_files=[GPU_HA])
    workloads = [o for o in objects if o["kind"] in ("Deployment", "Job")]
    assert len(workloads) == 3
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert {"/tmp", "/var/lib/kinema"} <= mounts


def test_operator_cluster_role_is_least_privilege() -> None:
    role = helm.find(helm.render(), "ClusterRole", "-operator")
    kinds = ["videos", "renditions", "ladders", "plans", "distributions"]
    expected = {("apiextensions.k8s.io", "customresourcedefinitions", v) for v in ("list", "watch")}
    expected |= {("", "namespaces", v) for v in ("list", "watch")}
    expected |= {
        ("kinema.dev", k, v)
        for k in kinds
        for v in ("get", "list", "watch", "create", "update", "patch", "delete")
    }
    expected |= {
        ("kinema.dev", f"{k}/{sub}", v)
        for k in kinds
        for sub in ("status", "finalizers")
        for v in ("get", "update", "patch")
    }
    expected |= {
        ("batch", "jobs", v) for v in ("get", "list", "watch", "create", "patch", "delete")
    }
    expected |= {("", "pods", v) for v in ("get", "list", "watch")}
    expected |= {(g, "events", v) for g in ("", "events.k8s.io") for v in ("create", "patch")}
    assert helm.rules(role) == expected
    # Nothing the operator does reads Secrets or touches other workloads.
    assert not {r for r in helm.rules(role) if r[1] in ("secrets", "*") or r[0] == "*"}
