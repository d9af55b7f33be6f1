"""The Content page: top titles (plays, watch hours, completion), the videos that have a
retention curve in the range, and one curve with its drop-off points."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import PlaybackRollup, RetentionRollup, Title, Video
from kinema.catalog.services.rollups import REACH_STEP_PCT
from kinema_api.analytics.schemas import (
    ContentPublic,
    DropOff,
    RetentionPoint,
    RetentionPublic,
    RetentionVideo,
    TitleRow,
)
from kinema_api.analytics.services.qoe import title_names
from kinema_api.analytics.services.rollup_queries import Filters, sums
from kinema_api.catalog.services.views import episode_label

DROP_OFFS = 3
VIDEOS = 100


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


def drop_offs(counts: Mapping[int, int], *, top: int = DROP_OFFS) -> list[DropOff]:
    """The ``top`` largest falls of the curve made from ``counts`` (views per furthest
    point reached). The curve falls from one point to the next by the views whose furthest
    point is the first, so each fall is read from the counts, not from rounded shares.
    Ties go to the earlier point; points nobody left are no drop-off."""
    total = sum(counts.values())
    falls = [
        (int(counts.get(pct, 0)), pct)
        for pct in range(0, 100, REACH_STEP_PCT)
        if counts.get(pct, 0) > 0
    ]
    falls.sort(key=lambda fall: (-fall[0], fall[1]))
    return [
        DropOff(from_pct=pct, to_pct=pct + REACH_STEP_PCT, lost_pct=round(n / total * 100, 4))
        for n, pct in falls[:top]
    ]


def video_labels(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Each video's title and a name for it: the title's, with the episode for series
    (``Heist · S1:E2 The Vault``, as admin pages name episodes)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Video, Title.name).join(Title, Title.id == Video.title_id).where(Video.id.in_(ids))
    )
    out = {}
    for video, title in rows:
        episode = episode_label(video)
        out[video.id] = (video.title_id, f"{title} · {episode}" if episode else title)
    return out


def retention(session: Session, f: Filters, *, video_id: uuid.UUID) -> RetentionPublic:
    """Share of views (that said how far they got) reaching each 5 % of the video."""
    m = RetentionRollup
    scoped = Filters(**{**f.__dict__, "video_id": video_id})
    counts = {
        int(pct): int(n)
        for pct, n in session.execute(
            select(m.reach_pct, func.sum(m.count)).where(*scoped.where(m)).group_by(m.reach_pct)
        )
    }
    total = sum(counts.values())
    curve = []
    remaining = total
    for pct in range(0, 101, REACH_STEP_PCT):
        curve.append(
            RetentionPoint(
                reach_pct=pct, viewers_pct=round(remaining / total * 100, 4) if total else 0.0
            )
        )
        remaining -= counts.get(pct, 0)
    title_id, label = video_labels(session, {video_id}).get(video_id, (None, str(video_id)))
    return RetentionPublic(
        video_id=video_id,
        title_id=title_id,
        label=label,
        views=total,
        curve=curve,
        drop_offs=drop_offs(counts),
    )


def retention_videos(session: Session, f: Filters, *, limit: int = VIDEOS) -> list[RetentionVideo]:
    """The videos with views that said how far they got, most first."""
    m = RetentionRollup
    views = func.sum(m.count)
    rows = session.execute(
        select(m.video_id, views)
        .where(*f.where(m))
        .group_by(m.video_id)
        .order_by(views.desc(), m.video_id)
        .limit(limit)
    ).all()
    labels = video_labels(session, {video_id for video_id, _ in rows})
    return [
        RetentionVideo(
            video_id=video_id, title_id=labels[video_id][0], label=labels[video_id][1], views=n
        )
        for video_id, n in rows
        if video_id in labels
    ]


def content(session: Session, f: Filters, *, video_id: uuid.UUID | None) -> ContentPublic:
    videos = retention_videos(session, f)
    chosen = video_id or (videos[0].video_id if videos else None)
    return ContentPublic(
        titles=top_titles(session, f),
        retention=retention(session, f, video_id=chosen) if chosen else None,
        videos=videos,
    )
