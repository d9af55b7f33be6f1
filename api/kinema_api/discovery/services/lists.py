"""Reading stored lists, and the cold-start fallbacks that need no training.

A stored list is re-filtered on every read: a title may have been unpublished, a
profile's maturity lowered, or a title finished since the last training run. When no
list is stored (a profile or title newer than the last run, or no run yet), the
fallbacks score from what is in the catalog now: the popular list and shared genres
and tags.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import (
    Maturity,
    Recommendation,
    RecommendationKind,
    Title,
    Video,
    WatchProgress,
    title_genres,
    title_tags,
)
from kinema.catalog.services.browse import playable_titles, recently_added

# How many more ids than needed to read, so filtering still fills a row.
OVERFETCH = 3


def stored(
    session: Session, *, kind: RecommendationKind, subject_id: uuid.UUID | None, limit: int = 100
) -> list[Recommendation]:
    subject = (
        Recommendation.subject_id.is_(None)
        if subject_id is None
        else Recommendation.subject_id == subject_id
    )
    stmt = (
        select(Recommendation)
        .where(Recommendation.kind == kind, subject)
        .order_by(Recommendation.rank)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def last_trained(session: Session) -> Recommendation | None:
    return session.scalars(
        select(Recommendation).order_by(Recommendation.trained_at.desc()).limit(1)
    ).first()


def visible(
    session: Session,
    ids: Iterable[uuid.UUID],
    *,
    max_maturity: Maturity,
    exclude: Collection[uuid.UUID] = (),
    limit: int,
) -> list[Title]:
    """The playable titles among ``ids`` within the maturity limit, in the given order."""
    wanted = [i for i in dict.fromkeys(ids) if i not in exclude]
    if not wanted:
        return []
    stmt = (
        playable_titles(max_maturity)
        .where(Title.id.in_(wanted))
        .options(selectinload(Title.tags), selectinload(Title.videos))
    )
    found = {t.id: t for t in session.scalars(stmt)}
    return [found[i] for i in wanted if i in found][:limit]


def popularity(session: Session) -> dict[uuid.UUID, float]:
    """The stored popular list; before any training run, profiles that watched each
    title (all time), and failing that the newest titles."""
    rows = stored(session, kind=RecommendationKind.POPULAR, subject_id=None)
    if rows:
        return {r.title_id: r.score for r in rows}
    counts = session.execute(
        select(Video.title_id, func.count(func.distinct(WatchProgress.profile_id)))
        .join(WatchProgress, WatchProgress.video_id == Video.id)
        .group_by(Video.title_id)
    )
    scores = {title_id: float(n) for title_id, n in counts}
    for n, title in enumerate(recently_added(session, max_maturity=Maturity.ADULT, limit=100)):
        scores.setdefault(title.id, 1e-3 / (n + 1))
    return scores


def facet_neighbours(session: Session, *, title_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """Titles sharing genres or tags with ``title_id``, scored by the cosine of their
    genre/tag sets (the fallback for a title newer than the last training run)."""
    genre_ids = select(title_genres.c.genre_id).where(title_genres.c.title_id == title_id)
    tag_ids = select(title_tags.c.tag_id).where(title_tags.c.title_id == title_id)
    mine = len(session.execute(genre_ids).all()) + len(session.execute(tag_ids).all())
    if not mine:
        return {}
    shared: dict[uuid.UUID, int] = {}
    for (other,) in session.execute(
        select(title_genres.c.title_id).where(title_genres.c.genre_id.in_(genre_ids))
    ):
        shared[other] = shared.get(other, 0) + 1
    for (other,) in session.execute(
        select(title_tags.c.title_id).where(title_tags.c.tag_id.in_(tag_ids))
    ):
        shared[other] = shared.get(other, 0) + 1
    shared.pop(title_id, None)
    if not shared:
        return {}
    sizes: dict[uuid.UUID, int] = {}
    for table in (title_genres, title_tags):
        for other, n in session.execute(
            select(table.c.title_id, func.count())
            .where(table.c.title_id.in_(list(shared)))
            .group_by(table.c.title_id)
        ):
            sizes[other] = sizes.get(other, 0) + int(n)
    return {t: n / math.sqrt(mine * max(sizes.get(t, n), 1)) for t, n in shared.items()}


def similar_scores(session: Session, *, title_id: uuid.UUID) -> dict[uuid.UUID, tuple[float, str]]:
    """More like ``title_id``: the stored list (score, reason), else shared facets."""
    rows = stored(session, kind=RecommendationKind.SIMILAR, subject_id=title_id)
    if rows:
        return {r.title_id: (r.score, r.reason) for r in rows}
    return {t: (s, "content") for t, s in facet_neighbours(session, title_id=title_id).items()}
