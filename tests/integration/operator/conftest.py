"""Fixtures for operator tests: the test-only kubelet and small sources in S3.

``fake_kubelet`` runs the Pods of the test's namespace (see :mod:`tests.utils.kubelet`)
with the S3 server's credentials as the Pods' base environment, as the Secret named by
``KINEMA_JOB_ENV_FROM_SECRET`` would supply them in a cluster. ``tiny_source`` is a
2-second 320x180 clip with one audio track uploaded under the test's S3 prefix;
``corrupt_source`` is a file that is not media at all. ``dists`` reads and writes the
Distributions of the test's namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.operator.distributions import Distributions
from tests.utils.kube_cluster import KubeCluster
from tests.utils.kubelet import FakeKubelet
from tests.utils.media import Source, make_source
from tests.utils.operator_run import configure_operator
from tests.utils.s3_server import S3Server

# Two low rungs and two chunks: a real Indexed Job and a package step, in seconds.
TINY_LADDER = {
    "segmentSeconds": 1,
    "gopSeconds": 1,
    "preset": "ultrafast",
    "rungs": [
        {"height": 144, "width": 256, "bitrateKbps": 120},
        {"height": 180, "width": 320, "bitrateKbps": 200},
    ],
    "audio": {"bitrateKbps": 64},
    "chunking": {"chunks": 2},
    "retry": {"backoffLimit": 0},
    "trickplay": {"intervalSeconds": 1, "tileWidth": 64, "columns": 2, "rows": 2},
}


@pytest.fixture
def fake_kubelet(
    kube_controllers: KubeCluster, kube_namespace: str, s3: S3Server, tmp_path: Path
) -> Iterator[FakeKubelet]:
    """A fake node running the Pods of ``kube_namespace`` (one GPU advertised)."""
    with (
        kube_controllers.api_client() as api,
        FakeKubelet(
            api, [kube_namespace], tmp_path / "kubelet", base_env=s3.env(), gpus=1
        ) as kubelet,
    ):
        yield kubelet
        kubelet.raise_errors()


@pytest.fixture(scope="session")
def tiny_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_source(
        Source(size="320x180", rate="24", duration=2.0), tmp_path_factory.mktemp("media")
    )


@pytest.fixture
def tiny_source(s3: S3Server, s3_prefix: str, tiny_media: Path) -> str:
    """``s3://`` URL of a 2 s 320x180 clip (H.264 + AAC)."""
    key = f"{s3_prefix}sources/tiny.mp4"
    s3.client().upload_file(str(tiny_media), s3.bucket, key)
    return f"s3://{s3.bucket}/{key}"


@pytest.fixture
def corrupt_source(s3: S3Server, s3_prefix: str) -> str:
    """``s3://`` URL of an .mp4 that holds no media."""
    key = f"{s3_prefix}sources/corrupt.mp4"
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=b"\x00not a movie\x00" * 64)
    return f"s3://{s3.bucket}/{key}"


@pytest.fixture
def operator_settings(
    kube_env: KubeCluster, s3_env: S3Server, s3_prefix: str, pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:  # fmt: skip
    """The operator's settings pointed at this test's S3 prefix and database."""
    return configure_operator(monkeypatch, s3_env, s3_prefix, pg_url)


@pytest.fixture
def dists(kube_env: Any, kube_namespace: str) -> Any:
    found = Distributions(kube_env, kube_namespace)
    yield found
    found.close()
