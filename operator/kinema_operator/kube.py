"""The operator's one door to the Kubernetes API.

Every call the operator makes outside Kopf's own watching goes through :class:`Kube`:
Videos, Renditions and Ladders (custom objects), Jobs, Pods and Events. It speaks plain
JSON mappings (the shapes :mod:`views` and :mod:`planner` read and build), maps a
missing object to ``None`` and every other API failure to :class:`ClusterError`, so
code above this module never sees the client library.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from kinema.resources.common import GROUP, VERSION
from kinema_operator.errors import ClusterError
from kinema_operator.identity import MANAGED_BY

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
    except (OSError, ConfigException) as exc:
        raise ClusterError(f"{what}: {exc}") from exc


def _json(response: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(response.data)
    return data


def load_api_client(kubeconfig: Path | None = None) -> k8s.ApiClient:
    """In-cluster credentials when running in a pod, else the kubeconfig."""
    with _api("loading Kubernetes credentials"):
        if kubeconfig is None:
            try:
                k8s_config.load_incluster_config()
                return k8s.ApiClient()
            except ConfigException:
                pass
        # KUBECONFIG is read now, not when the client library was imported.
        path = str(kubeconfig) if kubeconfig else os.environ.get("KUBECONFIG")
        api: k8s.ApiClient = k8s_config.new_client_from_config(
            config_file=path.split(os.pathsep)[0] if path else None
        )
        return api


class Kube:
    def __init__(self, api: k8s.ApiClient) -> None:
        self.api = api
        self.custom = k8s.CustomObjectsApi(api)
        self.batch = k8s.BatchV1Api(api)
        self.core = k8s.CoreV1Api(api)

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
