"""A throwaway PostgreSQL cluster: ``initdb`` in a temp dir, ``postgres`` on a free port.

The cluster is tuned for tests, not durability (no fsync, no full-page writes), listens
on 127.0.0.1 only and requires a password over TCP (scram-sha-256), like production.

PostgreSQL refuses to run as root, so when the harness runs as root the data directory
is handed to Debian's ``postgres`` account and both ``initdb`` and ``postgres`` run as
it. That directory comes from ``tempfile`` rather than pytest's ``tmp_path``: pytest's
base temp dir is private to its owner, so ``postgres`` could not enter it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tests.utils import binaries
from tests.utils.errors import HarnessError
from tests.utils.ports import free_port
from tests.utils.procs import RunAs, ServiceProcess, run_checked

SUPERUSER = "kinema"
DEFAULT_DB = "kinema"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Durability is pointless for a database that lives one test session.
TEST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}


def initdb_command(initdb: Path, data_dir: Path, pwfile: Path) -> list[str]:
    return [
        str(initdb),
        f"--pgdata={data_dir}",
        f"--username={SUPERUSER}",
        f"--pwfile={pwfile}",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
    ]


def postgres_command(postgres: Path, data_dir: Path, socket_dir: Path, port: int) -> list[str]:
    argv = [
        str(postgres),
        "-D",
        str(data_dir),
        "-p",
        str(port),
        "-h",
        "127.0.0.1",
        "-k",
        str(socket_dir),
    ]
    for name, value in TEST_SETTINGS.items():
        argv += ["-c", f"{name}={value}"]
    return argv


def sqlalchemy_url(user: str, password: str, host: str, port: int, dbname: str) -> str:
    return f"postgresql+psycopg://{user}:{password}@{host}:{port}/{dbname}"


@dataclass
class PostgresServer:
    """A running cluster; ``url`` points at its ``kinema`` database."""

    process: ServiceProcess
    base_dir: Path
    host: str
    port: int
    user: str
    password: str
    dbname: str = DEFAULT_DB

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the session's default database."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        return sqlalchemy_url(self.user, self.password, self.host, self.port, dbname)

    def dsn(self, dbname: str | None = None) -> str:
        """A libpq connection string (for psycopg or psql) to ``dbname``."""
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={dbname or self.dbname}"
        )

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.dsn("postgres"), autocommit=True, connect_timeout=5)

    def new_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        _check_name(name)
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever connections a test left open to it."""
        _check_name(name)
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        self.process.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)


def _check_name(name: str) -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"database name {name!r} must match {_DB_NAME.pattern}")


def _run_as() -> RunAs | None:
    return RunAs("postgres", "postgres") if os.getuid() == 0 else None


def _private_dir(run_as: RunAs | None) -> Path:
    base = Path(tempfile.mkdtemp(prefix="kinema-pg-"))
    if run_as is not None:
        shutil.chown(base, run_as.user, run_as.group)
    return base


def start_postgres(*, timeout: float = 60) -> PostgresServer:
    """initdb, start the server, wait until it answers SQL, create the ``kinema`` DB."""
    initdb = binaries.postgres_binary("initdb")
    postgres = binaries.postgres_binary("postgres")
    run_as = _run_as()
    base = _private_dir(run_as)
    process: ServiceProcess | None = None
    try:
        password = secrets.token_urlsafe(16)
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        if run_as is not None:
            shutil.chown(pwfile, run_as.user, run_as.group)
        data_dir = base / "data"
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        run_checked(initdb_command(initdb, data_dir, pwfile), what="initdb", run_as=run_as, env=env)
        pwfile.unlink()
        port = free_port()
        process = ServiceProcess(
            name="postgres",
            argv=postgres_command(postgres, data_dir, base, port),
            log_path=base / "postgres.log",
            env=env,
            cwd=base,
            run_as=run_as,
            # SIGINT is PostgreSQL's "fast" shutdown; SIGTERM would wait for clients.
            stop_signal=signal.SIGINT,
        )
        server = PostgresServer(process, base, "127.0.0.1", port, SUPERUSER, password)
        process.start()

        def answers_sql() -> bool:
            with psycopg.connect(server.dsn("postgres"), connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)

        process.wait_ready(answers_sql, timeout=timeout)
        server.new_database(DEFAULT_DB)
    except (HarnessError, OSError, psycopg.Error):
        if process is not None:
            process.stop()
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server
