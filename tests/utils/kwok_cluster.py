"""Simulated nodes for scale runs: a control plane with kube-scheduler and kwok.

:func:`start_kwok_cluster` starts a control plane of its own (etcd, kube-apiserver with
an audit log, kube-controller-manager; :mod:`tests.utils.kube_cluster`), then
kube-scheduler and kwok 0.8.0 (all built by ``scripts/go-tools.sh``), and registers a
node pool: GPU nodes (``nvidia.com/gpu`` capacity, the ``nvidia.com/gpu.present=true``
label GPU operators set, and a ``nvidia.com/gpu`` NoSchedule taint, as managed GPU pools
have) and CPU-only nodes. kwok plays the kubelet of every node annotated
``kwok.x-k8s.io/node: fake``, with the Stages in ``tests/fixtures/kwok/stages.yaml``:
nodes become Ready and keep their Leases fresh; a bound pod becomes Running at once; a
Running pod of a Job becomes Succeeded only once something marked its container as
exited (:data:`EXIT_ANNOTATION`, set by :mod:`tests.utils.pod_stage` after it wrote the
container's output). Scheduling is the real kube-scheduler's: node selectors,
tolerations, extended resources.

The control plane is its own, not the session's ``kube``: a scheduler there would bind
the pods that :class:`tests.utils.kubelet.FakeKubelet` tests run, and a scale run's
thousands of objects would weigh on every later test. Its controllers get client rate
limits fit for a scale run (kube-controller-manager's default of 20 requests/s would
make the Job controller the bottleneck long before the operator); the values are in
:data:`CONTROLLER_ARGS` and :func:`scheduler_config`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from kubernetes import client as k8s

from tests.utils import binaries, kube_audit
from tests.utils.kube_cluster import KubeCluster, start_controllers, start_kube
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGES = REPO_ROOT / "tests" / "fixtures" / "kwok" / "stages.yaml"
KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node"
KWOK_SELECTOR = f"{KWOK_NODE_ANNOTATION}=fake"
# Set on a pod by the test's pod stage once its container's work is done (see STAGES).
EXIT_ANNOTATION = "kwok.kinema.dev/exit-code"
GPU_RESOURCE = "nvidia.com/gpu"
GPU_LABEL = "nvidia.com/gpu.present"
GPU_TAINT = {"key": GPU_RESOURCE, "value": "present", "effect": "NoSchedule"}
POOL_LABEL = "kinema.dev/pool"
# Audited users belong to this group (their own certificates): see tests.utils.kube_audit.
AUDITED_GROUP = "kinema:audited"
# Client limits and workers of kube-controller-manager for thousands of Jobs.
CONTROLLER_ARGS = (
    "--kube-api-qps=400",
    "--kube-api-burst=800",
    "--concurrent-job-syncs=20",
    "--concurrent-gc-syncs=20",
)


@dataclass(frozen=True)
class NodePool:
    """The simulated nodes: ``gpu_nodes`` with ``gpus`` each, and ``cpu_nodes``."""

    gpu_nodes: int = 50
    gpus: int = 8
    cpu_nodes: int = 10
    cpu: str = "64"
    memory: str = "512Gi"
    pods: int = 110


def node_manifest(name: str, pool: NodePool, *, gpu: bool) -> dict[str, Any]:
    """A Node kwok manages: capacity in its status (kwok's node-initialize keeps it)."""
    capacity = {"cpu": pool.cpu, "memory": pool.memory, "pods": str(pool.pods)}
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "kwok-gpu" if gpu else "kwok-cpu",
        POOL_LABEL: "gpu" if gpu else "cpu",
        "type": "kwok",
    }
    spec: dict[str, Any] = {}
    if gpu:
        capacity[GPU_RESOURCE] = str(pool.gpus)
        labels[GPU_LABEL] = "true"
        spec["taints"] = [dict(GPU_TAINT)]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {KWOK_NODE_ANNOTATION: "fake"},
        },
        "spec": spec,
        "status": {"capacity": capacity, "allocatable": dict(capacity)},
    }


def node_names(pool: NodePool) -> tuple[list[str], list[str]]:
    """The GPU nodes' names and the CPU nodes'."""
    gpu = [f"kwok-gpu-{n:03d}" for n in range(pool.gpu_nodes)]
    cpu = [f"kwok-cpu-{n:03d}" for n in range(pool.cpu_nodes)]
    return gpu, cpu


def scheduler_config(kubeconfig: Path) -> dict[str, Any]:
    """kube-scheduler's configuration: no leader election, client limits for a scale run
    (the defaults, 50 requests/s, would pace the binding of thousands of pods)."""
    return {
        "apiVersion": "kubescheduler.config.k8s.io/v1",
        "kind": "KubeSchedulerConfiguration",
        "clientConnection": {"kubeconfig": str(kubeconfig), "qps": 400, "burst": 800},
        "leaderElection": {"leaderElect": False},
    }


def scheduler_command(scheduler: Path, config: Path, port: int) -> list[str]:
    return [
        str(scheduler),
        f"--config={config}",
        "--bind-address=127.0.0.1",
        f"--secure-port={port}",
        "--v=0",
    ]


def start_scheduler(kube: KubeCluster, work_dir: Path) -> ServiceProcess:
    """kube-scheduler against ``kube``, its configuration and log under ``work_dir``."""
    port = free_port()
    config = _write_yaml(work_dir / "scheduler.yaml", [scheduler_config(kube.kubeconfig)])
    scheduler = ServiceProcess(
        name="kube-scheduler",
        argv=scheduler_command(binaries.go_binary("kube-scheduler"), config, port),
        log_path=work_dir / "kube-scheduler.log",
    )
    scheduler.start()
    try:
        scheduler.wait_ready(lambda: _https_ok(f"https://127.0.0.1:{port}/healthz"))
    except BaseException:
        scheduler.stop()
        raise
    return scheduler


def kwok_configuration() -> dict[str, Any]:
    """kwok's own options: the nodes it plays, leases, a pod CIDR for thousands of pods,
    and more stage workers than its default 4 (pods move through three stages)."""
    return {
        "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
        "kind": "KwokConfiguration",
        "options": {
            "manageAllNodes": False,
            "manageNodesWithAnnotationSelector": KWOK_SELECTOR,
            "nodeLeaseDurationSeconds": 40,
            "nodeLeaseParallelism": 4,
            "cidr": "10.128.0.0/12",
            "podPlayStageParallelism": 16,
            "nodePlayStageParallelism": 4,
            "enableDebuggingHandlers": False,
            "enableProfilingHandler": False,
        },
    }


def kwok_command(kwok: Path, kubeconfig: Path, config: Path, port: int) -> list[str]:
    return [
        str(kwok),
        f"--kubeconfig={kubeconfig}",
        f"--config={config}",
        "--manage-all-nodes=false",
        f"--manage-nodes-with-annotation-selector={KWOK_SELECTOR}",
        f"--server-address=127.0.0.1:{port}",
    ]


@dataclass
class KwokCluster:
    """The control plane, kube-scheduler, kwok and the names of the simulated nodes."""

    kube: KubeCluster
    scheduler: ServiceProcess
    kwok: ServiceProcess
    audit_log: Path
    gpu_nodes: list[str] = field(default_factory=list)
    cpu_nodes: list[str] = field(default_factory=list)

    def audited_kubeconfig(self, user: str) -> Path:
        """A kubeconfig for ``user``, whose every request the audit log records."""
        return self.kube.user_kubeconfig(
            user, AUDITED_GROUP, self.kube.work_dir / f"kubeconfig-{user}"
        )

    def requests_of(self, user: str) -> list[kube_audit.Request]:
        return kube_audit.read_requests(self.audit_log, user)

    def stop(self) -> None:
        self.kwok.stop()
        self.scheduler.stop()
        self.kube.stop()


def _https_ok(url: str) -> bool:
    # Self-signed serving certificates; only liveness is checked.
    return httpx.get(url, verify=False, timeout=5).status_code == 200  # noqa: S501


def _http_ok(url: str) -> bool:
    return httpx.get(url, timeout=5).status_code == 200


def _write_yaml(path: Path, docs: Sequence[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump_all(list(docs), sort_keys=False))
    return path


def _ready_nodes(api: k8s.ApiClient, names: set[str]) -> int:
    response: Any = k8s.CoreV1Api(api).list_node(label_selector="type=kwok", _preload_content=False)
    ready = 0
    for node in json.loads(response.data)["items"]:
        conditions = (node.get("status") or {}).get("conditions") or []
        if node["metadata"]["name"] in names and any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in conditions
        ):
            ready += 1
    return ready


def register_nodes(cluster: KwokCluster, pool: NodePool, *, timeout: float = 120) -> None:
    """Create the pool's Nodes (and the RuntimeClass GPU pods name, and the RBAC of
    audited users) and wait until kwok has made every Node Ready."""
    gpu, cpu = node_names(pool)
    with cluster.kube.api_client() as api:
        core = k8s.CoreV1Api(api)
        for name in gpu + cpu:
            body: Any = node_manifest(name, pool, gpu=name in gpu)
            core.create_node(body)
        # Transcode pods name the "nvidia" RuntimeClass, as on a GPU operator's nodes;
        # admission refuses a pod whose RuntimeClass does not exist.
        runtime: Any = {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": "nvidia"},
            "handler": "nvidia",
        }
        k8s.NodeV1Api(api).create_runtime_class(runtime)
        # Audited users act as the admin does; only their names differ.
        binding: Any = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "kinema-audited"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "cluster-admin",
            },
            "subjects": [
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": AUDITED_GROUP}
            ],
        }
        k8s.RbacAuthorizationV1Api(api).create_cluster_role_binding(binding)
        wanted = set(gpu + cpu)
        wait_until(
            lambda: _ready_nodes(api, wanted) == len(wanted),
            timeout=timeout,
            what=f"{len(wanted)} kwok nodes to be Ready",
            interval=0.5,
        )
    cluster.gpu_nodes, cluster.cpu_nodes = gpu, cpu


def start_kwok_cluster(
    work_dir: Path, crd_dir: Path, pool: NodePool | None = None, *, timeout: float = 120
) -> KwokCluster:
    """Start everything, apply the CRDs in ``crd_dir`` and register ``pool``'s nodes."""
    pool = pool or NodePool()
    work_dir.mkdir(parents=True, exist_ok=True)
    policy = _write_yaml(work_dir / "audit-policy.yaml", [kube_audit.audit_policy([AUDITED_GROUP])])
    audit_log = work_dir / "audit.log"
    kube = start_kube(work_dir, apiserver_args=kube_audit.audit_args(policy, audit_log))
    scheduler: ServiceProcess | None = None
    kwok: ServiceProcess | None = None
    try:
        kube.apply_crds(crd_dir)
        start_controllers(kube, extra_args=CONTROLLER_ARGS)
        scheduler = start_scheduler(kube, work_dir)
        kwok_port = free_port()
        stages = list(yaml.safe_load_all(STAGES.read_text()))
        kwok_config = _write_yaml(work_dir / "kwok.yaml", [kwok_configuration(), *stages])
        kwok = ServiceProcess(
            name="kwok",
            argv=kwok_command(binaries.go_binary("kwok"), kube.kubeconfig, kwok_config, kwok_port),
            log_path=work_dir / "kwok.log",
        )
        kwok.start()
        kwok.wait_ready(lambda: _http_ok(f"http://127.0.0.1:{kwok_port}/healthz"))
        cluster = KwokCluster(kube, scheduler, kwok, audit_log)
        register_nodes(cluster, pool, timeout=timeout)
    except BaseException:
        for process in (kwok, scheduler):
            if process is not None:
                process.stop()
        kube.stop()
        raise
    return cluster
