"""What every rollup table's ingest shares: bucket starts, and adding counts to rows
with ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (PostgreSQL and SQLite)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_CHUNK = 5000


def bucket_of(at: datetime, grain: str) -> datetime:
    if grain == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def insert_for(session: Session, table: Any) -> Any:
    """An ``INSERT`` that speaks ``ON CONFLICT`` on the session's database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def upsert_counts(
    session: Session, model: Any, rows: list[dict[str, Any]], counts: Sequence[str]
) -> None:
    """Add ``rows``' counts to the rows with their keys, creating those missing. Rows are
    written in key order, so concurrent batches take row locks in the same order."""
    if not rows:
        return
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    rows.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    stmt = insert_for(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + stmt.excluded[c] for c in counts}
    )
    # One compiled statement, executed for many rows (batched into multi-row VALUES
    # by the driver layer): compiling a statement per chunk of literal rows costs more.
    for start in range(0, len(rows), _CHUNK):
        session.execute(stmt, rows[start : start + _CHUNK])
