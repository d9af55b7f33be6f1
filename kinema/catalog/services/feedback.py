"""Implicit feedback per profile, read from the catalog: progress and completion, My
List, ratings and reviews, as :class:`kinema.recommend.model.Interaction` rows (user =
profile id, item = title id, both as hex).

Weights (summed per profile and title; the latest event's time is the timestamp):

- watching: 1.0 for a finished video, else 0.25 + 0.75 x the fraction watched (best
  video of the title, so a series counts once);
- My List: 0.5;
- a rating: 1.0 for 5 stars, 0.6 for 4, 0.2 for 3, nothing below (implicit feedback
  has no negative signal: a low rating only adds nothing);
- a review: 0.3 more (writing one is engagement).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    MyListItem,
    Rating,
    Review,
    Video,
    VideoStatus,
    WatchHistory,
    WatchProgress,
)
from kinema.recommend.model import Interaction

LIST_WEIGHT = 0.5
REVIEW_WEIGHT = 0.3
RATING_WEIGHTS = {5: 1.0, 4: 0.6, 3: 0.2}


def _watch_weight(position_s: float, duration_s: float | None, completed: bool) -> float:
    if completed:
        return 1.0
    if not duration_s or position_s <= 0:
        return 0.0
    return 0.25 + 0.75 * min(position_s / duration_s, 1.0)


def collect_feedback(session: Session) -> list[Interaction]:
    """Every profile's feedback on every title, one interaction per (profile, title)."""
    weights: dict[tuple[uuid.UUID, uuid.UUID], float] = defaultdict(float)
    watch: dict[tuple[uuid.UUID, uuid.UUID], float] = defaultdict(float)
    times: dict[tuple[uuid.UUID, uuid.UUID], datetime] = {}

    def seen(key: tuple[uuid.UUID, uuid.UUID], at: datetime) -> None:
        if key not in times or at > times[key]:
            times[key] = at

    progress = session.execute(
        select(
            WatchProgress.profile_id,
            Video.title_id,
            WatchProgress.position_s,
            WatchProgress.duration_s,
            WatchProgress.completed,
            WatchProgress.updated_at,
        ).join(Video, Video.id == WatchProgress.video_id)
    )
    for profile_id, title_id, position, duration, completed, at in progress:
        key = (profile_id, title_id)
        watch[key] = max(watch[key], _watch_weight(position, duration, completed))
        seen(key, at)
    for key, weight in watch.items():
        weights[key] += weight
    for profile_id, title_id, at in session.execute(
        select(MyListItem.profile_id, MyListItem.title_id, MyListItem.added_at)
    ):
        weights[(profile_id, title_id)] += LIST_WEIGHT
        seen((profile_id, title_id), at)
    for profile_id, title_id, score, at in session.execute(
        select(Rating.profile_id, Rating.title_id, Rating.score, Rating.created_at)
    ):
        weights[(profile_id, title_id)] += RATING_WEIGHTS.get(score, 0.0)
        seen((profile_id, title_id), at)
    for profile_id, title_id, at in session.execute(
        select(Review.profile_id, Review.title_id, Review.created_at)
    ):
        weights[(profile_id, title_id)] += REVIEW_WEIGHT
        seen((profile_id, title_id), at)
    return [
        Interaction(p.hex, t.hex, times[(p, t)].timestamp(), w)
        for (p, t), w in sorted(weights.items())
        if w > 0
    ]


def finished_titles(session: Session, *, profile_id: uuid.UUID) -> set[uuid.UUID]:
    """Titles the profile has finished: every ready video (a movie's feature, each
    episode of a series) watched to the end."""
    ready = (
        select(Video.title_id, func.count(Video.id).label("ready"))
        .where(Video.status == VideoStatus.READY)
        .group_by(Video.title_id)
        .subquery()
    )
    done = (
        select(Video.title_id, func.count(WatchProgress.video_id).label("done"))
        .join(WatchProgress, WatchProgress.video_id == Video.id)
        .where(
            WatchProgress.profile_id == profile_id,
            WatchProgress.completed.is_(True),
            Video.status == VideoStatus.READY,
        )
        .group_by(Video.title_id)
        .subquery()
    )
    rows = session.execute(
        select(done.c.title_id)
        .join(ready, ready.c.title_id == done.c.title_id)
        .where(done.c.done >= ready.c.ready)
    )
    return {row[0] for row in rows}


def recently_watched(
    session: Session, *, profile_id: uuid.UUID, limit: int = 10
) -> list[uuid.UUID]:
    """Titles the profile watched, most recent first (one entry per title)."""
    rows = session.execute(
        select(Video.title_id, func.max(WatchProgress.updated_at).label("at"))
        .join(WatchProgress, WatchProgress.video_id == Video.id)
        .where(WatchProgress.profile_id == profile_id, WatchProgress.position_s > 0)
        .group_by(Video.title_id)
        .order_by(func.max(WatchProgress.updated_at).desc(), Video.title_id)
        .limit(limit)
    )
    return [row[0] for row in rows]


def profile_history(session: Session, *, profile_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """One profile's feedback weights by title (the same weights training uses)."""
    weights: dict[uuid.UUID, float] = defaultdict(float)
    watch: dict[uuid.UUID, float] = defaultdict(float)
    for title_id, position, duration, completed in session.execute(
        select(
            Video.title_id,
            WatchProgress.position_s,
            WatchProgress.duration_s,
            WatchProgress.completed,
        )
        .join(Video, Video.id == WatchProgress.video_id)
        .where(WatchProgress.profile_id == profile_id)
    ):
        watch[title_id] = max(watch[title_id], _watch_weight(position, duration, completed))
    for title_id, weight in watch.items():
        weights[title_id] += weight
    for (title_id,) in session.execute(
        select(MyListItem.title_id).where(MyListItem.profile_id == profile_id)
    ):
        weights[title_id] += LIST_WEIGHT
    for title_id, score in session.execute(
        select(Rating.title_id, Rating.score).where(Rating.profile_id == profile_id)
    ):
        weights[title_id] += RATING_WEIGHTS.get(score, 0.0)
    return {t: w for t, w in weights.items() if w > 0}


def title_starts(session: Session) -> dict[str, tuple[int, int]]:
    """Per title (hex id): how many profiles started it and how many finished one of its
    videos (the recommender's completion feature, :mod:`kinema.recommend.patterns`)."""
    per_profile = (
        select(
            Video.title_id.label("title_id"),
            func.max(case((WatchProgress.completed, 1), else_=0)).label("finished"),
        )
        .join(WatchProgress, WatchProgress.video_id == Video.id)
        .where(WatchProgress.position_s > 0)
        .group_by(Video.title_id, WatchProgress.profile_id)
        .subquery()
    )
    rows = session.execute(
        select(per_profile.c.title_id, func.count(), func.sum(per_profile.c.finished)).group_by(
            per_profile.c.title_id
        )
    )
    return {title_id.hex: (int(n), int(done or 0)) for title_id, n, done in rows}


def recent_plays(session: Session, *, since: datetime) -> list[tuple[str, str, datetime]]:
    """(profile, video, started at) of every play since ``since`` (the binge feature)."""
    rows = session.execute(
        select(WatchHistory.profile_id, WatchHistory.video_id, WatchHistory.watched_at).where(
            WatchHistory.watched_at >= since
        )
    )
    return [(p.hex, v.hex, at) for p, v, at in rows]
