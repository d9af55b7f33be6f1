"""The Content page: top titles (plays, watch hours, completion) and a retention curve."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import PlaybackRollup, RetentionRollup
from kinema.catalog.services.rollups import REACH_STEP_PCT
from kinema_api.analytics.schemas import (
    ContentPublic,
    RetentionPoint,
    RetentionPublic,
    TitleRow,
)
from kinema_api.analytics.services.qoe import title_names
from kinema_api.analytics.services.rollup_queries import Filters, sums


def top_titles(session: Session, f: Filters, *, limit: int = 20) -> list[TitleRow]:
    by_title = sums(session, f, by=[PlaybackRollup.title_id])
    names = title_names(session, {k[0] for k in by_title})
    rows = [
        TitleRow(
            title_id=key[0],
            title=names.get(key[0], str(key[0])),
            plays=int(s["plays"]),
            views=int(s["views"]),
            watch_hours=round(s["watched_ms"] / 3_600_000, 4),
            completion_pct=(
                round(s["completed"] / s["reach_views"] * 100, 4) if s["reach_views"] else None
            ),
        )
        for key, s in by_title.items()
    ]
    rows.sort(key=lambda r: (-r.plays, -r.views, r.title))
    return rows[:limit]


def retention(session: Session, f: Filters, *, video_id: uuid.UUID) -> RetentionPublic:
    """Share of views (that said how far they got) reaching each 5 % of the video."""
    m = RetentionRollup
    scoped = Filters(**{**f.__dict__, "video_id": video_id})
    counts = dict(
        session.execute(
            select(m.reach_pct, func.sum(m.count)).where(*scoped.where(m)).group_by(m.reach_pct)
        ).all()
    )
    total = sum(int(n) for n in counts.values())
    curve = []
    remaining = total
    for pct in range(0, 101, REACH_STEP_PCT):
        curve.append(
            RetentionPoint(
                reach_pct=pct, viewers_pct=round(remaining / total * 100, 4) if total else 0.0
            )
        )
        remaining -= int(counts.get(pct, 0))
    return RetentionPublic(video_id=video_id, views=total, curve=curve)


def top_video(session: Session, f: Filters) -> uuid.UUID | None:
    m = PlaybackRollup
    row = session.execute(
        select(m.video_id)
        .where(*f.where(m))
        .group_by(m.video_id)
        .order_by(func.sum(m.reach_views).desc(), m.video_id)
        .limit(1)
    ).first()
    return row[0] if row else None


def content(session: Session, f: Filters, *, video_id: uuid.UUID | None) -> ContentPublic:
    chosen = video_id or top_video(session, f)
    return ContentPublic(
        titles=top_titles(session, f),
        retention=retention(session, f, video_id=chosen) if chosen else None,
    )
