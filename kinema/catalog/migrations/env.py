"""Alembic environment for the catalog; driven by ``kinema.catalog.migrate``."""

from __future__ import annotations

from typing import Any

from alembic import context

from kinema.catalog.db import create_db_engine, is_sqlite
from kinema.catalog.errors import MigrationError
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
    sqlite = is_sqlite(str(connection.engine.url))
    # SQLite alters a table by copying it, dropping the old one and renaming the copy
    # (Alembic's batch mode). With foreign keys enforced, that DROP deletes every row
    # that references the table first (ON DELETE CASCADE): rebuilding ``users`` would
    # take each account's profiles and subscriptions with it. Enforcement is off for
    # the migration (it only changes outside a transaction) and checked after it.
    if sqlite and _sqlite_pragma(connection, "foreign_keys=OFF", "foreign_keys") != 0:
        raise MigrationError("could not turn SQLite foreign keys off for the migration")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(
                        f"the migration left {len(broken)} rows whose reference points "
                        f"nowhere (first: {tuple(broken[0])}); nothing was changed"
                    )
    finally:
        if sqlite:
            _sqlite_pragma(connection, "foreign_keys=ON")


def _sqlite_pragma(connection: Any, pragma: str, read: str | None = None) -> Any:
    """Run a PRAGMA on the driver's connection, outside the BEGIN IMMEDIATE that
    SQLAlchemy's "begin" event (``kinema.catalog.db``) would open first; answer ``read``."""
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"PRAGMA {pragma}")
        if read is None:
            return None
        row = cursor.execute(f"PRAGMA {read}").fetchone()
        return row[0] if row else None
    finally:
        cursor.close()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `kinema migrate`")
run_migrations_online()
