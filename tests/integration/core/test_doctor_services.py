"""`kinema doctor` reaches the real services when settings point at them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema import doctor
from kinema.settings import Settings
from tests.utils.kube_cluster import KubeCluster
from tests.utils.redis_server import RedisServer
from tests.utils.s3_server import S3Server

pytestmark = pytest.mark.integration


def test_every_configured_service_is_reached(
    tmp_path: Path,
    pg_url: str,
    redis_server: RedisServer,
    s3_env: S3Server,
    kube: KubeCluster,
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_url,
        redis_url=redis_server.url,
        storage_url=f"s3://{s3_env.bucket}/doctor",
        s3_endpoint_url=s3_env.endpoint_url,
        kubeconfig=kube.kubeconfig,
    )
    rows = {
        c.name: c
        for c in (
            doctor.check_database(settings),
            doctor.check_redis(settings),
            doctor.check_object_store(settings),
            doctor.check_kubernetes(settings),
        )
    }
    assert {name: row.state for name, row in rows.items()} == {
        "database": doctor.State.OK,
        "redis": doctor.State.OK,
        "object store": doctor.State.OK,
        "kubernetes": doctor.State.OK,
    }, rows
    assert "server 15" in rows["database"].detail or "server 1" in rows["database"].detail
    assert "v1.35" in rows["kubernetes"].detail
    assert s3_env.bucket in rows["object store"].detail
