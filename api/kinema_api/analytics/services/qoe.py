"""The Quality of experience page: summary, series by hour or day, a breakdown by title,
plan, browser or rung, and failures by error code."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import ErrorRollup, PlaybackRollup, Title
from kinema_api.analytics.schemas import (
    Dimension,
    ErrorCount,
    QoeGroup,
    QoePoint,
    QoePublic,
)
from kinema_api.analytics.services.rollup_queries import (
    NO_STARTUP,
    Filters,
    Grouped,
    Startup,
    figures,
    fold,
    group_column,
    merged_keys,
    qoe_figures,
    startup_stats,
    sums,
)

Startups = dict[tuple[Any, ...], Startup]


def title_names(session: Session, ids: set[Any]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Title.id, Title.name).where(Title.id.in_(ids)))
    return {title_id: name for title_id, name in rows}


def _dimension(by: Dimension) -> str:
    return str(group_column(PlaybackRollup, by).key)


def series(session: Session, f: Filters) -> list[QoePoint]:
    by_sums = sums(session, f, by=[PlaybackRollup.bucket])
    (by_startup,) = startup_stats(session, f, [("bucket",)])
    return _points(by_sums, by_startup)


def _points(by_sums: Grouped, by_startup: Startups) -> list[QoePoint]:
    return [
        QoePoint(bucket=key[0], **figures(by_sums.get(key, {}), by_startup.get(key, NO_STARTUP)))
        for key in merged_keys(by_sums, by_startup)
    ]


def breakdown(session: Session, f: Filters, *, by: Dimension) -> list[QoeGroup]:
    by_sums = sums(session, f, by=[group_column(PlaybackRollup, by)])
    (by_startup,) = startup_stats(session, f, [(_dimension(by),)])
    return _groups(session, by_sums, by_startup, by=by)


def _groups(
    session: Session, by_sums: Grouped, by_startup: Startups, *, by: Dimension
) -> list[QoeGroup]:
    keys = merged_keys(by_sums, by_startup)
    names = title_names(session, {k[0] for k in keys}) if by is Dimension.TITLE else {}
    groups = [
        QoeGroup(
            key=str(key[0]),
            label=names.get(key[0], str(key[0])),
            **figures(by_sums.get(key, {}), by_startup.get(key, NO_STARTUP)),
        )
        for key in keys
    ]
    return sorted(groups, key=lambda g: (-g.plays, -g.views, g.label))


def errors(session: Session, f: Filters) -> list[ErrorCount]:
    m = ErrorRollup
    counts: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(m.code, m.phase, func.sum(m.count)).where(*f.where(m)).group_by(m.code, m.phase)
    )
    for code, phase, n in rows:
        counts.setdefault(code, {"start": 0, "playback": 0})[phase] = int(n)
    out = [
        ErrorCount(code=code, start_failures=c["start"], playback_failures=c["playback"])
        for code, c in counts.items()
    ]
    return sorted(out, key=lambda e: (-(e.start_failures + e.playback_failures), e.code))


def qoe(session: Session, f: Filters, *, by: Dimension) -> QoePublic:
    """The whole page: the rollups' sums read once per (bucket, dimension) and folded,
    and every startup percentile in one query."""
    grouped = sums(session, f, by=[PlaybackRollup.bucket, group_column(PlaybackRollup, by)])
    total, per_bucket, per_group = startup_stats(session, f, [(), ("bucket",), (_dimension(by),)])
    return QoePublic(
        summary=qoe_figures(fold(grouped, []).get((), {}), total.get((), NO_STARTUP)),
        series=_points(fold(grouped, [0]), per_bucket),
        breakdown=_groups(session, fold(grouped, [1]), per_group, by=by),
        errors=errors(session, f),
    )
