"""The API against the harness's real services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s

from kinema_api.context import AppContext
from tests.utils.factories import build_api_context


@pytest.fixture
def cluster_ctx(
    tmp_path: Path, pg_url: str, redis_url: str, s3_env: Any, s3_prefix: str
) -> Iterator[AppContext]:
    """The API as a cluster runs it: PostgreSQL, Redis and S3."""
    ctx = _services_context(tmp_path, pg_url, redis_url, s3_env, s3_prefix)
    yield ctx
    ctx.close()


def _services_context(
    tmp_path: Path, pg_url: str, redis_url: str, s3_env: Any, s3_prefix: str, **extra: Any
) -> AppContext:
    return build_api_context(
        tmp_path / "data",
        database_url=pg_url,
        redis_url=redis_url,
        storage_url=f"s3://{s3_env.bucket}/{s3_prefix}",
        s3_endpoint_url=s3_env.endpoint_url,
        **extra,
    )


@pytest.fixture
def embedded_ctx(tmp_path: Path) -> Iterator[AppContext]:
    ctx = build_api_context(tmp_path / "data")
    yield ctx
    ctx.close()


@pytest.fixture
def kube_ctx(
    tmp_path: Path,
    pg_url: str,
    redis_url: str,
    s3_env: Any,
    s3_prefix: str,
    kube: Any,
    kube_namespace: str,
) -> Iterator[AppContext]:
    """Cluster mode: admin actions become Video resources in ``kube_namespace``."""
    ctx = _services_context(
        tmp_path, pg_url, redis_url, s3_env, s3_prefix,
        mode="cluster", kubeconfig=kube.kubeconfig, namespace=kube_namespace,
    )  # fmt: skip
    yield ctx
    ctx.close()


@pytest.fixture
def custom(kube: Any) -> Iterator[k8s.CustomObjectsApi]:
    with kube.api_client() as api:
        yield k8s.CustomObjectsApi(api)
