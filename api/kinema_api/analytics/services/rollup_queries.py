"""Reading the rollups: filters, grouped sums, startup histograms, and the figures made
from them (percentiles by nearest rank over the 10 ms histogram; ratios of sums).

Every query here reads the rollup tables only; none touches ``playback_events``.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import PlaybackRollup, StartupRollup
from kinema.catalog.services.rollup_upsert import bucket_of
from kinema.catalog.services.rollups import COUNTS
from kinema_api.analytics.schemas import Dimension, Grain, QoeFigures

Sums = Mapping[str, float]
Histogram = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class Filters:
    """A date range and the dimensions to keep. The range is read in whole buckets of
    ``grain``: from the one holding ``start`` to those beginning before ``end``."""

    start: datetime
    end: datetime
    grain: Grain = Grain.DAY
    title_id: uuid.UUID | None = None
    video_id: uuid.UUID | None = None
    plan: str | None = None
    browser: str | None = None
    rung: str | None = None

    def where(self, model: Any) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = [
            model.grain == self.grain.value,
            model.bucket >= bucket_of(self.start, self.grain.value),
            model.bucket < self.end,
        ]
        for name in ("title_id", "video_id", "plan", "browser", "rung"):
            value = getattr(self, name)
            if value is not None:
                out.append(getattr(model, name) == value)
        return out


def group_column(model: Any, by: Dimension | None) -> Any:
    if by is None:
        return None
    return getattr(model, "title_id" if by is Dimension.TITLE else by.value)


def sums(
    session: Session, f: Filters, *, by: Sequence[Any] = ()
) -> dict[tuple[Any, ...], dict[str, float]]:
    """The rollup columns summed over ``f``, per value of the ``by`` columns."""
    m = PlaybackRollup
    columns = [func.coalesce(func.sum(getattr(m, c)), 0) for c in COUNTS]
    stmt = select(*by, *columns).where(*f.where(m))
    if by:
        stmt = stmt.group_by(*by)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for row in session.execute(stmt):
        key = tuple(row[: len(by)])
        out[key] = {c: float(v) for c, v in zip(COUNTS, row[len(by) :], strict=True)}
    return out


def histograms(
    session: Session, f: Filters, *, by: Sequence[Any] = ()
) -> dict[tuple[Any, ...], list[tuple[int, int]]]:
    """Startup-time histograms over ``f``, per value of the ``by`` columns."""
    m = StartupRollup
    stmt = (
        select(*by, m.bucket_ms, func.sum(m.count))
        .where(*f.where(m))
        .group_by(*by, m.bucket_ms)
        .order_by(m.bucket_ms)
    )
    out: dict[tuple[Any, ...], list[tuple[int, int]]] = defaultdict(list)
    for row in session.execute(stmt):
        out[tuple(row[: len(by)])].append((int(row[len(by)]), int(row[len(by) + 1])))
    return out


def percentile(histogram: Histogram, p: float) -> int | None:
    """The nearest-rank ``p``-th percentile of a histogram of (value, count), sorted."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value, n in histogram:
        seen += n
        if seen >= rank:
            return value
    return histogram[-1][0]


def _ratio(num: float, den: float, scale: float = 1.0, digits: int = 4) -> float | None:
    return round(num / den * scale, digits) if den else None


def figures(s: Sums, hist: Histogram) -> dict[str, Any]:
    """The QoE figures of one group (see docs/analytics.md for each definition)."""
    views = s.get("views", 0.0)
    watched = s.get("watched_ms", 0.0)
    stalled = s.get("rebuffer_ms", 0.0)
    plays = s.get("plays", 0.0)
    return {
        "plays": int(plays),
        "views": int(views),
        "startup_p50_ms": percentile(hist, 50),
        "startup_p95_ms": percentile(hist, 95),
        "startup_mean_ms": _ratio(s.get("startup_ms_sum", 0.0), float(sum(n for _, n in hist))),
        "rebuffer_pct": _ratio(stalled, watched + stalled, 100),
        "rebuffer_per_minute": _ratio(s.get("rebuffer_count", 0.0), watched / 60_000),
        "ebvs_pct": _ratio(s.get("ebvs", 0.0), views, 100),
        "start_failure_pct": _ratio(s.get("start_failures", 0.0), views, 100),
        "playback_failure_pct": _ratio(s.get("playback_failures", 0.0), views, 100),
        "average_bitrate": _ratio(s.get("bitrate_ms", 0.0), s.get("bitrate_watched_ms", 0.0)),
        "switches_per_view": _ratio(s.get("switches", 0.0), views),
        "watch_hours": round(watched / 3_600_000, 4),
    }


def qoe_figures(s: Sums, hist: Histogram) -> QoeFigures:
    return QoeFigures(**figures(s, hist))


def merged_keys(*maps: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = set()
    for m in maps:
        keys.update(m)
    return sorted(keys, key=lambda k: tuple(str(v) for v in k))
