"""Running the catalog's Alembic migrations: before start, never inside a request.

``kinema migrate`` and ``kinema up`` call :func:`upgrade`; the Helm chart runs the same
command as a pre-install/pre-upgrade hook. :func:`pending_changes` compares the models
with the migrated schema (tests use it to prove the migrations match the models).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from kinema.catalog.db import create_db_engine, normalize_url
from kinema.catalog.errors import MigrationError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation treats % specially (URL-encoded passwords have it).
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``; wraps failures in MigrationError."""
    try:
        command.upgrade(alembic_config(url), revision)
    except Exception as exc:
        raise MigrationError(f"migrating the catalog database failed: {exc}") from exc


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise MigrationError("the catalog has no migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_up_to_date(url: str) -> bool:
    engine = create_db_engine(url)
    try:
        return current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def pending_changes(url: str) -> list[Any]:
    """Differences between the models and the migrated schema (empty when in sync)."""
    from kinema.catalog.models import Base
    from kinema.catalog.search import include_object

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()
