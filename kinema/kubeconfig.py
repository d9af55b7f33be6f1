"""Kubernetes credentials, found one way for every component that talks to a cluster:
``kinema operator``, the API in cluster mode and ``kinema doctor``.

Precedence (the first that applies wins):

1. an explicit kubeconfig file, ``KINEMA_KUBECONFIG`` (``Settings.kubeconfig``);
2. the pod's service account, when running in a cluster (``KUBERNETES_SERVICE_HOST``
   and the mounted token); the pod's namespace comes with it;
3. only with ``fallback=True``: what kubectl would use, the first file of
   ``$KUBECONFIG`` (read now, not when the client library was imported), else
   ``~/.kube/config``. The operator asks for it, so one started on a laptop works
   against the current context; the API and ``kinema doctor`` treat "no credentials"
   as "no cluster" instead of guessing one.

Nothing found, or a file that cannot be used, is a :class:`~kinema.errors.ConfigError`.
The ``kubernetes`` package is imported when credentials are loaded, not with this
module, so commands that never reach a cluster start without it.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kinema.errors import ConfigError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


@dataclass(frozen=True)
class Credentials:
    client: ApiClient
    source: str  # where they came from, for messages: "kubeconfig PATH" or "service account"
    namespace: str | None = None  # the pod's namespace when running in a cluster


def in_cluster() -> bool:
    """Whether this process runs in a pod (Kubernetes sets the variable in every one)."""
    return "KUBERNETES_SERVICE_HOST" in os.environ


def configured(explicit: Path | None) -> bool:
    """Whether :func:`load` without ``fallback`` has anything to try."""
    return explicit is not None or in_cluster()


def load(explicit: Path | None, *, fallback: bool = False) -> Credentials:
    """An API client on the first credentials found, in the order the module names."""
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    try:
        if explicit is not None:
            return _from_file(str(explicit))
        try:
            configuration = k8s.Configuration()
            k8s_config.load_incluster_config(client_configuration=configuration)
        except ConfigException:
            if not fallback:
                raise
        else:
            namespace = None
            with suppress(OSError):
                namespace = SERVICE_ACCOUNT_NAMESPACE.read_text().strip() or None
            return Credentials(k8s.ApiClient(configuration), "service account", namespace)
        path = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
        return _from_file(path or None)
    except (ConfigException, OSError) as exc:
        raise ConfigError(
            f"no usable Kubernetes credentials ({exc}): set KINEMA_KUBECONFIG or run in a "
            "pod with a service account"
        ) from exc


def _from_file(path: str | None) -> Credentials:
    from kubernetes import config as k8s_config

    # None: the client library's default, ~/.kube/config.
    client: ApiClient = k8s_config.new_client_from_config(config_file=path)
    return Credentials(client, f"kubeconfig {path or '~/.kube/config'}")
