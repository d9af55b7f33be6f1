"""The files of ``kinema recommend``: the training CSV, the users list, the output.

Errors name the file, the line and what to change (``RecommendInputError``); the CLI
turns them into exit code 2.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

from kinema.errors import RecommendInputError
from kinema.recommend.model import Interaction

REQUIRED = ("user", "item", "timestamp")


def _number(value: str, *, what: str, path: Path, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        raise RecommendInputError(
            f"{path}, line {line}: {what} {value!r} is not a number"
        ) from None
    if not math.isfinite(number):
        raise RecommendInputError(f"{path}, line {line}: {what} {value!r} is not finite")
    return number


def read_train(path: Path) -> list[Interaction]:
    """Rows of ``user,item,timestamp[,weight]`` (header required; weight defaults to 1
    and must be positive; timestamps are any numbers that order events in time)."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise RecommendInputError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        if not header:
            raise RecommendInputError(f"{path} is empty; expected a header user,item,timestamp")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise RecommendInputError(
                f"{path}: missing column(s) {', '.join(missing)}; the header must be "
                f"user,item,timestamp[,weight], found {','.join(header)}"
            )
        reader.fieldnames = header
        has_weight = "weight" in header
        rows: list[Interaction] = []
        for row in reader:
            line = reader.line_num
            user, item = (row.get("user") or "").strip(), (row.get("item") or "").strip()
            if not user or not item:
                raise RecommendInputError(f"{path}, line {line}: user and item must be set")
            stamp = _number(row.get("timestamp") or "", what="timestamp", path=path, line=line)
            weight = 1.0
            if has_weight and (row.get("weight") or "").strip():
                weight = _number(row["weight"], what="weight", path=path, line=line)
                if weight <= 0:
                    raise RecommendInputError(
                        f"{path}, line {line}: weight {row['weight']!r} must be positive"
                    )
            rows.append(Interaction(user, item, stamp, weight))
    if not rows:
        raise RecommendInputError(f"{path} has a header but no interactions")
    return rows


def read_users(path: Path) -> list[str]:
    """One user id a line; blank lines are skipped, duplicates kept once (in order)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecommendInputError(f"cannot read {path}: {exc.strerror}") from exc
    users = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if not users:
        raise RecommendInputError(f"{path} lists no users; expected one user id a line")
    return users


def write_ranking(path: Path, rows: Iterable[tuple[str, str, int]]) -> int:
    """Write ``user,item,rank``; the number of rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user", "item", "rank"])
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
