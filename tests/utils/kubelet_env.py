"""What the test-only kubelet starts a container with: its argv and its environment.

:class:`tests.utils.kubelet.FakeKubelet` runs a Pod's first container as a local
subprocess. This module turns the container's spec into that subprocess's inputs, as a
kubelet would: ``$(VAR)`` expansion in command and args, the image's entrypoint mapped
to a local executable, and the environment from ``env`` (``value``, ``fieldRef``,
``secretKeyRef``, ``configMapKeyRef``) and ``envFrom`` laid over the test's base
environment. Secrets and ConfigMaps are read from the kube-apiserver, like the kubelet
reads them.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

VENV_BIN = Path(sys.executable).parent
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")
# What a container sees beside its own env: enough to find Python, ffmpeg and a temp dir.
_BASE_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "KINEMA_CACHE", "VIRTUAL_ENV")


def expand(value: str, env: Mapping[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: unknown names stay as written, ``$$`` escapes."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))

    return _VAR.sub(one, value)


def default_entrypoint(image: str, command: list[str]) -> list[str]:
    """Map a container's command to a local executable (the image's entrypoint is kinema)."""
    kinema = str(VENV_BIN / "kinema")
    if not command:
        return [kinema]
    head, rest = command[0], command[1:]
    if head in ("kinema", "/usr/local/bin/kinema", "/app/.venv/bin/kinema"):
        return [kinema, *rest]
    if head in ("python", "python3", "/usr/local/bin/python", "/usr/bin/python3"):
        return [sys.executable, *rest]
    return [shutil.which(head) or head, *rest]


def container_env(
    core: k8s.CoreV1Api,
    namespace: str,
    pod: dict[str, Any],
    container: dict[str, Any],
    base_env: Mapping[str, str],
) -> dict[str, str]:
    """The environment of ``container``: the test's ``base_env`` under the Pod's own."""
    env = {k: os.environ[k] for k in _BASE_ENV_KEYS if k in os.environ}
    # In the image, kinema and python are on PATH; here they are the venv's.
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "/usr/bin:/bin")])
    env.update(base_env)
    for source in container.get("envFrom") or []:
        prefix = source.get("prefix", "")
        if "secretRef" in source:
            data = _secret(core, namespace, source["secretRef"]["name"], source["secretRef"])
        elif "configMapRef" in source:
            data = _configmap(
                core, namespace, source["configMapRef"]["name"], source["configMapRef"]
            )
        else:
            continue
        env.update({prefix + k: v for k, v in data.items()})
    for item in container.get("env") or []:
        name = item["name"]
        if "value" in item:
            env[name] = expand(item["value"], env)
            continue
        source = item.get("valueFrom") or {}
        if "fieldRef" in source:
            env[name] = field_value(pod, source["fieldRef"]["fieldPath"])
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            value = _secret(core, namespace, ref["name"], ref).get(ref["key"])
            if value is not None:
                env[name] = value
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            value = _configmap(core, namespace, ref["name"], ref).get(ref["key"])
            if value is not None:
                env[name] = value
        else:
            env.setdefault(name, "")
    return env


def field_value(pod: dict[str, Any], path: str) -> str:
    """What a ``fieldRef`` to ``path`` reads from the Pod (the downward API)."""
    meta = pod["metadata"]
    match = re.fullmatch(r"metadata\.(annotations|labels)\['(.+)'\]", path)
    if match:
        return str((meta.get(match.group(1)) or {}).get(match.group(2), ""))
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": pod["spec"].get("nodeName", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
        "status.podIP": "127.0.0.1",
        "status.hostIP": "127.0.0.1",
    }
    return str(simple.get(path, ""))


def _secret(
    core: k8s.CoreV1Api, namespace: str, name: str, ref: Mapping[str, Any]
) -> dict[str, str]:
    try:
        secret = core.read_namespaced_secret(name, namespace)
    except ApiException as exc:
        if exc.status == 404 and ref.get("optional"):
            return {}
        raise
    return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}


def _configmap(
    core: k8s.CoreV1Api, namespace: str, name: str, ref: Mapping[str, Any]
) -> dict[str, str]:
    try:
        cm = core.read_namespaced_config_map(name, namespace)
    except ApiException as exc:
        if exc.status == 404 and ref.get("optional"):
            return {}
        raise
    return dict(cm.data or {})
