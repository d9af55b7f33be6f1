"""The recommender's training run: feedback in, scored lists out (``recommendations``).

One run reads every profile's feedback (:mod:`kinema.catalog.services.feedback`), fits
the model with :func:`kinema.recommend.model.fit` (the code ``kinema recommend`` and the
benchmark run), builds TF-IDF content vectors over the playable titles (with their
subtitles' words when a :class:`SubtitleReader` is given), and replaces all lists in one
transaction:

- top picks per profile: the model's scores blended with content affinity to the
  profile's history (so a title nobody has watched yet can still appear), then a little
  popularity; series raised for a profile that binges; seen titles and titles above the
  profile's maturity are left out;
- "More like this" per title: collaborative item-item weights blended with content
  similarity, each entry tagged with its reason (shared genres/tags, or co-viewing);
- the popular list, the cold-start fallback, weighted by how many of a title's
  starters finish it.

Viewing patterns enter as features (:mod:`kinema.recommend.patterns`): each title's
completion share, and each profile's share of plays in binge sessions.

The API only reads these rows; nothing here runs in a request.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import (
    Maturity,
    Profile,
    Recommendation,
    RecommendationKind,
    Title,
    TitleKind,
    Video,
    utcnow,
)
from kinema.catalog.services.audience_rollups import BINGE_GAP, BINGE_VIDEOS
from kinema.catalog.services.browse import playable_titles
from kinema.catalog.services.feedback import collect_feedback, recent_plays, title_starts
from kinema.catalog.services.subtitle_text import SubtitleReader
from kinema.recommend.content import ContentIndex, TitleText, blend, build_index, shared_facets
from kinema.recommend.model import Config, Model, Scored, fit
from kinema.recommend.patterns import binge_share, boost_series, weigh_popularity

PER_PROFILE = 40
PER_TITLE = 20
POPULAR = 100
# Blend weights: collaborative evidence first; content lets new titles in; popularity
# fills a short list.
TOP_PICKS_WEIGHTS = (1.0, 0.35, 0.1)  # model, content affinity, popularity
SIMILAR_WEIGHTS = (0.5, 0.5)  # collaborative, content
# How far back plays count toward a profile's binge share.
BINGE_WINDOW = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class TrainReport:
    profiles: int
    titles: int
    interactions: int
    rows: int
    seconds: float
    trained_at: datetime


def title_text(title: Title, subtitles: str = "") -> TitleText:
    return TitleText(
        id=title.id.hex,
        name=title.name,
        description=title.description,
        genres=[g.name for g in title.genres],
        tags=[t.name for t in title.tags],
        subtitles=subtitles,
    )


def _playable(session: Session, *, with_tracks: bool) -> dict[str, Title]:
    stmt = playable_titles(Maturity.ADULT).options(selectinload(Title.tags))
    if with_tracks:
        stmt = stmt.options(selectinload(Title.videos).selectinload(Video.tracks))
    return {t.id.hex: t for t in session.scalars(stmt)}


def _top_picks(
    model: Model | None,
    content: ContentIndex,
    popularity: dict[str, float],
    *,
    profile: Profile,
    titles: dict[str, Title],
    scored: dict[str, list[Scored]],
    binges: float = 0.0,
) -> list[tuple[str, float]]:
    user = profile.id.hex
    seen = model.seen(user) if model is not None else set()
    allowed = {k for k, t in titles.items() if t.maturity.level <= profile.max_maturity.level}
    collab: dict[str, float] = {}
    affinity: dict[str, float] = {}
    if model is not None and model.knows_user(user):
        collab = {s.item: s.score for s in scored.get(user, [])}
        affinity = content.profile_affinity(model.history_of(user))
    w_model, w_content, w_pop = TOP_PICKS_WEIGHTS
    ranked = blend(
        [(w_model, collab), (w_content, affinity), (w_pop, popularity)],
        exclude=seen | (titles.keys() - allowed),
    )
    series = {k for k, t in titles.items() if t.kind is TitleKind.SERIES}
    ranked = boost_series(ranked, series, binges)
    return [(k, s) for k, s in ranked if k in allowed][:PER_PROFILE]


def _similar(
    model: Model | None, content: ContentIndex, *, key: str, titles: dict[str, TitleText]
) -> list[tuple[str, float, str]]:
    collab: dict[str, float] = {}
    if model is not None:
        collab = {s.item: s.score for s in model.similar(key, PER_TITLE * 3)}
    w_collab, w_content = SIMILAR_WEIGHTS
    ranked = blend([(w_collab, collab), (w_content, content.similar(key))], exclude={key})
    me = titles[key]
    out = []
    for other, score in ranked:
        if other not in titles:
            continue
        reason = "content" if shared_facets(me, titles[other]) else "viewers"
        if reason == "viewers" and other not in collab:
            reason = "content"  # alike in words only (description, name, subtitles)
        out.append((other, score, reason))
        if len(out) == PER_TITLE:
            break
    return out


def train(
    session: Session, *, config: Config | None = None, subtitles: SubtitleReader | None = None
) -> TrainReport:
    """Fit on all feedback and replace every stored list (flushes; the caller commits).

    ``subtitles`` reads the titles' subtitle tracks into their content vectors; without
    it, content is the name, description, genres and tags.
    """
    started = time.perf_counter()
    now = utcnow()
    titles = _playable(session, with_tracks=subtitles is not None)
    texts = {
        key: title_text(t, subtitles.title_text(t) if subtitles is not None else "")
        for key, t in titles.items()
    }
    interactions = [i for i in collect_feedback(session) if i.item in titles]
    model = fit(interactions, config) if interactions else None
    content = build_index(list(texts.values()))
    popularity: dict[str, float] = {}
    if model is not None:
        popularity = {item: float(n) for item, n in zip(model.items, model.popularity, strict=True)}
    # Without any feedback, the newest titles stand in for the most popular.
    newest = sorted(titles.values(), key=lambda t: (t.created_at, t.id.hex), reverse=True)
    for n, title in enumerate(newest):
        popularity.setdefault(title.id.hex, 1e-3 / (n + 1))
    popularity = weigh_popularity(popularity, title_starts(session))
    binges = binge_share(
        recent_plays(session, since=now - BINGE_WINDOW), gap=BINGE_GAP, videos=BINGE_VIDEOS
    )

    rows: list[Recommendation] = []

    def add(
        kind: RecommendationKind, subject: uuid.UUID | None, items: list[tuple[str, float, str]]
    ) -> None:
        for rank, (item, score, reason) in enumerate(items, start=1):
            rows.append(
                Recommendation(
                    kind=kind,
                    subject_id=subject,
                    title_id=uuid.UUID(item),
                    rank=rank,
                    score=score,
                    reason=reason,
                    trained_at=now,
                )
            )

    popular = sorted(popularity.items(), key=lambda kv: (-kv[1], kv[0]))[:POPULAR]
    add(RecommendationKind.POPULAR, None, [(k, s, "") for k, s in popular])
    profiles = list(session.scalars(select(Profile).order_by(Profile.id)))
    scored: dict[str, list[Scored]] = {}
    if model is not None:
        known = [p.id.hex for p in profiles if model.knows_user(p.id.hex)]
        scored = model.recommend_many(known, PER_PROFILE * 5)
    for profile in profiles:
        picks = _top_picks(
            model,
            content,
            popularity,
            profile=profile,
            titles=titles,
            scored=scored,
            binges=binges.get(profile.id.hex, 0.0),
        )
        add(RecommendationKind.TOP_PICKS, profile.id, [(k, s, "") for k, s in picks])
    for key in sorted(titles):
        add(
            RecommendationKind.SIMILAR,
            uuid.UUID(key),
            _similar(model, content, key=key, titles=texts),
        )
    session.execute(delete(Recommendation))
    session.add_all(rows)
    session.flush()
    return TrainReport(
        profiles=len(profiles),
        titles=len(titles),
        interactions=len(interactions),
        rows=len(rows),
        seconds=time.perf_counter() - started,
        trained_at=now,
    )
