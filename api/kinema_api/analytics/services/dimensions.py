"""The values the dashboard's filters offer for a range: the plans, browsers, rungs and
titles found in the range's rollups (never the raw events), so a filter lists what the
data holds, an admin-defined plan included, and nothing it does not."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import Plan, PlaybackRollup
from kinema_api.analytics.schemas import DimensionOption, DimensionsPublic
from kinema_api.analytics.services.qoe import title_names
from kinema_api.analytics.services.rollup_queries import Filters

_RUNG = re.compile(r"(\d+)p")


def rung_order(rung: str) -> tuple[int, str]:
    """Rungs by height (``240p`` before ``1080p``); anything else after them."""
    match = _RUNG.fullmatch(rung)
    return (int(match.group(1)), rung) if match else (1_000_000, rung)


def _distinct(session: Session, f: Filters, column: Any) -> list[Any]:
    # The range alone: a filter's options do not narrow as other filters are chosen.
    scope = Filters(start=f.start, end=f.end, grain=f.grain)
    return list(session.scalars(select(column).where(*scope.where(PlaybackRollup)).distinct()))


def dimensions(session: Session, f: Filters) -> DimensionsPublic:
    m = PlaybackRollup
    plans: list[str] = _distinct(session, f, m.plan)
    names = dict(session.execute(select(Plan.slug, Plan.name).where(Plan.slug.in_(plans))).all())
    titles = title_names(session, set(_distinct(session, f, m.title_id)))
    return DimensionsPublic(
        plans=sorted(
            (DimensionOption(value=p, label=names.get(p, p)) for p in plans),
            key=lambda o: (o.value not in names, o.label.lower()),
        ),
        browsers=[
            DimensionOption(value=b, label=b) for b in sorted(_distinct(session, f, m.browser))
        ],
        rungs=[
            DimensionOption(value=r, label=r)
            for r in sorted(_distinct(session, f, m.rung), key=rung_order)
        ],
        titles=sorted(
            (DimensionOption(value=str(i), label=n) for i, n in titles.items()),
            key=lambda o: o.label.lower(),
        ),
    )
