"""How the chart runs the operator: replicas and peering, GPU defaults, watched
namespaces and the Secrets each Deployment gets, with args and env the real
``kinema operator`` accepts. ``helm template`` only, no cluster."""

from __future__ import annotations

import json

import pytest

from tests.utils import helm
from tests.utils.helm import GPU_HA, KEEP, NAMESPACED

pytestmark = pytest.mark.usefixtures("helm_installed")


# Replicas and peering -----------------------------------------------------------------


def test_more_than_one_operator_replica_without_peering_is_refused() -> None:
    result = helm.template(set_values={"operator.replicas": "2"})
    assert not result.ok
    assert "operator.replicas > 1 needs operator.peering.enabled=true" in result.stderr


def test_gpu_ha_values_render_peering_gpu_defaults_and_monitoring() -> None:
    objects = helm.render(values_files=[GPU_HA])
    operator = helm.find(objects, "Deployment", "-operator")
    assert operator["spec"]["replicas"] == 3
    assert operator["spec"]["strategy"]["type"] == "RollingUpdate"
    container = helm.container(operator)
    assert "--peering=kinema" in container["args"]
    assert not any(a.startswith("--namespace") for a in container["args"])
    env = helm.container_env(container)
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
    api = helm.container_env(helm.container(helm.find(objects, "Deployment", "-api")))
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
    assert ("kopf.dev", "clusterkopfpeerings", "patch") in helm.rules(role)

    monitor = helm.find(objects, "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    ingress = helm.find(objects, "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == "kinema.example.com"
    assert helm.find(objects, "Deployment", "-api")["spec"]["replicas"] == 2


def test_watched_namespaces_get_roles_and_only_discovery_stays_cluster_wide() -> None:
    objects = helm.render(values_files=[NAMESPACED])
    cluster_role = helm.find(objects, "ClusterRole", "-operator")
    assert helm.rules(cluster_role) == {
        ("apiextensions.k8s.io", "customresourcedefinitions", "list"),
        ("apiextensions.k8s.io", "customresourcedefinitions", "watch"),
    }
    roles = [o for o in objects if o["kind"] == "Role"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["media", "media-staging"]
    assert all(("kopf.dev", "kopfpeerings", "patch") in helm.rules(r) for r in roles)
    bindings = [o for o in objects if o["kind"] == "RoleBinding"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["media", "media-staging"]
    peerings = [o for o in objects if o["kind"] == "KopfPeering"]
    assert sorted(p["metadata"]["namespace"] for p in peerings) == ["media", "media-staging"]
    helm.find(objects, "CustomResourceDefinition", "kopfpeerings.kopf.dev")
    args = helm.container(helm.find(objects, "Deployment", "-operator"))["args"]
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
    env = helm.container_env(helm.container(helm.find(objects, "Deployment", "-operator")))
    assert env["KINEMA_OPERATOR_JOB_ENV_SECRET"] == "kinema-s3"


# The operator's command line and settings ---------------------------------------------


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
    args = helm.container(helm.find(objects, "Deployment", "-operator"))["args"]
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
    env = helm.container_env(helm.container(helm.find(objects, "Deployment", "-operator")))
    kinema_env = {name for name in env if name.startswith("KINEMA_")}
    unknown = kinema_env - known
    assert not unknown, f"the operator reads none of {sorted(unknown)}"
    assert "KINEMA_OPERATOR_GPU_DEFAULTS" in env


def test_clip_preview_settings_reach_the_operator() -> None:
    objects = helm.render(set_values={"operator.clipPreviews.concurrency": "5"})
    env = helm.container_env(helm.container(helm.find(objects, "Deployment", "-operator")))
    assert env["KINEMA_OPERATOR_PREVIEW_CONCURRENCY"] == "5"
    assert env["KINEMA_OPERATOR_PREVIEW_ATTEMPTS"] == "3"
    refused = helm.template(set_values={"operator.clipPreviews.attempts": "0"})
    assert not refused.ok
