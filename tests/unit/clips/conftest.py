"""The clips API on its embedded backends (SQLite, local files, in-process cache), with
a built shell (``index.html``) so ``/clip/<id>`` serves its card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.unit.social.helpers import Catalog, seed
from tests.utils.factories import build_api_context

SHELL = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="Kinema: films and series on your own server." />
    <title>Kinema</title>
  </head>
  <body><div id="root"></div></body>
</html>
"""


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data")
    yield context
    context.close()


@pytest.fixture
def client(ctx: AppContext, tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text(SHELL, encoding="utf-8")
    with TestClient(create_app(context=ctx, web_dist=dist)) as c:
        yield c


@pytest.fixture
def catalog(ctx: AppContext) -> Catalog:
    return seed(ctx)
