"""A test-only kubelet: runs the Pods that kube-controller-manager's Job controller makes.

The test cluster has kube-apiserver and kube-controller-manager but no kubelet and no
scheduler, so a Job's Pods would stay Pending for ever. :class:`FakeKubelet` plays the
node's part, and only that part, so that Job semantics (Indexed completions, backoff
limits, pod failure counting) stay Kubernetes' own:

1. it registers a fake ``Node`` (Ready, with CPU, memory and ``nvidia.com/gpu``
   capacity) and keeps its ``Lease`` fresh so the node lifecycle controller leaves it
   alone;
2. it binds each Pending Pod of the watched namespaces to that node (the scheduler's
   job), unless the Pod asks for a node selector the node lacks;
3. it runs the Pod's first container locally as a subprocess: the image's entrypoint is
   mapped to a local executable (``kinema`` -> ``.venv/bin/kinema``), ``$(VAR)``
   references in command/args are expanded as Kubernetes does, and the environment is
   the Pod's own (``env`` with ``value``/``fieldRef``/``secretKeyRef``/``configMapKeyRef``
   and ``envFrom``) laid over the test's base environment;
4. it writes the Pod's status as a kubelet would: ``Running`` with a running container
   state, then ``Succeeded``/``Failed`` with the exit code and a termination message:
   what the container wrote to its ``terminationMessagePath`` (at most 4096 bytes), or,
   with ``FallbackToLogsOnError`` and a failure, the log tail (80 lines / 2048 bytes).
   A subprocess cannot be given ``/dev/termination-log``, so that path (the container's
   ``terminationMessagePath``) is replaced in its command and args by a file of the
   Pod's own, which is what a ``sh -c '... > /dev/termination-log'`` needs;
5. Pods being deleted have their process killed and are then removed (grace period 0),
   as the kubelet confirms a deletion.

What it does not do: volumes, probes, init containers, more than one container, resource
enforcement, security contexts (the process runs as the test's user), taints, a program
that opens ``/dev/termination-log`` by itself (only the path in command/args is
redirected), ``kubectl logs`` (there is no kubelet API; the log files are kept under
``work_dir`` and readable through :meth:`FakeKubelet.log_of`).

This module holds the node's life cycle and the loop over Pods; what a container is
started with (argv, environment) is :mod:`tests.utils.kubelet_env`, and the statuses it
reports are :mod:`tests.utils.kubelet_status`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tests.utils.kubelet_env import container_env, default_entrypoint, expand
from tests.utils.kubelet_status import node_status, now, pod_status, termination_message

COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    log_path: Path
    started_at: str
    image: str
    container: str
    message_policy: str
    message_path: Path


@dataclass
class FakeKubelet:
    """Plays the kubelet (and the scheduler's bind) for Pods in ``namespaces``.

    Use as a context manager; ``base_env`` is what the test's services need (S3 and
    Postgres credentials), under the Pod's own env.
    """

    api_client: k8s.ApiClient
    namespaces: Iterable[str]
    work_dir: Path
    base_env: Mapping[str, str] = field(default_factory=dict)
    node_name: str = ""
    node_labels: Mapping[str, str] = field(default_factory=dict)
    gpus: int = 0
    max_parallel: int = 2
    poll_s: float = 0.25
    entrypoint: Callable[[str, list[str]], list[str]] = default_entrypoint

    def __post_init__(self) -> None:
        self.namespaces = tuple(self.namespaces)
        self.node_name = self.node_name or f"fake-node-{os.getpid()}-{id(self) % 100000}"
        self.core = k8s.CoreV1Api(self.api_client)
        self.coord = k8s.CoordinationV1Api(self.api_client)
        self._running: dict[tuple[str, str], _Running] = {}
        self._done: set[tuple[str, str]] = set()
        self._bound: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._errors: list[BaseException] = []
        self.ran: list[dict[str, Any]] = []  # what ran: pod, argv, exit code

    # life cycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeKubelet:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._register_node()
        self._thread = threading.Thread(target=self._loop, name="fake-kubelet", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for key, run in list(self._running.items()):
            self._kill(run)
            self._running.pop(key, None)
        for namespace, name in sorted(self._bound):
            self._force_delete(namespace, name)
        try:
            self.core.delete_node(self.node_name)
        except ApiException as exc:
            if exc.status != 404:
                raise
        try:
            self.coord.delete_namespaced_lease(self.node_name, "kube-node-lease")
        except ApiException as exc:
            if exc.status != 404:
                raise

    def raise_errors(self) -> None:
        """Re-raise what went wrong in the background thread, if anything."""
        if self._errors:
            raise self._errors[0]

    def log_of(self, namespace: str, pod: str) -> str:
        path = self.work_dir / namespace / f"{pod}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # node ---------------------------------------------------------------------------

    def _register_node(self) -> None:
        labels = {
            "kubernetes.io/hostname": self.node_name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            **self.node_labels,
        }
        body: Any = {"metadata": {"name": self.node_name, "labels": labels}}
        try:
            self.core.create_node(body)
        except ApiException as exc:
            if exc.status != 409:
                raise
        self.core.patch_node_status(self.node_name, {"status": node_status(gpus=self.gpus)})
        self._renew_lease()

    def _renew_lease(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body: Any = {
            "metadata": {"name": self.node_name, "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": self.node_name,
                "leaseDurationSeconds": 40,
                "renewTime": stamp,
            },
        }
        try:
            self.coord.patch_namespaced_lease(self.node_name, "kube-node-lease", body)
        except ApiException as exc:
            if exc.status != 404:
                raise
            self.coord.create_namespaced_lease("kube-node-lease", body)

    # the loop -------------------------------------------------------------------------

    def _loop(self) -> None:
        last_beat = time.monotonic()
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_beat > 10:
                    self._renew_lease()
                    self.core.patch_node_status(
                        self.node_name, {"status": node_status(gpus=self.gpus)}
                    )
                    last_beat = time.monotonic()
                self._tick()
            except ApiException as exc:
                # Conflicts and vanished objects are ordinary in a busy namespace.
                if exc.status not in (404, 409, 422):
                    self._errors.append(exc)
            except Exception as exc:  # kept for raise_errors()
                self._errors.append(exc)
            self._stop.wait(self.poll_s)

    def _list_pods(self) -> list[dict[str, Any]]:
        pods: list[dict[str, Any]] = []
        for namespace in self.namespaces:
            response: Any = self.core.list_namespaced_pod(namespace, _preload_content=False)
            pods.extend(json.loads(response.data)["items"])
        return pods

    def _tick(self) -> None:
        pods = self._list_pods()
        seen = set()
        for pod in pods:
            meta = pod["metadata"]
            key = (meta["namespace"], meta["name"])
            seen.add(key)
            if meta.get("deletionTimestamp"):
                self._terminate(key, pod)
                continue
            node = pod["spec"].get("nodeName")
            if not node:
                if self._fits(pod):
                    self._bind(key)
                continue
            if node != self.node_name or key in self._done:
                continue
            if key in self._running:
                self._check(key, pod)
            elif (
                pod.get("status", {}).get("phase", "Pending") == "Pending"
                and len(self._running) < self.max_parallel
            ):
                self._start(key, pod)
        # Pods deleted under us (force deletion): stop their processes.
        for key in list(self._running):
            if key not in seen:
                self._kill(self._running.pop(key))
        self._done &= seen
        self._bound &= seen

    def _fits(self, pod: dict[str, Any]) -> bool:
        spec = pod["spec"]
        labels = {
            "kubernetes.io/hostname": self.node_name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            **self.node_labels,
        }
        for key, value in (spec.get("nodeSelector") or {}).items():
            if labels.get(key) != value:
                return False
        if spec.get("schedulerName", "default-scheduler") != "default-scheduler":
            return False
        for container in spec.get("containers", []):
            limits = (container.get("resources") or {}).get("limits") or {}
            if int(limits.get("nvidia.com/gpu", 0)) > self.gpus:
                return False
        return True

    def _bind(self, key: tuple[str, str]) -> None:
        namespace, name = key
        body: Any = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name, "namespace": namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": self.node_name},
        }
        # The generated client fails to deserialize the Status a binding returns.
        self.core.create_namespaced_binding(namespace, body, _preload_content=False)
        self._bound.add(key)

    # running a pod ---------------------------------------------------------------------

    def _start(self, key: tuple[str, str], pod: dict[str, Any]) -> None:
        namespace, name = key
        container = pod["spec"]["containers"][0]
        env = container_env(self.core, namespace, pod, container, self.base_env)
        folder = self.work_dir / namespace
        folder.mkdir(parents=True, exist_ok=True)
        message_path = folder / f"{name}.termination-log"
        message_path.write_bytes(b"")
        wanted = container.get("terminationMessagePath") or "/dev/termination-log"

        def local(arg: str) -> str:
            return expand(arg, env).replace(wanted, str(message_path))

        command = [local(a) for a in container.get("command") or []]
        args = [local(a) for a in container.get("args") or []]
        argv = [*self.entrypoint(container.get("image", ""), command), *args]
        log_path = folder / f"{name}.log"
        cwd = folder / name
        cwd.mkdir(exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        run = _Running(
            process=process,
            log_path=log_path,
            started_at=now(),
            image=container.get("image", ""),
            container=container["name"],
            message_policy=container.get("terminationMessagePolicy", "File"),
            message_path=message_path,
        )
        self._running[key] = run
        self.ran.append({"namespace": namespace, "pod": name, "argv": argv})
        self._write_status(key, pod, run, exit_code=None)

    def _check(self, key: tuple[str, str], pod: dict[str, Any]) -> None:
        run = self._running[key]
        code = run.process.poll()
        if code is None:
            return
        self._write_status(key, pod, run, exit_code=code)
        self._running.pop(key)
        self._done.add(key)
        for entry in self.ran:
            if (entry["namespace"], entry["pod"]) == key:
                entry["exit_code"] = code

    def _write_status(
        self, key: tuple[str, str], pod: dict[str, Any], run: _Running, *, exit_code: int | None
    ) -> None:
        namespace, name = key
        message = ""
        if exit_code is not None:
            message = run.message_path.read_bytes()[:4096].decode("utf-8", "replace").strip()
            if not message and exit_code != 0 and run.message_policy == "FallbackToLogsOnError":
                message = termination_message(run.log_path.read_bytes())
        status = pod_status(
            name,
            container=run.container,
            image=run.image,
            started_at=run.started_at,
            exit_code=exit_code,
            message=message,
        )
        self.core.patch_namespaced_pod_status(name, namespace, {"status": status})

    # deletion ---------------------------------------------------------------------------

    @staticmethod
    def _kill(run: _Running) -> None:
        if run.process.poll() is None:
            try:
                os.killpg(run.process.pid, signal.SIGTERM)
                run.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(run.process.pid, signal.SIGKILL)
                run.process.wait()

    def _terminate(self, key: tuple[str, str], pod: dict[str, Any]) -> None:
        run = self._running.pop(key, None)
        if run is not None:
            self._kill(run)
            # Tell the Job controller how the container ended before the Pod goes away.
            if pod.get("status", {}).get("phase") in ("Pending", "Running"):
                code = run.process.returncode
                try:
                    self._write_status(key, pod, run, exit_code=code if code else 137)
                except ApiException as exc:
                    if exc.status != 404:
                        raise
        if pod["spec"].get("nodeName") == self.node_name:
            self._force_delete(*key)

    def _force_delete(self, namespace: str, name: str) -> None:
        try:
            self.core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)
        except ApiException as exc:
            if exc.status != 404:
                raise
