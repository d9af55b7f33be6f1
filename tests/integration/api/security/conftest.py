"""Fixtures of the security regressions: one stack per backend the finding involves.

Each test replays an attack as it was reported against a real stack (embedded SQLite +
local files, and PostgreSQL + Redis where the finding involves the database or the cache)
and asserts the refusal. Findings 2, 3, 8, 13 (posters) and 16 have their own modules
(``../test_sqlite_concurrency.py``, ``../test_client_ip.py``,
``tests/.../test_source_policy.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import build_api_context


@pytest.fixture(params=["embedded", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    """The API's context on SQLite + in-process cache, or PostgreSQL + Redis."""
    if request.param == "postgres":
        ctx = build_api_context(
            tmp_path / "data",
            database_url=request.getfixturevalue("pg_url"),
            redis_url=request.getfixturevalue("redis_url"),
        )
    else:
        ctx = build_api_context(tmp_path / "data")
    yield ctx
    ctx.close()


@pytest.fixture
def client(stack: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=stack, web_dist=None)) as c:
        yield c
