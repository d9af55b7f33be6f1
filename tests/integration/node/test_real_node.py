"""One Video end to end in real pods: a real kubelet, containerd and runc, the real image.

Every other operator test stands in for the node. Here the Jobs the operator makes are
run the way a cluster runs them (:mod:`tests.utils.real_node`): kube-scheduler binds
the pods to a node registered by a real kubelet; the kubelet has containerd's CRI
plugin start a pod sandbox (the bridge CNI plugin gives it an address) and the
container, from the Kinema image built by ``scripts/build-image.sh`` with this
checkout's packages laid over it (``scripts/node-images.sh``). The pods reach S3 on
the host's bridge address; the operator runs in-process as in the other tests.

Asserted: the Video goes Ready; probe, transcode (Indexed, two chunks) and package ran
as containers of that image on that node, with pod addresses from the node's subnet;
the output in S3 is complete, playable HLS + DASH.

Needs root, containerd, runc, the CNI plugins, the kubelet and the cached image
(``scripts/bootstrap`` provides all of them as root); without one the test is skipped
and says which, except in CI, where it fails.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.operator.conftest import TINY_LADDER
from tests.utils import oci_image, real_node
from tests.utils.kube_cluster import KubeCluster, start_controllers, start_kube
from tests.utils.kwok_cluster import start_scheduler
from tests.utils.media import Source, make_source
from tests.utils.procs import ServiceProcess
from tests.utils.s3_server import S3Server, start_s3

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
GROUP, VERSION = "kinema.dev", "v1alpha1"
NAMESPACE = "media"
SITE_PACKAGES = "opt/venv/lib/python3.11/site-packages"
# The four packages of the wheel (pyproject's tool.hatch.build.targets.wheel).
PACKAGES = {
    "kinema": REPO / "kinema",
    "kinema_operator": REPO / "operator" / "kinema_operator",
    "kinema_api": REPO / "api" / "kinema_api",
    "kinema_transcoder": REPO / "transcoder_image" / "kinema_transcoder",
}
# The operator tests' tiny ladder (two low rungs, two chunks) with the default trickplay
# interval: chunk 1 then holds no thumbnail, the case this test once caught failing.
LADDER = {key: value for key, value in TINY_LADDER.items() if key != "trickplay"}


def base_archive() -> Path:
    out = subprocess.run(
        ["bash", str(REPO / "scripts" / "node-images.sh"), "--print-path"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(out.stdout.strip())


def _requirements() -> list[str]:
    missing = real_node.missing_requirements()
    if not base_archive().exists():
        missing.append(f"the cached Kinema image {base_archive()} (scripts/node-images.sh)")
    return missing


def checkout_layer() -> oci_image.Layer:
    """This checkout's four packages, replacing the image's (no byte code, no caches)."""
    files: dict[str, tuple[bytes, int]] = {}
    for name, source in PACKAGES.items():
        for path in sorted(source.rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            target = f"{SITE_PACKAGES}/{name}/{path.relative_to(source).as_posix()}"
            files[target] = (path.read_bytes(), 0o644)
    return oci_image.layer(files, opaque_dirs=[f"{SITE_PACKAGES}/{name}" for name in PACKAGES])


@dataclass
class Node:
    kube: KubeCluster
    node: real_node.RealNode
    s3: S3Server
    image: str


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    missing = _requirements()
    if missing:
        reason = "a real node needs " + "; ".join(missing)
        # scripts/bootstrap installs all of it in CI: there a gap is a failure, not a skip.
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from tests.utils import binaries

    work = tmp_path_factory.mktemp("real-node")
    pause = work / "pause.tar"
    oci_image.single_file_image(
        pause, real_node.PAUSE_IMAGE, binaries.go_binary("kinema-pause").read_bytes(), "/pause"
    )
    top = checkout_layer()
    image = f"localhost/kinema:checkout-{top.diff_id.split(':')[1][:12]}"
    kinema = work / "kinema.tar"
    oci_image.extend_image(base_archive(), kinema, image, top, "COPY this checkout's packages")
    real_node.ensure_bridge()
    kube = start_kube(work / "kube")
    scheduler: ServiceProcess | None = None
    s3: S3Server | None = None
    try:
        kube.apply_crds(REPO / "crds")
        start_controllers(kube)
        scheduler = start_scheduler(kube, work / "kube")
        s3 = start_s3(work / "s3", host=real_node.GATEWAY)
        with real_node.real_node(kube, work / "node", [pause, kinema]) as running:
            yield Node(kube, running, s3, image)
    finally:
        for process in (s3, scheduler):
            if process is not None:
                process.stop()
        kube.stop()


def _pods(kube: KubeCluster) -> list[Any]:
    from kubernetes import client as k8s

    with kube.api_client() as api:
        found: list[Any] = k8s.CoreV1Api(api).list_namespaced_pod(NAMESPACE).items
    return found


def _report(kube: KubeCluster, running: real_node.RealNode) -> str:
    """Each Job's conditions, each pod's phase and what its container said when it
    ended, and the node's logs."""
    from kubernetes import client as k8s

    lines = []
    with kube.api_client() as api:
        jobs: list[Any] = k8s.BatchV1Api(api).list_namespaced_job(NAMESPACE).items
        for job in jobs:
            states = [
                f"{c.type}={c.status} {c.reason}: {c.message}" for c in job.status.conditions or []
            ]
            lines.append(f"job {job.metadata.name}: {'; '.join(states) or 'running'}")
    for pod in _pods(kube):
        lines.append(f"pod {pod.metadata.name}: {pod.status.phase}")
        for status in pod.status.container_statuses or []:
            ended = status.state.terminated
            if ended is not None:
                lines.append(f"  exit {ended.exit_code} {ended.reason}: {ended.message}")
            elif status.state.waiting is not None:
                lines.append(
                    f"  waiting: {status.state.waiting.reason} {status.state.waiting.message}"
                )
    return "\n".join([*lines, running.logs()])


def test_a_video_is_probed_transcoded_and_packaged_in_real_pods(
    node: Node, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    import kubernetes.config.kube_config
    from kubernetes import client as k8s

    from kinema.catalog import migrate
    from tests.integration.transcoder.conftest import check_output
    from tests.utils.operator_run import conditions_of, operator, video

    kube, s3 = node.kube, node.s3
    source = make_source(Source(size="320x180", rate="24", duration=2.0), tmp_path)
    s3.client().upload_file(str(source), s3.bucket, "sources/clip.mp4")
    migrate.upgrade(pg_url)
    for key, value in {
        **s3.env(),
        "KUBECONFIG": str(kube.kubeconfig),
        "KINEMA_DATABASE_URL": pg_url,
        "KINEMA_STORAGE_URL": f"s3://{s3.bucket}",
        "KINEMA_OPERATOR_IMAGE": node.image,
        "KINEMA_OPERATOR_IMAGE_PULL_POLICY": "Never",
        "KINEMA_OPERATOR_JOB_ENV_SECRET": "object-store",
        "KINEMA_OPERATOR_RESYNC_INTERVAL_S": "1",
        "KINEMA_OPERATOR_METRICS_PORT": "0",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(
        kubernetes.config.kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kube.kubeconfig)
    )
    # boto3's default session keeps the credentials it first resolved: an earlier test in
    # this process may have used another S3 server's. A fresh one reads this test's.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    kube.create_namespace(NAMESPACE)
    with kube.api_client() as api:
        core: Any = k8s.CoreV1Api(api)
        custom: Any = k8s.CustomObjectsApi(api)
        # What a cluster's Secret gives the Jobs (the chart's objectStore.existingSecret).
        secret = {
            "metadata": {"name": "object-store"},
            "stringData": {
                "AWS_ACCESS_KEY_ID": s3.access_key,
                "AWS_SECRET_ACCESS_KEY": s3.secret_key,
                "AWS_DEFAULT_REGION": s3.region,
            },
        }
        core.create_namespaced_secret(NAMESPACE, secret)
        ladder = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Ladder",
                  "metadata": {"name": "small"}, "spec": LADDER}  # fmt: skip
        custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "ladders", ladder)
        body = video("clip", f"s3://{s3.bucket}/sources/clip.mp4", ladderRef={"name": "small"})
        started = time.monotonic()
        with operator(NAMESPACE):
            custom.create_namespaced_custom_object(GROUP, VERSION, NAMESPACE, "videos", body)
            deadline = started + 420
            while True:
                obj = custom.get_namespaced_custom_object(
                    GROUP, VERSION, NAMESPACE, "videos", "clip"
                )
                conditions = conditions_of(obj)
                if conditions.get("Failed", {}).get("status") == "True":
                    message = conditions["Failed"].get("message")
                    pytest.fail(f"the Video failed: {message}\n{_report(kube, node.node)}")
                if conditions.get("Ready", {}).get("status") == "True":
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"not Ready after {deadline - started:.0f}s: {obj.get('status')}"
                                f"\n{_report(kube, node.node)}")  # fmt: skip
                time.sleep(1)
        elapsed = time.monotonic() - started

    pods = _pods(kube)
    steps = sorted(p.metadata.labels.get("kinema.dev/step", "?") for p in pods)
    assert steps == ["package", "probe", "transcode", "transcode"], steps
    subnet = ipaddress.ip_network(real_node.SUBNET)
    for pod in pods:
        assert pod.status.phase == "Succeeded", (pod.metadata.name, pod.status)
        assert pod.spec.node_name == node.node.name
        assert ipaddress.ip_address(pod.status.pod_ip) in subnet, pod.status.pod_ip
        (container,) = pod.status.container_statuses
        assert container.container_id.startswith("containerd://"), container.container_id
        assert container.image.endswith(node.image.split("/", 1)[1]), container.image
        assert container.state.terminated.exit_code == 0
    output = obj["status"]["output"]
    prefix = output.removeprefix(f"s3://{s3.bucket}/").rstrip("/") + "/"
    out = tmp_path / "out"
    assert s3.download(prefix, out), f"nothing under {output}"
    report = check_output(out, source)
    assert report["chunks"] == 2
    assert sorted(r["height"] for r in report["renditions"] if r["kind"] == "video") == [144, 180]
    digest = hashlib.sha256((out / "master.m3u8").read_bytes()).hexdigest()[:12]
    print(f"\nreal node: Video Ready in {elapsed:.1f}s; {len(pods)} pods; master {digest}")
