"""Alembic environment for the catalog; driven by ``kinema.catalog.migrate``."""

from __future__ import annotations

from typing import Any

from alembic import context

from kinema.catalog.db import create_db_engine, is_sqlite
from kinema.catalog.models import Base
from kinema.catalog.search import include_object

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or ""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=is_sqlite(str(connection.engine.url)),
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `kinema migrate`")
run_migrations_online()
