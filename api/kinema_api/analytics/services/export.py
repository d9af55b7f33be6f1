"""CSV export of the dashboard's tables: a list of rows (pydantic models) as CSV text,
one column per field, nested values flattened to their JSON-ish string."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _numeric(text) else text


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: Sequence[BaseModel], *, columns: Sequence[str]) -> str:
    """The header, then a line per row. No columns is a caller's mistake (a header-less
    file reads as empty in a spreadsheet, not as a table without rows)."""
    if not columns:
        raise ValueError("a CSV table needs at least one column")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump()
        writer.writerow([_cell(data.get(c)) for c in columns])
    return out.getvalue()
