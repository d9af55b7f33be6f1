"""Home rows ("Top picks for <profile>", "Because you watched <title>") and "More like
this", read from stored lists (:mod:`.lists`); no training happens here.

Every row obeys the profile's maturity limit and leaves out titles the profile finished
(and, for top picks, titles it is watching: Continue Watching shows those).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import RecommendationKind, Title
from kinema.catalog.services import feedback, titles, why_notes
from kinema.catalog.services.recommendations import title_text
from kinema.recommend.content import blend, reason_terms, reason_text
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.services.viewer import check_visible, max_maturity
from kinema_api.catalog.services.views import title_card
from kinema_api.discovery.schemas import (
    DiscoveryRow,
    DiscoveryRows,
    RecommendationReason,
    RecommendedTitle,
    SeedTitle,
    SimilarTitles,
)
from kinema_api.discovery.services import lists

ROW_SIZE = 20
# "Because you watched" rows: one per recently watched title, at most this many.
BECAUSE_ROWS = 2
# Cold start: popularity and similarity to what the profile did, equally.
COLD_START_WEIGHTS = (0.5, 0.5)


def _reason(seed: Title, other: Title, stored_reason: str) -> RecommendationReason:
    terms = reason_terms(title_text(seed), title_text(other))
    if terms:
        kind = "shared"
    elif stored_reason == "viewers":
        kind = "viewers"
    else:
        kind = "story"
    return RecommendationReason(kind=kind, terms=terms, text=reason_text(kind, terms))


def _cold_start(session: Session, *, history: dict[uuid.UUID, float]) -> list[uuid.UUID]:
    """Popularity blended with similarity to the titles in the profile's history."""
    affinity: dict[str, float] = {}
    for title_id, weight in history.items():
        for other, (score, _) in lists.similar_scores(session, title_id=title_id).items():
            affinity[other.hex] = affinity.get(other.hex, 0.0) + weight * score
    popular = {t.hex: s for t, s in lists.popularity(session).items()}
    w_pop, w_similar = COLD_START_WEIGHTS
    ranked = blend([(w_pop, popular), (w_similar, affinity)], exclude={t.hex for t in history})
    return [uuid.UUID(k) for k, _ in ranked]


def top_picks(session: Session, *, viewer: Viewer, language: str = "en") -> DiscoveryRow:
    profile = viewer.profile
    exclude = feedback.finished_titles(session, profile_id=profile.id) | set(
        feedback.recently_watched(session, profile_id=profile.id, limit=50)
    )
    rows = lists.stored(
        session,
        kind=RecommendationKind.TOP_PICKS,
        subject_id=profile.id,
        limit=ROW_SIZE * lists.OVERFETCH,
    )
    ids = [r.title_id for r in rows] or _cold_start(
        session, history=feedback.profile_history(session, profile_id=profile.id)
    )
    picks = lists.visible(
        session, ids, max_maturity=max_maturity(viewer), exclude=exclude, limit=ROW_SIZE
    )
    notes = why_notes.notes_for(
        session, profile_id=profile.id, title_ids=[t.id for t in picks], language=language
    )
    return DiscoveryRow(
        key="top-picks",
        kind="top_picks",
        name=f"Top picks for {profile.name}",
        profile_name=profile.name,
        items=[RecommendedTitle(title=title_card(t), reason=_why(notes.get(t.id))) for t in picks],
    )


def _why(note: str | None) -> RecommendationReason | None:
    return RecommendationReason(kind="why", terms=[], text=note) if note else None


def because_you_watched(session: Session, *, viewer: Viewer) -> list[DiscoveryRow]:
    profile = viewer.profile
    limit = max_maturity(viewer)
    finished = feedback.finished_titles(session, profile_id=profile.id)
    recent = feedback.recently_watched(session, profile_id=profile.id, limit=10)
    seeds = lists.visible(session, recent, max_maturity=limit, limit=BECAUSE_ROWS)
    out = []
    for seed in seeds:
        scores = lists.similar_scores(session, title_id=seed.id)
        ordered = sorted(scores, key=lambda t: (-scores[t][0], t.hex))
        items = lists.visible(
            session, ordered, max_maturity=limit, exclude=finished | {seed.id}, limit=ROW_SIZE
        )
        if not items:
            continue
        out.append(
            DiscoveryRow(
                key=f"because:{seed.id}",
                kind="because",
                name=f"Because you watched {seed.name}",
                profile_name=profile.name,
                seed=SeedTitle(id=seed.id, name=seed.name),
                items=[
                    RecommendedTitle(title=title_card(t), reason=_reason(seed, t, scores[t.id][1]))
                    for t in items
                ],
            )
        )
    return out


def home_rows(session: Session, *, viewer: Viewer, language: str = "en") -> DiscoveryRows:
    latest = lists.last_trained(session)
    return DiscoveryRows(
        rows=[
            top_picks(session, viewer=viewer, language=language),
            *because_you_watched(session, viewer=viewer),
        ],
        trained_at=latest.trained_at if latest else None,
    )


def more_like_this(
    session: Session, *, viewer: Viewer | None, title_id: uuid.UUID
) -> SimilarTitles:
    seed = titles.get_title(session, title_id=title_id)
    check_visible(viewer, seed)
    scores = lists.similar_scores(session, title_id=seed.id)
    ordered = sorted(scores, key=lambda t: (-scores[t][0], t.hex))
    items = lists.visible(
        session, ordered, max_maturity=max_maturity(viewer), exclude={seed.id}, limit=ROW_SIZE
    )
    return SimilarTitles(
        title_id=seed.id,
        items=[
            RecommendedTitle(title=title_card(t), reason=_reason(seed, t, scores[t.id][1]))
            for t in items
        ],
    )
