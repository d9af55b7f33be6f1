"""PostgreSQL restarted under the API: while it is down every request that needs it gets
503 ``database_unavailable`` with ``Retry-After`` (never a 500), and once it is back the
same app serves again, reads and writes, without a restart of its own."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import build_api_context
from tests.utils.postgres_server import PostgresServer, start_postgres

pytestmark = pytest.mark.integration


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this test's own: the session's is shared and must not go down."""
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def ctx(own_postgres: PostgresServer, tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data", database_url=own_postgres.url)
    yield context
    context.close()


def _signup(client: TestClient) -> int:
    body = {"email": f"r-{uuid.uuid4().hex[:10]}@example.com", "password": "correct horse"}
    return client.post("/api/v1/auth/signup", json=body).status_code


def test_a_restart_gives_503_with_retry_after_then_serves_again(
    own_postgres: PostgresServer, ctx: AppContext
) -> None:
    with TestClient(create_app(context=ctx, web_dist=None), raise_server_exceptions=False) as c:
        assert c.get("/api/v1/titles").status_code == 200
        assert _signup(c) == 201

        own_postgres.process.stop()  # the pool's connections are now dead too
        for _ in range(3):
            down = c.get("/api/v1/titles")
            assert down.status_code == 503, down.text
            assert down.json()["code"] == "database_unavailable"
            assert int(down.headers["Retry-After"]) > 0
        assert _signup(c) == 503

        own_postgres.process.start()

        def answers() -> bool:
            with psycopg.connect(own_postgres.dsn(), connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)

        own_postgres.process.wait_ready(answers, timeout=60)
        deadline = time.monotonic() + 10
        status = 0
        while time.monotonic() < deadline:
            status = c.get("/api/v1/titles").status_code
            if status == 200:
                break
            assert status == 503
            time.sleep(0.2)
        assert status == 200
        assert _signup(c) == 201
