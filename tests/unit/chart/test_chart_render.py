"""The Helm chart renders what a platform engineer expects, and refuses what would break.

No cluster here: ``helm lint`` and ``helm template`` only (the server-side dry-run of
every rendered object is in ``tests/integration/chart``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.utils import helm
from tests.utils.errors import BinaryNotFound

CHART = helm.CHART_DIR
GPU_HA = CHART / "ci" / "gpu-ha-values.yaml"
NAMESPACED = CHART / "ci" / "namespaced-values.yaml"
KEEP = "helm.sh/resource-policy"


@pytest.fixture(scope="module", autouse=True)
def _helm_installed() -> None:
    try:
        helm.helm()
    except BinaryNotFound as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def _rules(role: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


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


# Default values -------------------------------------------------------------------------


def test_default_render_is_one_standalone_operator_and_the_api() -> None:
    objects = helm.render()
    kinds = sorted({o["kind"] for o in objects})
    assert kinds == sorted(
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
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
    container = _container(operator)
    assert container["args"] == ["operator", "--liveness=http://0.0.0.0:8080/healthz"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "healthz"}
    env = _env(container)
    assert env["KINEMA_OPERATOR_METRICS_PORT"] == "9090"
    assert env["KINEMA_OPERATOR_IMAGE"] == "kinema/kinema:0.1.0"
    assert "KINEMA_DATABASE_URL" not in env  # nothing configured: NOTES.txt warns
    assert not any(o["kind"] == "Ingress" for o in objects)

    api = _container(helm.find(objects, "Deployment", "-api"))
    assert api["args"] == ["api", "--port=8000"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/v1/health"

    migrate = helm.find(objects, "Job", "-migrate")
    assert migrate["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert _container({"spec": migrate["spec"]})["args"] == ["migrate"]
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
    assert _rules(role) == expected
    # Nothing the operator does reads Secrets or touches other workloads.
    assert not {r for r in _rules(role) if r[1] in ("secrets", "*") or r[0] == "*"}


# Replicas and peering ---------------------------------------------------------------------


BILLING = {
    "stripe.apiKey": "sk_test_123",
    "stripe.webhookSecret": "whsec_abc123",
    "api.publicUrl": "https://tv.example.com",
}


def test_stripe_keys_reach_the_operator_and_the_api() -> None:
    objects = helm.render(set_values=BILLING)
    operator = _env(_container(helm.find(objects, "Deployment", "-operator")))
    assert operator["KINEMA_STRIPE_API_KEY"]["secretKeyRef"]["key"] == "stripe-api-key"
    assert "KINEMA_STRIPE_WEBHOOK_SECRET" not in operator  # webhooks reach the API only
    api = _env(_container(helm.find(objects, "Deployment", "-api")))
    assert api["KINEMA_STRIPE_API_KEY"]["secretKeyRef"]["key"] == "stripe-api-key"
    assert api["KINEMA_STRIPE_WEBHOOK_SECRET"]["secretKeyRef"]["key"] == "stripe-webhook-secret"
    secret = helm.find(objects, "Secret", "-secrets")
    stored = {**secret.get("data", {}), **secret.get("stringData", {})}
    assert {"stripe-api-key", "stripe-webhook-secret"} <= set(stored)
    config = helm.find(objects, "ConfigMap", "")["data"]
    assert config["KINEMA_BILLING_GRACE_DAYS"] == "3"
    assert "KINEMA_STRIPE_API_BASE" not in config
    without = helm.render()
    for name in ("-operator", "-api"):
        env = _env(_container(helm.find(without, "Deployment", name)))
        assert "KINEMA_STRIPE_API_KEY" not in env and "KINEMA_STRIPE_WEBHOOK_SECRET" not in env


def test_stripe_from_an_existing_secret() -> None:
    objects = helm.render(
        set_values={
            "stripe.existingSecret.name": "billing",
            "api.publicUrl": "https://tv.example.com",
            "stripe.apiBase": "http://stripe-mock:12111",
        }
    )
    api = _env(_container(helm.find(objects, "Deployment", "-api")))
    assert api["KINEMA_STRIPE_API_KEY"]["secretKeyRef"] == {
        "name": "billing",
        "key": "stripe-api-key",
    }
    assert api["KINEMA_STRIPE_WEBHOOK_SECRET"]["secretKeyRef"] == {
        "name": "billing",
        "key": "stripe-webhook-secret",
    }
    config = helm.find(objects, "ConfigMap", "")["data"]
    assert config["KINEMA_STRIPE_API_BASE"] == "http://stripe-mock:12111"


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("stripe.webhookSecret", "needs stripe.webhookSecret"),
        ("api.publicUrl", "Stripe billing needs api.publicUrl"),
    ],
)
def test_billing_without_its_webhook_secret_or_public_url_is_refused(
    drop: str, message: str
) -> None:
    values = {k: v for k, v in BILLING.items() if k != drop}
    result = helm.template(set_values=values)
    assert not result.ok
    assert message in result.stderr
    # An operator-only install syncs Plans to Stripe without either.
    assert helm.template(set_values={"stripe.apiKey": "sk_test_1", "api.enabled": "false"}).ok


def test_more_than_one_operator_replica_without_peering_is_refused() -> None:
    result = helm.template(set_values={"operator.replicas": "2"})
    assert not result.ok
    assert "operator.replicas > 1 needs operator.peering.enabled=true" in result.stderr


def test_gpu_ha_values_render_peering_gpu_defaults_and_monitoring() -> None:
    objects = helm.render(values_files=[GPU_HA])
    operator = helm.find(objects, "Deployment", "-operator")
    assert operator["spec"]["replicas"] == 3
    assert operator["spec"]["strategy"]["type"] == "RollingUpdate"
    container = _container(operator)
    assert "--peering=kinema" in container["args"]
    assert not any(a.startswith("--namespace") for a in container["args"])
    env = _env(container)
    assert env["KINEMA_OPERATOR_IMAGE"] == "registry.example.com/kinema/transcoder:0.1.0-nvenc"
    assert env["KINEMA_OPERATOR_JOB_ENV_SECRET"] == "kinema-s3"
    assert json.loads(env["KINEMA_OPERATOR_GPU_DEFAULTS"]) == {
        "resourceName": "nvidia.com/gpu",
        "nodeSelector": {"nvidia.com/gpu.present": "true"},
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "runtimeClassName": "nvidia",
    }
    assert env["KINEMA_DATABASE_URL"]["secretKeyRef"] == {
        "name": "kinema-secrets",
        "key": "database-url",
    }
    assert env["KINEMA_REDIS_URL"]["secretKeyRef"] == {"name": "kinema-redis", "key": "url"}
    # Only the API signs CloudFront cookies: the operator never sees the key.
    assert "KINEMA_CLOUDFRONT_PRIVATE_KEY" not in env
    api = _env(_container(helm.find(objects, "Deployment", "-api")))
    assert api["KINEMA_CLOUDFRONT_PRIVATE_KEY"]["secretKeyRef"]["name"] == "kinema-cloudfront"

    # The Secret Jobs load whole (envFrom) holds the S3 keys and nothing else.
    s3 = helm.find(objects, "Secret", "-s3")
    assert set(s3["stringData"]) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    assert s3["metadata"]["namespace"] == "kinema"
    secrets = helm.find(objects, "Secret", "-secrets")["stringData"]
    assert set(secrets) == {"database-url", "secret-key"}

    crd = helm.find(objects, "CustomResourceDefinition", "clusterkopfpeerings.kopf.dev")
    assert crd["metadata"]["annotations"][KEEP] == "keep"
    peering = helm.find(objects, "ClusterKopfPeering", "kinema")
    assert peering["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    role = helm.find(objects, "ClusterRole", "-operator")
    assert ("kopf.dev", "clusterkopfpeerings", "patch") in _rules(role)

    monitor = helm.find(objects, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    ingress = helm.find(objects, "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "kinema.example.com"
    assert helm.find(objects, "Deployment", "-api")["spec"]["replicas"] == 2


def test_watched_namespaces_get_roles_and_only_discovery_stays_cluster_wide() -> None:
    objects = helm.render(values_files=[NAMESPACED])
    cluster_role = helm.find(objects, "ClusterRole", "-operator")
    assert _rules(cluster_role) == {
        ("apiextensions.k8s.io", "customresourcedefinitions", "list"),
        ("apiextensions.k8s.io", "customresourcedefinitions", "watch"),
    }
    roles = [o for o in objects if o["kind"] == "Role"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["media", "media-staging"]
    assert all(("kopf.dev", "kopfpeerings", "patch") in _rules(r) for r in roles)
    bindings = [o for o in objects if o["kind"] == "RoleBinding"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["media", "media-staging"]
    peerings = [o for o in objects if o["kind"] == "KopfPeering"]
    assert sorted(p["metadata"]["namespace"] for p in peerings) == ["media", "media-staging"]
    helm.find(objects, "CustomResourceDefinition", "kopfpeerings.kopf.dev")
    args = _container(helm.find(objects, "Deployment", "-operator"))["args"]
    assert "--namespace=media" in args
    assert "--namespace=media-staging" in args
    assert not any(o["kind"] == "Job" for o in objects)  # API off: no migrations


def test_the_jobs_s3_secret_is_in_every_namespace_jobs_run_in() -> None:
    objects = helm.render(
        values_files=[NAMESPACED],
        set_values={"s3.accessKeyId": "AKIA", "s3.secretAccessKey": "s"},
    )
    secrets = [o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == "kinema-s3"]
    assert sorted(s["metadata"]["namespace"] for s in secrets) == [
        "kinema",
        "media",
        "media-staging",
    ]
    env = _env(_container(helm.find(objects, "Deployment", "-operator")))
    assert env["KINEMA_OPERATOR_JOB_ENV_SECRET"] == "kinema-s3"


# CRDs ---------------------------------------------------------------------------------


def _chart_with_crd(tmp_path: Path) -> Path:
    """A copy of the chart with one stand-in CRD file, so the glob is tested on its own."""
    chart = tmp_path / "kinema"
    shutil.copytree(CHART, chart)
    crd_dir = chart / "files" / "crds"
    shutil.rmtree(crd_dir, ignore_errors=True)
    crd_dir.mkdir(parents=True)
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.kinema.dev", "annotations": {"example/kept": "yes"}},
        "spec": {
            "group": "kinema.dev",
            "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [
                {
                    "name": "v1alpha1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                }
            ],
        },
    }
    (crd_dir / "widgets.kinema.dev.yaml").write_text(yaml.safe_dump(crd))
    return chart


def test_crds_render_under_the_flag_with_the_keep_policy(tmp_path: Path) -> None:
    chart = _chart_with_crd(tmp_path)
    crd = helm.find(helm.render(chart=chart), "CustomResourceDefinition", "widgets.kinema.dev")
    assert crd["metadata"]["annotations"] == {"example/kept": "yes", KEEP: "keep"}
    assert crd["metadata"]["labels"]["app.kubernetes.io/part-of"] == "kinema"
    assert crd["spec"]["names"]["kind"] == "Widget"

    unkept = helm.render(chart=chart, set_values={"crds.keep": "false"})
    assert KEEP not in helm.find(unkept, "CustomResourceDefinition")["metadata"]["annotations"]
    off = helm.render(chart=chart, set_values={"crds.enabled": "false"})
    assert not any(o["kind"] == "CustomResourceDefinition" for o in off)


def test_every_kinema_crd_of_the_chart_is_rendered_and_kept() -> None:
    files = sorted((CHART / "files" / "crds").glob("*.yaml"))
    if not files:
        pytest.skip("charts/kinema/files/crds/ is not generated yet")
    names = {yaml.safe_load(f.read_text())["metadata"]["name"] for f in files}
    rendered = {
        o["metadata"]["name"]: o for o in helm.render() if o["kind"] == "CustomResourceDefinition"
    }
    assert set(rendered) == names
    assert all(o["metadata"]["annotations"][KEEP] == "keep" for o in rendered.values())


# Schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"operator": {"replcas": 2}}, "additional properties 'replcas' not allowed"),
        ({"s3": {"storageUrl": "http://bucket/media"}}, "/s3/storageUrl"),
        ({"operator": {"replicas": "two"}}, "/operator/replicas"),
        ({"postgres": {"url": "mysql://db/kinema"}}, "/postgres/url"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"operator": {"watchNamespaces": ["Media"]}}, "/operator/watchNamespaces/0"),
        ({"secretKey": {"value": "changeme"}}, "/secretKey/value"),
    ],
    ids=["typo", "storage-url", "replicas-type", "db-url", "pull-policy", "namespace", "secret"],
)
def test_schema_rejects_a_bad_values_file(
    values: dict[str, Any], complaint: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-values.yaml"
    bad.write_text(yaml.safe_dump(values))
    result = helm.template(values_files=[bad])
    assert not result.ok
    assert "values don't meet the specifications of the schema" in result.stderr
    assert complaint in result.stderr


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"cloudfront": {"enabled": True, "keyPairId": "K1"}}, "cloudfront.privateKey"),
        ({"s3": {"accessKeyId": "AKIA"}}, "s3.accessKeyId and s3.secretAccessKey go together"),
        (
            {
                "operator": {
                    "metrics": {"service": {"enabled": False}, "serviceMonitor": {"enabled": True}}
                }
            },
            "operator.metrics.service.enabled=true",
        ),
    ],
    ids=["cloudfront-key", "s3-half-keys", "monitor-without-service"],
)
def test_inconsistent_values_fail_with_a_clear_message(
    values: dict[str, Any], complaint: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-values.yaml"
    bad.write_text(yaml.safe_dump(values))
    result = helm.template(values_files=[bad])
    assert not result.ok
    assert complaint in result.stderr


# values.yaml hygiene ------------------------------------------------------------------


def _leaves(node: Any, schema: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths of the values a user sets one by one; free-form maps (resources...) are one."""
    if isinstance(node, dict) and "properties" in schema:
        return [
            leaf
            for key, child in node.items()
            for leaf in _leaves(child, schema["properties"].get(key, {}), (*path, key))
        ]
    return [path]


def _key_lines(lines: list[str]) -> dict[tuple[str, ...], int]:
    """Line index of each key of values.yaml, by its path (two-space indentation)."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[str] = []
    for index, line in enumerate(lines):
        match = re.match(r"^( *)([A-Za-z][\w.-]*):", line)
        if not match:
            continue
        depth = len(match.group(1)) // 2
        stack = [*stack[:depth], match.group(2)]
        found.setdefault(tuple(stack), index)
    return found


def test_every_value_is_commented_used_and_in_the_schema() -> None:
    text = (CHART / "values.yaml").read_text()
    values = yaml.safe_load(text)
    templates = "\n".join(p.read_text() for p in (CHART / "templates").iterdir())
    schema = json.loads((CHART / "values.schema.json").read_text())
    lines = text.splitlines()
    key_lines = _key_lines(lines)
    for leaf in _leaves(values, schema):
        dotted = ".".join(leaf)
        # Declared in the schema (which refuses keys it does not know).
        node = schema
        for key in leaf:
            assert key in node.get("properties", {}), f"{dotted} missing from values.schema.json"
            node = node["properties"][key]
        # Used: a template reads it, or reads an object holding it whole.
        assert any(
            re.search(rf"\.Values\.{re.escape('.'.join(leaf[:n]))}\b", templates)
            for n in range(len(leaf), 0, -1)
        ), f"values.yaml {dotted} is read by no template"
        # Commented: the line before the key is a comment.
        index = key_lines[leaf]
        assert lines[index - 1].strip().startswith("#"), f"values.yaml {dotted} has no comment"


def test_operator_args_are_options_kinema_operator_has() -> None:
    """The Deployment's args against the real CLI: a renamed flag fails here, not in a pod."""
    import typer
    from typer.main import get_command

    from kinema_operator.cli import register

    app = typer.Typer()
    register(app)
    group = get_command(app)
    operator = group.commands["operator"]  # type: ignore[attr-defined]
    known = {opt for param in operator.params for opt in param.opts}
    objects = helm.render(values_files=[GPU_HA], set_values={"operator.watchNamespaces[0]": "a"})
    args = _container(helm.find(objects, "Deployment", "-operator"))["args"]
    assert args[0] == "operator"
    for arg in args[1:]:
        assert arg.split("=", 1)[0] in known, f"kinema operator has no {arg}"


def test_operator_env_names_are_settings_the_operator_reads() -> None:
    from kinema.settings import Settings
    from kinema_operator.config import OperatorSettings

    known = {f"KINEMA_OPERATOR_{name.upper()}" for name in OperatorSettings.model_fields}
    known |= {f"KINEMA_{name.upper()}" for name in Settings.model_fields}
    objects = helm.render(
        values_files=[GPU_HA], set_values={"transcodeJobs.serviceAccountName": "t"}
    )
    env = _env(_container(helm.find(objects, "Deployment", "-operator")))
    kinema_env = {name for name in env if name.startswith("KINEMA_")}
    unknown = kinema_env - known
    assert not unknown, f"the operator reads none of {sorted(unknown)}"
    assert "KINEMA_OPERATOR_GPU_DEFAULTS" in env


def test_the_charts_crds_are_the_generated_ones() -> None:
    """files/crds/ is a copy of crds/ (generated from the models): the two never drift."""
    generated = {p.name: p.read_text() for p in (helm.REPO_ROOT / "crds").glob("*.yaml")}
    shipped = {p.name: p.read_text() for p in (CHART / "files" / "crds").glob("*.yaml")}
    if not shipped:
        pytest.skip("charts/kinema/files/crds/ is not generated yet")
    assert shipped == generated, "regenerate charts/kinema/files/crds/ from the models"
