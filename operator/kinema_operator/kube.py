"""The operator's one door to the Kubernetes API.

Every call the operator makes outside Kopf's own watching goes through :class:`Kube`:
Videos, Renditions, Ladders and Distributions (custom objects), Jobs, Pods and Events. It
speaks plain JSON mappings (the shapes the kinds read and build), maps a missing object
to ``None`` and every other API failure to :class:`ClusterError`, so code above this
module never sees the client library. Credentials come from the core's one loader
(:mod:`kinema.kubeconfig`): :func:`connect` for these calls, :func:`login_info` for
Kopf's own watches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import kopf
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from kinema import kubeconfig
from kinema.errors import ConfigError
from kinema.resources.common import GROUP, VERSION
from kinema_operator.errors import ClusterError
from kinema_operator.labels import MANAGED_BY

FIELD_MANAGER = MANAGED_BY
MERGE_PATCH = "application/merge-patch+json"


@contextmanager
def _api(what: str) -> Iterator[None]:
    try:
        yield
    except ApiException as exc:
        reason = exc.reason or ""
        with suppress(TypeError, ValueError):
            reason = json.loads(exc.body or "{}").get("message") or reason
        raise ClusterError(f"{what}: HTTP {exc.status}: {reason}") from exc
    except OSError as exc:
        raise ClusterError(f"{what}: {exc}") from exc


def _json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.data)
    return data


def login_info(explicit: Path | None = None, *, trust_env: bool = False) -> kopf.ConnectionInfo:
    """Kopf's own connection (its watches), from the same credentials as :func:`connect`,
    so both reach one cluster as one user whichever of the sources provided them."""
    try:
        found = kubeconfig.load(explicit, fallback=True)
    except ConfigError as exc:
        raise kopf.LoginError(str(exc)) from exc
    config: Any = found.client.configuration
    found.client.close()
    # The client keeps a bearer token (service account, kubeconfig token or an auth
    # provider's) as "Scheme token" under one of two keys, depending on its version.
    header = config.get_api_key_with_prefix("BearerToken") or config.get_api_key_with_prefix(
        "authorization"
    )
    parts = str(header or "").split(" ", 1)
    scheme, token = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
    return kopf.ConnectionInfo(
        server=config.host,
        default_namespace=found.namespace,
        ca_path=config.ssl_ca_cert,
        insecure=not config.verify_ssl,
        username=config.username or None,
        password=config.password or None,
        scheme=scheme or None,
        token=token or None,
        certificate_path=config.cert_file,
        private_key_path=config.key_file,
        trust_env=trust_env,
    )


def connect(explicit: Path | None = None) -> Kube:
    """A :class:`Kube` on the credentials :func:`kinema.kubeconfig.load` finds; like
    kubectl, the operator falls back to ``$KUBECONFIG`` / ``~/.kube/config``."""
    try:
        found = kubeconfig.load(explicit, fallback=True)
    except ConfigError as exc:
        raise ClusterError(str(exc)) from exc
    return Kube(found.client)


class Kube:
    """Plain-JSON calls on one API client; ``close`` releases its connections."""

    def __init__(self, api: k8s.ApiClient) -> None:
        self.api = api
        self.custom = k8s.CustomObjectsApi(api)
        self.batch = k8s.BatchV1Api(api)
        self.core = k8s.CoreV1Api(api)

    def close(self) -> None:
        self.api.close()

    # --- custom objects ---------------------------------------------------------------

    def get(self, plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            obj: Any = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, name
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            with _api(f"reading {plural}/{name} in {namespace}"):
                raise
        return cast(dict[str, Any], obj)

    def list_objects(self, plural: str, namespace: str, selector: str = "") -> list[dict[str, Any]]:
        with _api(f"listing {plural} in {namespace}"):
            found: Any = self.custom.list_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, label_selector=selector
            )
        items: list[dict[str, Any]] = found.get("items", [])
        return items

    def patch_status(self, plural: str, namespace: str, name: str, status: dict[str, Any]) -> None:
        """Replace ``status`` wholesale (a merge patch whose status has every field)."""
        with _api(f"updating the status of {plural}/{name} in {namespace}"):
            self.custom.patch_namespaced_custom_object_status(
                GROUP,
                VERSION,
                namespace,
                plural,
                name,
                {"status": status},
                _content_type=MERGE_PATCH,
            )

    def create_or_update_spec(self, plural: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create ``body``; when it exists, merge its spec (and labels) into the existing one."""
        meta = body["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        try:
            created: Any = self.custom.create_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, body, field_manager=FIELD_MANAGER
            )
            return cast(dict[str, Any], created)
        except ApiException as exc:
            if exc.status != 409:
                with _api(f"creating {plural}/{name} in {namespace}"):
                    raise
        patch = {"metadata": {"labels": meta.get("labels", {})}, "spec": body["spec"]}
        with _api(f"updating {plural}/{name} in {namespace}"):
            updated: Any = self.custom.patch_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, name, patch, _content_type=MERGE_PATCH
            )
        return cast(dict[str, Any], updated)

    def delete(self, plural: str, namespace: str, name: str) -> None:
        try:
            self.custom.delete_namespaced_custom_object(GROUP, VERSION, namespace, plural, name)
        except ApiException as exc:
            if exc.status != 404:
                with _api(f"deleting {plural}/{name} in {namespace}"):
                    raise

    # --- Jobs and Pods ----------------------------------------------------------------

    def list_jobs(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        with _api(f"listing Jobs in {namespace}"):
            found = _json(
                self.batch.list_namespaced_job(
                    namespace, label_selector=selector, _preload_content=False
                )
            )
        items: list[dict[str, Any]] = found.get("items", [])
        return items

    def get_job(self, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            with _api(f"reading Job {name} in {namespace}"):
                return _json(
                    self.batch.read_namespaced_job(name, namespace, _preload_content=False)
                )
        except ClusterError as exc:
            if isinstance(exc.__cause__, ApiException) and exc.__cause__.status == 404:
                return None
            raise

    def create_job(self, manifest: dict[str, Any]) -> bool:
        """Create a Job; False when one of that name exists already (nothing changes)."""
        meta = manifest["metadata"]
        body: Any = manifest  # the client takes plain mappings as well as its models
        try:
            self.batch.create_namespaced_job(
                meta["namespace"], body, field_manager=FIELD_MANAGER, _preload_content=False
            )
        except ApiException as exc:
            if exc.status == 409:
                return False
            with _api(f"creating Job {meta['name']} in {meta['namespace']}"):
                raise
        return True

    def delete_job(self, namespace: str, name: str, *, foreground: bool = False) -> None:
        policy = "Foreground" if foreground else "Background"
        try:
            self.batch.delete_namespaced_job(
                name, namespace, propagation_policy=policy, _preload_content=False
            )
        except ApiException as exc:
            if exc.status != 404:
                with _api(f"deleting Job {name} in {namespace}"):
                    raise

    def list_pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        with _api(f"listing Pods in {namespace}"):
            found = _json(
                self.core.list_namespaced_pod(
                    namespace, label_selector=selector, _preload_content=False
                )
            )
        items: list[dict[str, Any]] = found.get("items", [])
        return items

    # --- Events -----------------------------------------------------------------------

    def post_event(self, obj: dict[str, Any], type_: str, reason: str, message: str) -> None:
        """A core/v1 Event about ``obj`` (what ``kubectl describe`` lists)."""
        meta = obj["metadata"]
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body: Any = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{meta['name']}.", "namespace": meta["namespace"]},
            "involvedObject": {
                "apiVersion": obj["apiVersion"],
                "kind": obj["kind"],
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta.get("uid"),
                "resourceVersion": meta.get("resourceVersion"),
            },
            "type": type_,
            "reason": reason,
            "message": message[:1024],
            "source": {"component": MANAGED_BY},
            "reportingComponent": f"kinema.dev/{MANAGED_BY}",
            "reportingInstance": MANAGED_BY,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        }
        with _api(f"posting an Event on {obj['kind']} {meta['name']}"):
            self.core.create_namespaced_event(meta["namespace"], body, _preload_content=False)
