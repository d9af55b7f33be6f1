"""Engines and sessions for the catalog database.

PostgreSQL is reached through psycopg 3 (``postgresql://`` URLs are mapped to the
``postgresql+psycopg`` driver). SQLite gets WAL, foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` transactions: the worker pool and the API write from several
threads, and an immediate write lock turns SQLite's lock-upgrade failures into a
short wait instead of an error. Hot read-only paths (serving media) opt out with
:func:`begin_readonly`, so they never queue behind writers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option marking a transaction that only reads (hot read paths on SQLite
# then take no write lock). See :func:`begin_readonly`.
READONLY = "kinema_readonly"


def normalize_url(url: str) -> str:
    """Pick psycopg 3 for PostgreSQL URLs that name no driver."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if database and database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_readonly(session: Session) -> None:
    """Start ``session``'s transaction as read-only (call before its first query).

    On SQLite this is a plain deferred ``BEGIN`` that never waits for writers; on
    PostgreSQL it changes nothing.
    """
    session.connection(execution_options={READONLY: True})
