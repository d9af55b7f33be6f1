"""Run Helm on ``charts/kinema`` for the chart's tests.

Helm 3 is a Go-built tool from the same cache as the other services
(``~/.cache/kinema/bin/helm``, put there by ``scripts/bootstrap``). ``helm_command``
builds an argv and ``run_helm`` runs it; ``render`` parses ``helm template`` output into
objects, which ``find``, ``container``, ``container_env`` and ``rules`` read. Rendering
pins ``--kube-version`` to the harness's Kubernetes, because Helm's built-in default is
older than the chart's ``kubeVersion`` floor.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.utils import binaries

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "charts" / "kinema"
KUBE_VERSION = "1.35.4"
# The chart's CI values files: an HA operator on GPUs, and one watching two namespaces.
GPU_HA = CHART_DIR / "ci" / "gpu-ha-values.yaml"
NAMESPACED = CHART_DIR / "ci" / "namespaced-values.yaml"
# The annotation that makes Helm keep an object (the CRDs) on uninstall.
KEEP = "helm.sh/resource-policy"


@dataclass(frozen=True)
class HelmResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def helm_command(
    helm: Path,
    verb: Sequence[str],
    *,
    chart: Path = CHART_DIR,
    values_files: Sequence[Path] = (),
    set_values: Mapping[str, str] = {},
    extra: Sequence[str] = (),
) -> list[str]:
    argv = [str(helm), *verb, str(chart)]
    for path in values_files:
        argv += ["--values", str(path)]
    for key, value in set_values.items():
        argv += ["--set", f"{key}={value}"]
    return [*argv, *extra]


def run_helm(argv: Sequence[str], *, timeout: float = 60) -> HelmResult:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    return HelmResult(done.returncode, done.stdout, done.stderr)


def helm() -> Path:
    return binaries.go_binary("helm")


def template(
    *,
    release: str = "kinema",
    namespace: str = "kinema",
    chart: Path = CHART_DIR,
    values_files: Sequence[Path] = (),
    set_values: Mapping[str, str] = {},
) -> HelmResult:
    argv = helm_command(
        helm(),
        ["template", release],
        chart=chart,
        values_files=values_files,
        set_values=set_values,
        extra=["--namespace", namespace, "--kube-version", KUBE_VERSION],
    )
    return run_helm(argv)


def render(**kwargs: Any) -> list[dict[str, Any]]:
    """The objects ``helm template`` renders; fails with Helm's message when it refuses."""
    result = template(**kwargs)
    if not result.ok:
        raise AssertionError(f"helm template failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def lint(*, values_files: Sequence[Path] = (), strict: bool = True) -> HelmResult:
    verb = ["lint", "--strict"] if strict else ["lint"]
    return run_helm(helm_command(helm(), verb, values_files=values_files))


def find(objects: Sequence[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    """The one object of ``kind`` whose name ends with ``name_suffix``."""
    matches = [
        o for o in objects if o["kind"] == kind and o["metadata"]["name"].endswith(name_suffix)
    ]
    if len(matches) != 1:
        names = [o["metadata"]["name"] for o in objects if o["kind"] == kind]
        raise AssertionError(f"expected one {kind} *{name_suffix}, found {names}")
    return matches[0]


def container(workload: dict[str, Any]) -> dict[str, Any]:
    """The one container of a Deployment's or Job's Pod template."""
    containers: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def container_env(container: dict[str, Any]) -> dict[str, Any]:
    """A container's env by name: the value, or the ``valueFrom`` source."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def rules(role: dict[str, Any]) -> set[tuple[str, str, str]]:
    """What a (Cluster)Role allows, one (API group, resource, verb) at a time."""
    return {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
