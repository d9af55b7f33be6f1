"""A real node for the test control plane: containerd, runc, CNI and a real kubelet.

The other harnesses stand in for the node (:mod:`tests.utils.kubelet` runs a Pod's
command as a local process; kwok only plays pod phases). This one runs Pods as
Kubernetes does: the kubelet (built from the Kubernetes module by
``scripts/go-tools.sh``) asks containerd's CRI plugin for a pod sandbox and its
containers, runc starts them in their own namespaces and cgroups, and the bridge CNI
plugin gives each pod an address.

Everything is private to ``work_dir``: containerd's root, state and socket, the CNI
configuration and its IP allocations, the kubelet's root. The only shared things are
the kernel's: one Linux bridge (``BRIDGE``) whose address ``GATEWAY`` is this host as
pods see it (a service a pod must reach listens there), and the cgroup hierarchies,
where the kubelet makes ``/kubepods`` (removed again at the end).

What the host must have (``scripts/bootstrap`` installs them on Debian; the test
that uses this module is skipped with the reason when one is missing):

* root, for namespaces, mounts and cgroups;
* Debian's ``containerd`` (1.6, CRI v1), ``runc`` and ``containernetworking-plugins``;
* the kubelet and the pause executable in the Go tool cache.

The kubelet runs with cgroup v1 allowed (``failCgroupV1: false``): this sandbox's
kernel mounts v1 hierarchies, and Kubernetes 1.35 refuses them only by default. It
authenticates to the apiserver with the harness's admin certificate, the simplest
identity that the Node authorizer (not enabled here) does not need.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tests.utils import binaries
from tests.utils.errors import ServiceStartError
from tests.utils.kube_cluster import KubeCluster, condition_true
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess, tail, wait_until

BRIDGE = "kinema-node0"
SUBNET = "10.213.0.0/24"
GATEWAY = "10.213.0.1"
PAUSE_IMAGE = "localhost/kinema-pause:1"
CNI_BIN_DIR = Path("/usr/lib/cni")
CONTAINER_LOG_LINKS = Path("/var/log/containers")
# The k8s.io namespace is where containerd's CRI plugin keeps the images it runs.
CRI_NAMESPACE = "k8s.io"


def missing_requirements() -> list[str]:
    """What this host lacks for a real node (empty when it has everything)."""
    missing: list[str] = []
    if os.geteuid() != 0:
        missing.append("root (namespaces, mounts and cgroups)")
    for tool in ("containerd", "ctr", "runc", "ip"):
        if shutil.which(tool) is None:
            missing.append(f"{tool} on PATH (apt-get install containerd runc iproute2)")
    if not (CNI_BIN_DIR / "bridge").exists():
        missing.append(f"{CNI_BIN_DIR}/bridge (apt-get install containernetworking-plugins)")
    for name in ("kubelet", "kinema-pause"):
        if not (binaries.cache_dir() / "bin" / name).exists():
            missing.append(f"{name} in the Go tool cache (scripts/go-tools.sh)")
    if not Path("/sys/fs/cgroup").is_dir():
        missing.append("/sys/fs/cgroup")
    return missing


def containerd_config(work_dir: Path) -> str:
    """containerd's TOML: private root, state and socket; the CRI plugin with runc,
    cgroupfs (no systemd here), the overlay snapshotter and this node's CNI config."""
    return "\n".join(
        [
            "version = 2",
            f'root = "{work_dir / "root"}"',
            f'state = "{work_dir / "state"}"',
            "[grpc]",
            f'  address = "{work_dir / "containerd.sock"}"',
            "[ttrpc]",
            f'  address = "{work_dir / "containerd.sock.ttrpc"}"',
            '[plugins."io.containerd.grpc.v1.cri"]',
            f'  sandbox_image = "{PAUSE_IMAGE}"',
            # This sandbox forbids lowering a process's oom_score_adj (runc would set
            # -998 on a pod sandbox and fail): keep scores at or above containerd's.
            "  restrict_oom_score_adj = true",
            # Pod network namespaces under the private state directory, not /var/run/netns.
            "  netns_mounts_under_state_dir = true",
            '  [plugins."io.containerd.grpc.v1.cri".cni]',
            f'    bin_dir = "{CNI_BIN_DIR}"',
            f'    conf_dir = "{work_dir / "net.d"}"',
            '  [plugins."io.containerd.grpc.v1.cri".containerd]',
            '    snapshotter = "overlayfs"',
            '    default_runtime_name = "runc"',
            '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
            '      runtime_type = "io.containerd.runc.v2"',
            '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
            "        SystemdCgroup = false",
            f'        Root = "{work_dir / "runc"}"',
            "",
        ]
    )


def cni_config(ipam_dir: Path) -> dict[str, Any]:
    """A bridge network: each pod a veth on ``BRIDGE``, an address from ``SUBNET``, the
    default route through the host (``GATEWAY``). No masquerading: pods only talk to
    this host."""
    return {
        "cniVersion": "1.0.0",
        "name": "kinema-node",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                "ipMasq": False,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "dataDir": str(ipam_dir),
                    "ranges": [[{"subnet": SUBNET, "gateway": GATEWAY}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                },
            }
        ],
    }


def kubelet_config(
    socket: Path, port: int, healthz_port: int, logs_dir: Path, cgroup_root: str
) -> dict[str, Any]:
    """The kubelet's configuration for a single test node: no anonymous or webhook
    auth (only the harness talks to it), image GC and disk eviction out of the way of a
    busy build machine, cgroup v1 allowed, pods under their own cgroup root."""
    return {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "containerRuntimeEndpoint": f"unix://{socket}",
        "cgroupDriver": "cgroupfs",
        "cgroupRoot": cgroup_root,
        "failCgroupV1": False,
        "failSwapOn": False,
        "address": "127.0.0.1",
        "port": port,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": healthz_port,
        "tlsCertFile": "",
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": False},
            "x509": {},
        },
        "authorization": {"mode": "AlwaysAllow"},
        "serializeImagePulls": False,
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "evictionHard": {
            "memory.available": "100Mi",
            "nodefs.available": "1%",
            "imagefs.available": "1%",
        },
        "enforceNodeAllocatable": [],
        "makeIPTablesUtilChains": False,
        "localStorageCapacityIsolation": False,
        "resolvConf": "/etc/resolv.conf",
        "syncFrequency": "5s",
        "fileCheckFrequency": "5s",
        "nodeStatusUpdateFrequency": "5s",
        "registerNode": True,
        "podLogsDir": str(logs_dir),
        "logging": {"verbosity": 0},
    }


def kubelet_command(
    kubelet: Path, kubeconfig: Path, config: Path, root_dir: Path, cert_dir: Path, name: str
) -> list[str]:
    return [
        str(kubelet),
        f"--kubeconfig={kubeconfig}",
        f"--config={config}",
        f"--root-dir={root_dir}",
        f"--cert-dir={cert_dir}",
        f"--hostname-override={name}",
        f"--node-ip={GATEWAY}",
        "--v=1",
    ]


def _run(argv: list[str], what: str, timeout: float = 600) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise ServiceStartError(f"{what} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def ensure_bridge() -> None:
    """Create ``BRIDGE`` with ``GATEWAY`` before any pod does, so that services can
    listen on the gateway address from the start (the CNI plugin reuses it)."""
    present = (
        subprocess.run(["ip", "link", "show", BRIDGE], capture_output=True, check=False).returncode
        == 0
    )
    if not present:
        _run(["ip", "link", "add", BRIDGE, "type", "bridge"], "creating the node's bridge")
    addresses = _run(["ip", "-j", "addr", "show", BRIDGE], "reading the bridge")
    if GATEWAY not in addresses:
        prefix = SUBNET.split("/")[1]
        _run(["ip", "addr", "add", f"{GATEWAY}/{prefix}", "dev", BRIDGE], "addressing it")
    _run(["ip", "link", "set", BRIDGE, "up"], "bringing the bridge up")


def _node_ready(api: k8s.ApiClient, name: str) -> bool:
    try:
        node: Any = k8s.CoreV1Api(api).read_node(name)
    except ApiException as exc:
        if exc.status == 404:
            return False
        raise
    return condition_true(node, "Ready")


@dataclass
class RealNode:
    """One node: containerd and the kubelet, registered as ``name``."""

    name: str
    work_dir: Path
    socket: Path
    containerd: ServiceProcess
    kubelet: ServiceProcess | None = None
    cgroup_root: str = ""

    def ctr(self, *args: str, timeout: float = 600) -> str:
        argv = ["ctr", "--address", str(self.socket), "--namespace", CRI_NAMESPACE, *args]
        return _run(argv, "ctr " + " ".join(args[:2]), timeout)

    def import_image(self, archive: Path) -> None:
        """Load an OCI archive into the CRI's image store (what a pull would do)."""
        self.ctr("images", "import", str(archive))

    def logs(self, lines: int = 60) -> str:
        parts = [f"--- containerd ---\n{tail(self.containerd.log_path, lines)}"]
        if self.kubelet is not None:
            parts.append(f"--- kubelet ---\n{tail(self.kubelet.log_path, lines)}")
        return "\n".join(parts)

    def stop(self) -> None:
        if self.kubelet is not None:
            self.kubelet.stop()
            self.kubelet = None
        # Stop what the kubelet left running (containerd's shims outlive a kubelet).
        with contextlib.suppress(ServiceStartError, subprocess.TimeoutExpired):
            for task in self.ctr("tasks", "ls", "-q", timeout=30).split():
                self.ctr("tasks", "kill", "--signal", "SIGKILL", task, timeout=30)
        self.containerd.stop()
        subprocess.run(["pkill", "-f", f"containerd-shim.*{self.socket.parent}"], check=False)
        _unmount_below(self.work_dir)
        _remove_cgroups(self.cgroup_root)
        # The kubelet links each container's log from a fixed directory; only ours go.
        for link in CONTAINER_LOG_LINKS.glob("*.log"):
            with contextlib.suppress(OSError):
                if link.is_symlink() and str(link.readlink()).startswith(str(self.work_dir)):
                    link.unlink()


def _unmount_below(root: Path) -> None:
    """Lazily unmount what containerd and the kubelet mounted under ``root`` (sandbox
    /dev/shm, secrets and projected volumes, overlay roots), deepest first."""
    mounts = Path("/proc/self/mounts").read_text().splitlines()
    targets = [line.split()[1] for line in mounts if line.split()[1].startswith(str(root))]
    for target in sorted(targets, key=len, reverse=True):
        subprocess.run(["umount", "-l", target], capture_output=True, check=False)


def _remove_cgroups(cgroup_root: str) -> None:
    if not cgroup_root:
        return
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        base = hierarchy / cgroup_root.strip("/")
        if not base.is_dir():
            continue
        for directory in sorted(base.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if directory.is_dir():
                with contextlib.suppress(OSError):
                    directory.rmdir()
        with contextlib.suppress(OSError):
            base.rmdir()


def start_containerd(work_dir: Path, *, timeout: float = 30) -> RealNode:
    """containerd on a private root; the bridge made first (see ``ensure_bridge``)."""
    ensure_bridge()
    ctd = work_dir / "containerd"
    (ctd / "net.d").mkdir(parents=True, exist_ok=True)
    (ctd / "net.d" / "10-kinema-node.conflist").write_text(json.dumps(cni_config(ctd / "ipam")))
    config = ctd / "config.toml"
    config.write_text(containerd_config(ctd))
    socket = ctd / "containerd.sock"
    process = ServiceProcess(
        name="containerd",
        argv=["containerd", "--config", str(config), "--log-level", "warn"],
        log_path=work_dir / "containerd.log",
    )
    node = RealNode(name="", work_dir=work_dir, socket=socket, containerd=process)
    process.start()

    def answers() -> bool:
        done = subprocess.run(
            ["ctr", "--address", str(socket), "version"], capture_output=True, check=False
        )
        return done.returncode == 0

    try:
        process.wait_ready(answers, timeout=timeout)
    except BaseException:
        node.stop()
        raise
    return node


def start_kubelet(node: RealNode, cluster: KubeCluster, name: str, *, timeout: float = 120) -> None:
    """Start the kubelet against ``cluster``; return once Node ``name`` is Ready."""
    kubelet_dir = node.work_dir / "kubelet"
    kubelet_dir.mkdir(parents=True, exist_ok=True)
    port, healthz = free_port(), free_port()
    node.name = name
    node.cgroup_root = f"/kinema-node-{os.getpid()}"
    config = kubelet_dir / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            kubelet_config(node.socket, port, healthz, kubelet_dir / "pods", node.cgroup_root)
        )
    )
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        if (hierarchy / "cgroup.procs").exists() or (hierarchy / "tasks").exists():
            (hierarchy / node.cgroup_root.strip("/")).mkdir(exist_ok=True)
    process = ServiceProcess(
        name="kubelet",
        argv=kubelet_command(
            binaries.go_binary("kubelet"),
            cluster.kubeconfig,
            config,
            kubelet_dir / "root",
            kubelet_dir / "pki",
            name,
        ),
        log_path=node.work_dir / "kubelet.log",
    )
    node.kubelet = process
    process.start()
    with cluster.api_client() as api:
        wait_until(
            lambda: _node_ready(api, name),
            timeout=timeout,
            what=f"node {name} to be Ready",
            interval=0.5,
        )


@contextlib.contextmanager
def real_node(
    cluster: KubeCluster, work_dir: Path, images: list[Path], *, name: str = "kinema-node"
) -> Iterator[RealNode]:
    """containerd with ``images`` imported, and a Ready kubelet; stopped at the end."""
    node = start_containerd(work_dir)
    try:
        for archive in images:
            node.import_image(archive)
        start_kubelet(node, cluster, name)
        yield node
    except ServiceStartError as exc:
        raise ServiceStartError(f"{exc}\n{node.logs()}") from exc
    finally:
        node.stop()
