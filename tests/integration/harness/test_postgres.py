"""PostgreSQL from the harness: a real server that stores, returns and isolates data."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.utils.postgres_server import PostgresServer

pytestmark = pytest.mark.integration


def test_sql_round_trip(pg_url: str) -> None:
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)"))
            conn.execute(
                text("INSERT INTO notes (body) VALUES (:a), (:b)"), {"a": "first", "b": "zweite"}
            )
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, body FROM notes ORDER BY id")).all()
            version = conn.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "first"), (2, "zweite")]
    assert int(str(version).split(".")[0]) >= 15


def test_each_test_gets_an_empty_database(pg_url: str, postgres: PostgresServer) -> None:
    url = make_url(pg_url)
    assert url.database != postgres.dbname
    with psycopg.connect(postgres.dsn(url.database)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_new_and_dropped_databases(postgres: PostgresServer) -> None:
    url = postgres.new_database("harness_scratch")
    assert url.endswith("/harness_scratch")
    assert url.startswith("postgresql+psycopg://")

    def exists() -> bool:
        with psycopg.connect(postgres.dsn("postgres")) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_database WHERE datname = 'harness_scratch'"
            ).fetchone()
        return row == (1,)

    assert exists()
    # An open connection must not stop the drop (tests forget to close engines).
    lingering = psycopg.connect(postgres.dsn("harness_scratch"))
    try:
        postgres.drop_database("harness_scratch")
    finally:
        lingering.close()
    assert not exists()


def test_tcp_connections_need_the_password(postgres: PostgresServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=postgres.host,
            port=postgres.port,
            user=postgres.user,
            password="wrong",
            dbname=postgres.dbname,
            connect_timeout=5,
        )
    with psycopg.connect(postgres.dsn()) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (postgres.user,)
