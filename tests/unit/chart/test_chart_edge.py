"""The chart's optional caching edge: off by default; on, an nginx Deployment whose
configuration `kinema edge config` renders in an init container (the one template
`kinema up --edge` uses), a Service, and the API building playback URLs on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kinema_api.cli import register
from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")

EDGE = {"edge.enabled": "true", "edge.publicUrl": "https://media.example.com"}


def _kinds(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in objects}


def test_no_edge_by_default() -> None:
    objects = helm.render()
    assert not [name for _, name in _kinds(objects) if name.endswith("-edge")]
    api = helm.container_env(helm.container(helm.find(objects, "Deployment", "-api")))
    assert "KINEMA_EDGE_URL" not in api


def test_the_edge_deployment_service_and_playback_urls(tmp_path: Path) -> None:
    objects = helm.render(set_values=EDGE)
    deployment = helm.find(objects, "Deployment", "-edge")
    pod = deployment["spec"]["template"]["spec"]
    init = pod["initContainers"][0]
    assert init["args"][:2] == ["edge", "config"]
    nginx = pod["containers"][0]
    assert nginx["image"] == "nginx:1.27"
    assert nginx["command"][:3] == ["nginx", "-c", "/etc/kinema-edge/nginx.conf"]
    assert nginx["readinessProbe"]["httpGet"]["path"] == "/edge-health"
    assert nginx["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in nginx["volumeMounts"]}
    assert {"/etc/kinema-edge", "/var/cache/kinema-edge", "/tmp/kinema-edge"} <= mounts
    service = helm.find(objects, "Service", "-edge")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    api = helm.container_env(helm.container(helm.find(objects, "Deployment", "-api")))
    assert api["KINEMA_EDGE_URL"] == "https://media.example.com"
    # The init container's own arguments give a configuration pointing at the API's
    # Service (run here through the same command line).
    out = tmp_path / "nginx.conf"
    args = [a for a in init["args"] if not a.startswith("--out=")]
    cli = typer.Typer()
    register(cli)
    result = CliRunner().invoke(cli, [*args, f"--out={out}"])
    assert result.exit_code == 0, result.output
    api_service = helm.find(objects, "Service", "-api")
    port = api_service["spec"]["ports"][0]["port"]
    assert f"server {api_service['metadata']['name']}:{port};" in out.read_text()
    assert "listen 0.0.0.0:8080;" in out.read_text()


def test_an_edge_without_its_public_url_is_refused() -> None:
    result = helm.template(set_values={"edge.enabled": "true"})
    assert not result.ok and "edge.publicUrl" in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [("edge.port", "0"), ("edge.image.tag", "1.27; rm -rf /"), ("edge.publicUrl", "media")],
)
def test_bad_edge_values_are_refused_by_the_schema(key: str, value: str) -> None:
    result = helm.template(set_values={**EDGE, key: value})
    assert not result.ok and "edge" in result.stderr
