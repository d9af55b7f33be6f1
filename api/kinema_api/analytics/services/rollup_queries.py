"""Reading the rollups: filters, grouped sums, startup histograms, and the figures made
from them (percentiles by nearest rank over the 10 ms histogram; ratios of sums).

Every query here reads the rollup tables only; none touches ``playback_events``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from kinema.catalog.models import PlaybackRollup, StartupRollup
from kinema.catalog.services.rollup_upsert import bucket_of
from kinema.catalog.services.rollups import COUNTS
from kinema_api.analytics.schemas import Dimension, Grain, QoeFigures

Sums = Mapping[str, float]
# Summed rollup columns per value of the grouping columns.
Grouped = dict[tuple[Any, ...], dict[str, float]]


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


def sums(session: Session, f: Filters, *, by: Sequence[Any] = ()) -> Grouped:
    """The rollup columns summed over ``f``, per value of the ``by`` columns."""
    m = PlaybackRollup
    columns = [func.coalesce(func.sum(getattr(m, c)), 0) for c in COUNTS]
    stmt = select(*by, *columns).where(*f.where(m))
    if by:
        stmt = stmt.group_by(*by)
    out: Grouped = {}
    for row in session.execute(stmt):
        key = tuple(row[: len(by)])
        out[key] = {c: float(v) for c, v in zip(COUNTS, row[len(by) :], strict=True)}
    return out


@dataclass(frozen=True)
class Startup:
    """Startup times of one group: the nearest-rank p50 and p95 of its 10 ms histogram,
    and how many startups it holds."""

    p50_ms: int | None = None
    p95_ms: int | None = None
    count: int = 0


NO_STARTUP = Startup()


def startup_stats(
    session: Session, f: Filters, groupings: Sequence[Sequence[str]]
) -> list[dict[tuple[Any, ...], Startup]]:
    """Startup percentiles over ``f``, for each grouping (a list of rollup column names,
    ``()`` for all), in one scan of the startup rollups: the histograms are summed per
    value of every column named, each grouping sums those, and the percentiles are picked
    in the database (the rank of a bin is its running count), so a dashboard with
    hundreds of thousands of histogram rows gets a few rows back (docs/analytics.md)."""
    m = StartupRollup
    names = sorted({name for g in groupings for name in g})
    h = (
        select(
            *[getattr(m, name).label(name) for name in names],
            m.bucket_ms.label("ms"),
            func.sum(m.count).label("n"),
        )
        .where(*f.where(m))
        .group_by(*[getattr(m, name) for name in names], m.bucket_ms)
        .cte("h")
    )
    parts = []
    for i, grouping in enumerate(groupings):
        keys = [
            h.c[name] if name in grouping else cast(null(), getattr(m, name).type).label(name)
            for name in names
        ]
        own = [h.c[name] for name in grouping]
        parts.append(
            select(literal(i).label("g"), *keys, h.c.ms, func.sum(h.c.n).label("n")).group_by(
                *own, h.c.ms
            )
        )
    u = union_all(*parts).cte("u")
    part = [u.c.g, *[u.c[name] for name in names]]
    c = select(
        *part,
        u.c.ms,
        func.sum(u.c.n).over(partition_by=part, order_by=u.c.ms).label("cum"),
        func.sum(u.c.n).over(partition_by=part).label("total"),
    ).cte("c")
    keys_c = [c.c.g, *[c.c[name] for name in names]]

    def rank(p: int) -> Any:  # the nearest rank: the first bin whose running count reaches it
        return func.min(case((c.c.cum * 100 >= c.c.total * p, c.c.ms)))

    stmt = select(*keys_c, rank(50), rank(95), func.max(c.c.total)).group_by(*keys_c)
    out: list[dict[tuple[Any, ...], Startup]] = [{} for _ in groupings]
    for row in session.execute(stmt):
        g = int(row[0])
        values = dict(zip(names, row[1 : 1 + len(names)], strict=True))
        key = tuple(values[name] for name in groupings[g])
        p50, p95, total = row[1 + len(names) :]
        out[g][key] = Startup(int(p50), int(p95), int(total))
    return out


def _ratio(num: float, den: float, scale: float = 1.0, digits: int = 4) -> float | None:
    return round(num / den * scale, digits) if den else None


def figures(s: Sums, startup: Startup) -> dict[str, Any]:
    """The QoE figures of one group (see docs/analytics.md for each definition)."""
    views = s.get("views", 0.0)
    watched = s.get("watched_ms", 0.0)
    stalled = s.get("rebuffer_ms", 0.0)
    plays = s.get("plays", 0.0)
    return {
        "plays": int(plays),
        "views": int(views),
        "startup_p50_ms": startup.p50_ms,
        "startup_p95_ms": startup.p95_ms,
        "startup_mean_ms": _ratio(s.get("startup_ms_sum", 0.0), float(startup.count)),
        "rebuffer_pct": _ratio(stalled, watched + stalled, 100),
        "rebuffer_per_minute": _ratio(s.get("rebuffer_count", 0.0), watched / 60_000),
        "ebvs_pct": _ratio(s.get("ebvs", 0.0), views, 100),
        "start_failure_pct": _ratio(s.get("start_failures", 0.0), views, 100),
        "playback_failure_pct": _ratio(s.get("playback_failures", 0.0), views, 100),
        "average_bitrate": _ratio(s.get("bitrate_ms", 0.0), s.get("bitrate_watched_ms", 0.0)),
        "switches_per_view": _ratio(s.get("switches", 0.0), views),
        "watch_hours": round(watched / 3_600_000, 4),
    }


def qoe_figures(s: Sums, startup: Startup) -> QoeFigures:
    return QoeFigures(**figures(s, startup))


def fold(grouped: Mapping[tuple[Any, ...], Sums], index: Sequence[int]) -> Grouped:
    """Sums per key summed again per the key's parts at ``index`` (``[]``: one total)."""
    out: Grouped = {}
    for key, values in grouped.items():
        into = out.setdefault(tuple(key[i] for i in index), dict.fromkeys(COUNTS, 0.0))
        for name, value in values.items():
            into[name] += value
    return out


def merged_keys(*maps: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = set()
    for m in maps:
        keys.update(m)
    return sorted(keys, key=lambda k: tuple(str(v) for v in k))
