"""A real Kubernetes control plane without nodes: etcd + kube-apiserver (envtest style),
and on request kube-controller-manager. (Simulated nodes, with kube-scheduler, for scale
runs: :mod:`tests.utils.kwok_cluster`.)

Everything is Kubernetes' own code, built from Go modules by ``scripts/bootstrap``
(Kubernetes 1.35.4, etcd 3.6.5). The apiserver serves TLS with certificates from
``kube_pki``, authorizes with RBAC, and the harness talks to it as a client-certificate
user in ``system:masters``. The kubeconfig it writes works for the ``kubernetes`` Python
client and for kopf alike.

There is no kubelet: Pods are created (by the Job controller when it runs) but never
run, which is what operator tests need — they watch Jobs and Pods, not containers.
"""

from __future__ import annotations

import base64
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException

from tests.utils import binaries, kube_pki
from tests.utils.errors import ServiceStartError
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess, wait_until

CLUSTER_NAME = "kinema-test"


def etcd_command(etcd: Path, data_dir: Path, client_port: int, peer_port: int) -> list[str]:
    client_url = f"http://127.0.0.1:{client_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    return [
        str(etcd),
        "--name=kinema",
        f"--data-dir={data_dir}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=kinema={peer_url}",
        "--unsafe-no-fsync",
        "--log-level=warn",
    ]


def apiserver_command(
    apiserver: Path,
    pki: kube_pki.PkiFiles,
    cert_dir: Path,
    port: int,
    etcd_url: str,
    extra: Sequence[str] = (),
) -> list[str]:
    return [
        str(apiserver),
        f"--etcd-servers={etcd_url}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        f"--secure-port={port}",
        f"--cert-dir={cert_dir}",
        f"--tls-cert-file={pki.serving_cert}",
        f"--tls-private-key-file={pki.serving_key}",
        f"--client-ca-file={pki.ca_cert}",
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-account-key-file={pki.sa_pub}",
        f"--service-account-signing-key-file={pki.sa_key}",
        f"--service-cluster-ip-range={kube_pki.SERVICE_CIDR}",
        "--allow-privileged=true",
        # Flow control and profiling only cost CPU on a 2-core test machine.
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=0",
        *extra,
    ]


def controller_manager_command(
    kcm: Path,
    kubeconfig: Path,
    pki: kube_pki.PkiFiles,
    cert_dir: Path,
    port: int,
    extra: Sequence[str] = (),
) -> list[str]:
    return [
        str(kcm),
        f"--kubeconfig={kubeconfig}",
        "--bind-address=127.0.0.1",
        f"--secure-port={port}",
        f"--cert-dir={cert_dir}",
        "--leader-elect=false",
        "--controllers=*",
        f"--service-account-private-key-file={pki.sa_key}",
        f"--root-ca-file={pki.ca_cert}",
        f"--cluster-signing-cert-file={pki.ca_cert}",
        f"--cluster-signing-key-file={pki.ca_key}",
        "--use-service-account-credentials=false",
        "--profiling=false",
        "--v=0",
        *extra,
    ]


def kubeconfig_document(server: str, pki: kube_pki.ClusterPki) -> dict[str, Any]:
    """A kubeconfig with the CA and the admin client certificate embedded."""
    return user_kubeconfig_document(server, pki.ca.cert_pem, kube_pki.ADMIN_USER, pki.admin)


def user_kubeconfig_document(
    server: str, ca_pem: bytes, user: str, keys: kube_pki.KeyPair
) -> dict[str, Any]:
    """A kubeconfig with the CA and ``user``'s client certificate embedded."""

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "cluster": {"server": server, "certificate-authority-data": b64(ca_pem)},
            }
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": b64(keys.cert_pem),
                    "client-key-data": b64(keys.key_pem),
                },
            }
        ],
        "contexts": [
            {
                "name": CLUSTER_NAME,
                "context": {"cluster": CLUSTER_NAME, "user": user, "namespace": "default"},
            }
        ],
        "current-context": CLUSTER_NAME,
    }


def crd_documents(crd_dir: Path) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in ``crd_dir/*.yaml`` (multi-document files too)."""
    docs: list[dict[str, Any]] = []
    for path in sorted(crd_dir.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                docs.append(doc)
    return docs


def condition_true(obj: Any, type_: str) -> bool:
    """Whether a client model's ``status.conditions`` has ``type_`` with status True."""
    conditions = (obj.status and obj.status.conditions) or []
    return any(c.type == type_ and c.status == "True" for c in conditions)


def _established(crd: Any) -> bool:
    return condition_true(crd, "Established")


@dataclass
class KubeCluster:
    """etcd + kube-apiserver, and kube-controller-manager once ``start_controllers`` ran."""

    work_dir: Path
    server: str
    kubeconfig: Path
    pki: kube_pki.PkiFiles
    etcd: ServiceProcess
    apiserver: ServiceProcess
    controllers: ServiceProcess | None = field(default=None)

    def api_client(self) -> k8s.ApiClient:
        """A new ``kubernetes`` ApiClient (use it as a context manager to close it)."""
        api: k8s.ApiClient = k8s_config.new_client_from_config(config_file=str(self.kubeconfig))
        return api

    def user_kubeconfig(self, user: str, group: str | None, path: Path) -> Path:
        """Write a kubeconfig at ``path`` for ``user`` (in ``group``): a client certificate
        of its own, signed by the cluster's CA, so its requests carry that user name."""
        ca_pem = self.pki.ca_cert.read_bytes()
        keys = kube_pki.client_certificate(ca_pem, self.pki.ca_key.read_bytes(), user, group)
        path.write_text(yaml.safe_dump(user_kubeconfig_document(self.server, ca_pem, user, keys)))
        path.chmod(0o600)
        return path

    def ssl_context(self) -> ssl.SSLContext:
        """Trusts the cluster CA and presents the admin certificate (for httpx)."""
        ctx = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        ctx.load_cert_chain(str(self.pki.admin_cert), str(self.pki.admin_key))
        return ctx

    def apply_crds(self, crd_dir: Path, *, timeout: float = 30) -> list[str]:
        """Create (or replace) every CRD in ``crd_dir`` and wait until each is Established."""
        names: list[str] = []
        with self.api_client() as api:
            ext = k8s.ApiextensionsV1Api(api)
            # The client accepts plain dicts as bodies; its annotations only name models.
            body: Any
            for body in crd_documents(crd_dir):
                name = body["metadata"]["name"]
                try:
                    ext.create_custom_resource_definition(body=body)
                except ApiException as exc:
                    if exc.status != 409:
                        raise ServiceStartError(
                            f"kube-apiserver rejected CRD {name} from {crd_dir}: {exc.body}"
                        ) from exc
                    current: Any = ext.read_custom_resource_definition(name)
                    body["metadata"]["resourceVersion"] = current.metadata.resource_version
                    ext.replace_custom_resource_definition(name, body=body)
                names.append(name)
            for name in names:

                def established(crd_name: str = name) -> bool:
                    return _established(ext.read_custom_resource_definition(crd_name))

                wait_until(established, timeout=timeout, what=f"CRD {name} to be Established")
        return names

    def create_namespace(self, name: str) -> None:
        with self.api_client() as api:
            k8s.CoreV1Api(api).create_namespace(
                k8s.V1Namespace(metadata=k8s.V1ObjectMeta(name=name))
            )

    def delete_namespace(self, name: str) -> None:
        """Ask for deletion; without kube-controller-manager it stays Terminating."""
        with self.api_client() as api:
            try:
                k8s.CoreV1Api(api).delete_namespace(name, propagation_policy="Background")
            except ApiException as exc:
                if exc.status != 404:
                    raise

    def stop_controllers(self) -> None:
        if self.controllers is not None:
            self.controllers.stop()
            self.controllers = None

    def stop(self) -> None:
        self.stop_controllers()
        self.apiserver.stop()
        self.etcd.stop()


def _etcd_healthy(url: str) -> bool:
    response = httpx.get(f"{url}/health", timeout=2)
    return response.status_code == 200 and response.json().get("health") == "true"


def _https_ok(url: str, verify: ssl.SSLContext | bool) -> bool:
    return httpx.get(url, verify=verify, timeout=5).status_code == 200


def start_kube(
    work_dir: Path, *, timeout: float = 90, apiserver_args: Sequence[str] = ()
) -> KubeCluster:
    """Start etcd and kube-apiserver under ``work_dir``; return once /readyz is 200.

    ``apiserver_args`` are added to kube-apiserver's command line (an audit policy)."""
    etcd_bin = binaries.go_binary("etcd")
    apiserver_bin = binaries.go_binary("kube-apiserver")
    pki = kube_pki.make_cluster_pki()
    pki_files = kube_pki.write(pki, work_dir / "pki")

    client_port, peer_port, api_port = free_port(), free_port(), free_port()
    etcd_url = f"http://127.0.0.1:{client_port}"
    etcd = ServiceProcess(
        name="etcd",
        argv=etcd_command(etcd_bin, work_dir / "etcd", client_port, peer_port),
        log_path=work_dir / "etcd.log",
    )
    server = f"https://127.0.0.1:{api_port}"
    kubeconfig = work_dir / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(kubeconfig_document(server, pki)))
    kubeconfig.chmod(0o600)
    apiserver = ServiceProcess(
        name="kube-apiserver",
        argv=apiserver_command(
            apiserver_bin,
            pki_files,
            work_dir / "apiserver-certs",
            api_port,
            etcd_url,
            apiserver_args,
        ),
        log_path=work_dir / "kube-apiserver.log",
    )
    cluster = KubeCluster(work_dir, server, kubeconfig, pki_files, etcd, apiserver)
    try:
        etcd.start()
        etcd.wait_ready(lambda: _etcd_healthy(etcd_url), timeout=30)
        apiserver.start()
        ctx = cluster.ssl_context()
        apiserver.wait_ready(lambda: _https_ok(f"{server}/readyz", ctx), timeout=timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _default_service_account_exists(cluster: KubeCluster) -> bool:
    with cluster.api_client() as api:
        try:
            k8s.CoreV1Api(api).read_namespaced_service_account("default", "default")
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise
    return True


def start_controllers(
    cluster: KubeCluster, *, timeout: float = 60, extra_args: Sequence[str] = ()
) -> ServiceProcess:
    """Start kube-controller-manager; ready once healthy and its controllers act.

    The proof that controllers run is the ``default`` ServiceAccount, which only the
    service-account controller creates, and which Pods need before they are admitted.
    ``extra_args`` are added to its command line (client rate limits, worker counts).
    """
    if cluster.controllers is not None:
        return cluster.controllers
    kcm_bin = binaries.go_binary("kube-controller-manager")
    port = free_port()
    process = ServiceProcess(
        name="kube-controller-manager",
        argv=controller_manager_command(
            kcm_bin,
            cluster.kubeconfig,
            cluster.pki,
            cluster.work_dir / "kcm-certs",
            port,
            extra_args,
        ),
        log_path=cluster.work_dir / "kube-controller-manager.log",
    )
    cluster.controllers = process
    process.start()
    # Its serving certificate is self-signed; only liveness is checked here.
    process.wait_ready(lambda: _https_ok(f"https://127.0.0.1:{port}/healthz", False), timeout=30)
    process.wait_ready(lambda: _default_service_account_exists(cluster), timeout=timeout)
    return process
