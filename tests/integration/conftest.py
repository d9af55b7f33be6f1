"""Fixtures the integration modules share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.utils.factories import migrated_session


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    """A session on a freshly migrated catalog, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'kinema.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    with migrated_session(url) as s:
        yield s
