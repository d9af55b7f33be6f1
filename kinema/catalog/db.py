"""Engines and sessions for the catalog database.

PostgreSQL is reached through psycopg 3 (``postgresql://`` URLs are mapped to the
``postgresql+psycopg`` driver). SQLite gets WAL, foreign keys, a busy timeout and
``BEGIN IMMEDIATE`` transactions: the worker pool and the API write from several
threads, and an immediate write lock turns SQLite's lock-upgrade failures into a
short wait instead of an error.

SQLite has one writer at a time, so who waits for that lock, and for how long, is
decided per transaction by two execution options (set on a connection, or on an
engine variant from :func:`engine_variant` that a session is bound to):

- :data:`READONLY`: a plain deferred ``BEGIN``. In WAL mode readers never wait for
  the writer, so page views never queue behind an upload or a transcode's bookkeeping.
- :data:`LOCK_TIMEOUT`: how many seconds a write transaction waits for the lock
  (``PRAGMA busy_timeout``) before SQLite answers "database is locked". The worker pool
  keeps the long default; the API, which has a client waiting, asks for a few seconds
  and turns the error into a 503 (:func:`is_lock_timeout` recognises it).

:func:`write_briefly` runs optional bookkeeping (a session's ``last_seen_at``) in its
own short transaction that gives up at once when the lock is busy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_POOL_SIZE = 16
SQLITE_MAX_OVERFLOW = 240
# Execution option marking a transaction that only reads (hot read paths on SQLite
# then take no write lock). See :func:`begin_readonly`.
READONLY = "kinema_readonly"
# Execution option: seconds a write transaction waits for SQLite's write lock (on
# PostgreSQL, for row locks: ``lock_timeout``). Unset: SQLITE_BUSY_TIMEOUT_MS.
LOCK_TIMEOUT = "kinema_lock_timeout_s"
# The connection-record key remembering the busy timeout last set on a connection.
_BUSY_MS = "kinema_busy_timeout_ms"
# SQLSTATE of PostgreSQL's "canceling statement due to lock timeout".
_PG_LOCK_NOT_AVAILABLE = "55P03"
# PostgreSQL going away or not taking connections yet: admin_shutdown, crash_shutdown,
# cannot_connect_now, and the whole connection_exception class (08xxx).
_PG_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03"})


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
    if database and database != ":memory:":
        # A connection per concurrent request: WAL readers do not block one another, and
        # a pool smaller than the API's thread pool deadlocks under load (threads waiting
        # for a connection while requests that hold one wait for a thread). Idle ones
        # above pool_size are closed; an SQLite connection is a file handle, cheap to open.
        kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
        kwargs.setdefault("max_overflow", SQLITE_MAX_OVERFLOW)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
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
        record.info[_BUSY_MS] = SQLITE_BUSY_TIMEOUT_MS

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(READONLY, False):
            conn.exec_driver_sql("BEGIN")  # WAL readers never wait for the writer
            return
        # Pooled connections are shared by the API and the worker pool: each write
        # transaction sets the wait it wants (only when it differs from the last one).
        wait_s = options.get(LOCK_TIMEOUT)
        busy_ms = SQLITE_BUSY_TIMEOUT_MS if wait_s is None else max(0, int(wait_s * 1000))
        if conn.info.get(_BUSY_MS) != busy_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            conn.info[_BUSY_MS] = busy_ms
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # Every writer's sessions bump the catalog's version (imported here: it needs the
    # models, which need this module).
    from kinema.catalog import version

    version.install()
    return sessionmaker(engine, expire_on_commit=False)


def begin_readonly(session: Session) -> None:
    """Start ``session``'s transaction as read-only (call before its first query).

    On SQLite this is a plain deferred ``BEGIN`` that never waits for writers; on
    PostgreSQL it changes nothing.
    """
    session.connection(execution_options={READONLY: True})


def engine_variant(
    engine: Engine, *, readonly: bool = False, lock_timeout_s: float | None = None
) -> Engine:
    """``engine`` (same pool, same connections) whose every transaction is read-only, or
    waits at most ``lock_timeout_s`` for the write lock. Bind a session to it to give all
    of that session's transactions the behaviour. Cheap (a few microseconds): no copy of
    the pool is made, so a variant per request costs nothing worth caching.
    """
    return engine.execution_options(**{READONLY: readonly, LOCK_TIMEOUT: lock_timeout_s})


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database server cannot be reached right now (restarting,
    shutting down, refusing connections, or a connection it dropped): worth a retry, not
    a server error. SQLite, a file, has no such state."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return state.startswith("08") or state in _PG_UNAVAILABLE
    # psycopg reports a refused or broken connection with no SQLSTATE at all.
    return type(orig).__module__.startswith("psycopg") and isinstance(
        exc, OperationalError | InterfaceError
    )


def is_lock_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` is the database giving up on a lock: SQLite's "database is
    locked" (its busy timeout ran out) or PostgreSQL's ``lock_timeout``."""
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_LOCK_NOT_AVAILABLE:
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


def write_briefly(
    bind: Engine | Connection, work: Callable[[Connection], object], *, lock_timeout_s: float
) -> bool:
    """Run ``work`` in its own write transaction that waits at most ``lock_timeout_s``
    for the lock; False (nothing written) when it did not get it in time.

    For bookkeeping a request may skip (it is retried by a later one), never for data a
    client asked to store. Call it with no write transaction open on this thread's
    connections to the same SQLite file, or it waits for itself until the timeout.
    """
    engine = bind.engine if isinstance(bind, Connection) else bind
    variant = engine_variant(engine, lock_timeout_s=lock_timeout_s)
    try:
        with variant.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    f"SET LOCAL lock_timeout = {max(1, int(lock_timeout_s * 1000))}"
                )
            work(conn)
    except OperationalError as exc:
        if is_lock_timeout(exc):
            return False
        raise
    return True
