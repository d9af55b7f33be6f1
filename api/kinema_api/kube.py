"""The API's one door to Kubernetes: the Video resources admin actions create and patch.

In cluster mode (``KINEMA_MODE=cluster``) the API does not transcode: an admin action
becomes a Video object (``kinema.dev/v1alpha1``) in ``KINEMA_NAMESPACE`` and the operator
does the rest. This module speaks plain JSON mappings and maps API-server answers to the
API's own errors, so a refused request is a clear JSON error, never a 500:

    403 (RBAC)                    -> Forbidden (403)
    404                           -> NotFoundError (404)
    409 (exists, stale version)   -> ConflictError (409)
    422 (CRD schema, CEL rules)   -> InvalidResource (422)
    anything else, unreachable    -> Unavailable (503)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from kinema import kubeconfig as kubeconfig_loader
from kinema.errors import ConfigError
from kinema.resources.common import GROUP, VERSION
from kinema.resources.video import PLURAL
from kinema_api.errors import (
    ApiError,
    ConflictError,
    Forbidden,
    InvalidResource,
    NotFoundError,
    Unavailable,
)

MERGE_PATCH = "application/merge-patch+json"
FIELD_MANAGER = "kinema-api"
# Label and annotation naming the catalog row a Video feeds (the API's own videos).
CATALOG_VIDEO_ID = "kinema.dev/catalog-video-id"
# Timeout of one API-server request (connect, read), seconds.
REQUEST_TIMEOUT = (5, 30)


def _message(exc: ApiException) -> str:
    reason = exc.reason or ""
    with suppress(TypeError, ValueError, AttributeError):
        reason = json.loads(exc.body or "{}").get("message") or reason
    return str(reason)


@contextmanager
def _answer(what: str) -> Iterator[None]:
    try:
        yield
    except ApiException as exc:
        message = f"{what}: {_message(exc)}"
        error: type[ApiError] = {
            403: Forbidden,
            404: NotFoundError,
            409: ConflictError,
            422: InvalidResource,
        }.get(exc.status or 0, Unavailable)
        if error is Unavailable:
            message = f"{what}: the Kubernetes API answered HTTP {exc.status}: {_message(exc)}"
        raise error(message) from exc
    except (OSError, Urllib3Error) as exc:
        raise Unavailable(f"{what}: the Kubernetes API is unreachable ({exc})") from exc


def load_api_client(kubeconfig: Path | None) -> tuple[k8s.ApiClient, str | None]:
    """An ApiClient on the core's credentials (``KINEMA_KUBECONFIG``, else the pod's
    service account; never a guessed ``~/.kube/config``), and the pod's namespace when
    in-cluster."""
    try:
        found = kubeconfig_loader.load(kubeconfig)
    except ConfigError as exc:
        raise ConfigError(f"KINEMA_MODE=cluster: {exc}") from exc
    return found.client, found.namespace


class VideoResources:
    """Video objects in one namespace."""

    def __init__(self, api: k8s.ApiClient, namespace: str) -> None:
        self.api = api
        self.namespace = namespace
        self.custom = k8s.CustomObjectsApi(api)
        self._statuses: tuple[float, dict[str, dict[str, Any]]] | None = None
        self._statuses_lock = threading.Lock()

    def close(self) -> None:
        self.api.close()

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body["metadata"]["name"]
        with _answer(f"creating Video {self.namespace}/{name}"):
            obj: Any = self.custom.create_namespaced_custom_object(
                GROUP,
                VERSION,
                self.namespace,
                PLURAL,
                body,
                field_manager=FIELD_MANAGER,
                field_validation="Strict",
                _request_timeout=REQUEST_TIMEOUT,
            )
        return cast(dict[str, Any], obj)

    def get(self, name: str) -> dict[str, Any]:
        with _answer(f"reading Video {self.namespace}/{name}"):
            obj: Any = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURAL, name, _request_timeout=REQUEST_TIMEOUT
            )
        return cast(dict[str, Any], obj)

    def merge_patch(self, name: str, patch: dict[str, Any]) -> dict[str, Any]:
        """A JSON merge patch; put ``metadata.resourceVersion`` in it to refuse a patch
        of a Video that changed meanwhile (409)."""
        with _answer(f"updating Video {self.namespace}/{name}"):
            obj: Any = self.custom.patch_namespaced_custom_object(
                GROUP,
                VERSION,
                self.namespace,
                PLURAL,
                name,
                patch,
                field_manager=FIELD_MANAGER,
                field_validation="Strict",
                _content_type=MERGE_PATCH,
                _request_timeout=REQUEST_TIMEOUT,
            )
        return cast(dict[str, Any], obj)

    def statuses(self, max_age: float = 0.0) -> dict[str, dict[str, Any]]:
        """``status`` of every Video the API created here, by catalog video id.

        With ``max_age`` a list made that recently (by any thread) is answered again:
        every admin watching live status shares one list call per interval.
        """
        if max_age <= 0:
            return self._list_statuses()
        with self._statuses_lock:
            now = time.monotonic()
            if self._statuses is None or now - self._statuses[0] >= max_age:
                self._statuses = (now, self._list_statuses())
            return self._statuses[1]

    def _list_statuses(self) -> dict[str, dict[str, Any]]:
        with _answer(f"listing Videos in {self.namespace}"):
            found: Any = self.custom.list_namespaced_custom_object(
                GROUP,
                VERSION,
                self.namespace,
                PLURAL,
                label_selector=CATALOG_VIDEO_ID,
                _request_timeout=REQUEST_TIMEOUT,
            )
        out: dict[str, dict[str, Any]] = {}
        for item in found.get("items", []):
            video_id = (item["metadata"].get("labels") or {}).get(CATALOG_VIDEO_ID)
            if video_id:
                out[video_id] = item.get("status") or {}
        return out

    def delete(self, name: str) -> None:
        """Ask for deletion; the operator's finalizer removes output and catalog rows."""
        with _answer(f"deleting Video {self.namespace}/{name}"):
            self.custom.delete_namespaced_custom_object(
                GROUP,
                VERSION,
                self.namespace,
                PLURAL,
                name,
                propagation_policy="Background",
                _request_timeout=REQUEST_TIMEOUT,
            )
