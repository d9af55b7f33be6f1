"""The Quality of experience page: summary, series by hour or day, a breakdown by title,
plan, browser or rung, and failures by error code."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import ErrorRollup, PlaybackRollup, StartupRollup, Title
from kinema_api.analytics.schemas import (
    Dimension,
    ErrorCount,
    QoeGroup,
    QoePoint,
    QoePublic,
)
from kinema_api.analytics.services.rollup_queries import (
    Filters,
    figures,
    group_column,
    histograms,
    merged_keys,
    qoe_figures,
    sums,
)


def title_names(session: Session, ids: set[Any]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Title.id, Title.name).where(Title.id.in_(ids)))
    return {title_id: name for title_id, name in rows}


def series(session: Session, f: Filters) -> list[QoePoint]:
    by_sums = sums(session, f, by=[PlaybackRollup.bucket])
    by_hist = histograms(session, f, by=[StartupRollup.bucket])
    return [
        QoePoint(bucket=key[0], **figures(by_sums.get(key, {}), by_hist.get(key, [])))
        for key in merged_keys(by_sums, by_hist)
    ]


def breakdown(session: Session, f: Filters, *, by: Dimension) -> list[QoeGroup]:
    by_sums = sums(session, f, by=[group_column(PlaybackRollup, by)])
    by_hist = histograms(session, f, by=[group_column(StartupRollup, by)])
    keys = merged_keys(by_sums, by_hist)
    names = title_names(session, {k[0] for k in keys}) if by is Dimension.TITLE else {}
    groups = [
        QoeGroup(
            key=str(key[0]),
            label=names.get(key[0], str(key[0])),
            **figures(by_sums.get(key, {}), by_hist.get(key, [])),
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
    total = sums(session, f).get((), {})
    hist = histograms(session, f).get((), [])
    return QoePublic(
        summary=qoe_figures(total, hist),
        series=series(session, f),
        breakdown=breakdown(session, f, by=by),
        errors=errors(session, f),
    )
