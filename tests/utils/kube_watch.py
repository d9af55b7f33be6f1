"""Following one collection of the kube-apiserver from a test: list, then watch.

:class:`Watcher` runs in a thread and hands every object it sees to a callback, as plain
JSON: first the list, then each watch event, re-listing when the apiserver says the
watch's resource version is too old (410) and re-watching when a watch times out. It
speaks HTTP itself (httpx, with the cluster's CA and admin certificate): the generated
client's models cost milliseconds an object, which thousands of pods changing several
times each would turn into the bottleneck of a scale run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tests.utils.kube_cluster import KubeCluster

Handler = Callable[[str, dict[str, Any]], None]
WATCH_TIMEOUT_S = 240
RETRIES = 5  # dropped streams in a row before the watcher gives up


class Watcher:
    """Calls ``on_event(type, object)`` for each object of ``path`` (``ADDED`` for the
    listed ones, then the watch's ``ADDED``/``MODIFIED``/``DELETED``), in one thread.

    ``path`` is a collection's URL path, e.g. ``/api/v1/namespaces/ns/pods``. An error
    in ``on_event`` stops nothing: it is kept for :meth:`raise_errors`.
    """

    def __init__(
        self,
        cluster: KubeCluster,
        path: str,
        on_event: Handler,
        *,
        params: Mapping[str, str] | None = None,
        name: str = "watch",
    ) -> None:
        self.path = path
        self.on_event = on_event
        self.params = dict(params or {})
        self.errors: list[BaseException] = []
        self._client = httpx.Client(
            base_url=cluster.server,
            verify=cluster.ssl_context(),
            timeout=httpx.Timeout(30, read=WATCH_TIMEOUT_S + 30),
        )
        self._stop = threading.Event()
        self._synced = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def wait_synced(self, timeout: float = 30) -> None:
        """Wait until the first list has been handed over."""
        if not self._synced.wait(timeout):
            self.raise_errors()
            raise TimeoutError(f"listing {self.path} took more than {timeout:.0f}s")

    def stop(self) -> None:
        self._stop.set()
        self._client.close()  # ends a watch that is waiting for its next event
        self._thread.join(timeout=10)

    def raise_errors(self) -> None:
        if self.errors:
            raise self.errors[0]

    def _deliver(self, type_: str, obj: dict[str, Any]) -> None:
        try:
            self.on_event(type_, obj)
        except Exception as exc:  # kept for raise_errors()
            self.errors.append(exc)

    def _list(self) -> str:
        response = self._client.get(self.path, params=self.params)
        response.raise_for_status()
        found = response.json()
        for item in found.get("items") or []:
            self._deliver("ADDED", item)
        self._synced.set()
        return str(found["metadata"]["resourceVersion"])

    def _watch(self, version: str) -> str | None:
        """Follow the watch from ``version``; the last version seen, None when too old."""
        params = {
            **self.params,
            "watch": "1",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(WATCH_TIMEOUT_S),
        }
        with self._client.stream("GET", self.path, params=params) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if not line:
                    continue
                event = json.loads(line)
                obj = event.get("object") or {}
                if event.get("type") == "ERROR":
                    if obj.get("code") == 410:
                        return None
                    raise RuntimeError(f"watching {self.path}: {obj.get('message')}")
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if event.get("type") != "BOOKMARK":
                    self._deliver(str(event["type"]), obj)
        return version

    def _run(self) -> None:
        version: str | None = None
        failures = 0
        while not self._stop.is_set():
            try:
                if version is None:
                    version = self._list()
                version = self._watch(version)
                failures = 0
            except httpx.TransportError as exc:  # a dropped stream: watch again
                failures += 1
                if self._stop.is_set():
                    return
                if failures > RETRIES:
                    self.errors.append(exc)
                    return
                self._stop.wait(0.5)
            except (httpx.HTTPError, RuntimeError) as exc:
                if not self._stop.is_set():
                    self.errors.append(exc)
                return
