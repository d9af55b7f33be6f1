"""The social API on its embedded backends (SQLite, local files, in-process cache)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.unit.social.helpers import Catalog, seed
from tests.utils.factories import build_api_context


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data")
    yield context
    context.close()


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=ctx, web_dist=None)) as c:
        yield c


@pytest.fixture
def catalog(ctx: AppContext) -> Catalog:
    return seed(ctx)
