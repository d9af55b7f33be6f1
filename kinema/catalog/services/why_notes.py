"""The recommender's "why you may like it" notes in the catalog: which profiles' top picks
still lack one, storing what Claude wrote (and what each call cost), and reading them for
the home row.

Only the first ``PICKS`` titles of a profile's top picks get notes, as the home row shows
them (finished titles and those being watched left out); profiles that watched something
most recently go first, and a profile that has watched nothing gets none (there is
nothing to say "because" of).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import (
    ClaudeCall,
    Maturity,
    Recommendation,
    RecommendationKind,
    Title,
    WatchProgress,
    WhyNote,
    utcnow,
)
from kinema.catalog.services.browse import playable_titles
from kinema.catalog.services.feedback import finished_titles, recently_watched
from kinema.catalog.services.recommendations import title_text
from kinema.recommend.content import TitleText

PICKS = 5
HISTORY = 5
PROFILES_PER_RUN = 50
PURPOSE = "why_notes"
# Stored picks read to find PICKS the row would show (some are finished or being watched).
_SCAN = 40
# The row leaves out this many of the profile's most recently watched titles.
_WATCHING = 50


@dataclass(frozen=True, slots=True)
class Wanted:
    profile_id: uuid.UUID
    watched: list[TitleText]
    picks: list[TitleText]


def _titles(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Title]:
    stmt = (
        playable_titles(Maturity.ADULT)
        .where(Title.id.in_(list(ids)))
        .options(selectinload(Title.tags))
    )
    return {t.id: t for t in session.scalars(stmt)}


def wanted(
    session: Session, *, languages: Collection[str], profiles: int = PROFILES_PER_RUN
) -> list[Wanted]:
    """Profiles whose shown top picks lack a note in some language, most recently active
    first, with what they watched last."""
    active = session.execute(
        select(WatchProgress.profile_id, func.max(WatchProgress.updated_at).label("at"))
        .where(WatchProgress.position_s > 0)
        .group_by(WatchProgress.profile_id)
        .order_by(func.max(WatchProgress.updated_at).desc(), WatchProgress.profile_id)
    )
    out: list[Wanted] = []
    for profile_id, _ in active:
        if len(out) == profiles:
            break
        picks = _shown_picks(session, profile_id)
        noted = _noted(session, profile_id, [t.id for t in picks], languages)
        missing = [t for t in picks if t.id not in noted]
        if not missing:
            continue
        history = recently_watched(session, profile_id=profile_id, limit=HISTORY)
        seen = _titles(session, history)
        out.append(
            Wanted(
                profile_id,
                [title_text(seen[i]) for i in history if i in seen],
                [title_text(t) for t in missing],
            )
        )
    return out


def _shown_picks(session: Session, profile_id: uuid.UUID) -> list[Title]:
    ids = list(
        session.scalars(
            select(Recommendation.title_id)
            .where(
                Recommendation.kind == RecommendationKind.TOP_PICKS,
                Recommendation.subject_id == profile_id,
            )
            .order_by(Recommendation.rank)
            .limit(_SCAN)
        )
    )
    hidden = finished_titles(session, profile_id=profile_id) | set(
        recently_watched(session, profile_id=profile_id, limit=_WATCHING)
    )
    found = _titles(session, [i for i in ids if i not in hidden])
    return [found[i] for i in ids if i in found][:PICKS]


def _noted(
    session: Session, profile_id: uuid.UUID, title_ids: list[uuid.UUID], languages: Collection[str]
) -> set[uuid.UUID]:
    """The titles with a note in every one of ``languages``."""
    if not title_ids:
        return set()
    rows = session.execute(
        select(WhyNote.title_id, func.count())
        .where(
            WhyNote.profile_id == profile_id,
            WhyNote.title_id.in_(title_ids),
            WhyNote.language.in_(list(languages)),
        )
        .group_by(WhyNote.title_id)
    )
    return {title_id for title_id, n in rows if n >= len(languages)}


def record_call(
    session: Session,
    *,
    input_tokens: int,
    output_tokens: int,
    cost_usd: float,
    error: str | None = None,
) -> None:
    """Count a call toward the month's Claude spend (a failed one cost its tokens too)."""
    session.add(
        ClaudeCall(
            purpose=PURPOSE,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_usd,
            error=error[:500] if error else None,
        )
    )


def save(session: Session, *, profile_id: uuid.UUID, notes: Mapping[str, Mapping[str, str]]) -> int:
    """Store notes (``{title id hex: {language: line}}``), replacing older ones; how many
    lines were stored."""
    now = utcnow()
    stored = 0
    for title_hex, lines in notes.items():
        for language, text in lines.items():
            session.merge(
                WhyNote(
                    profile_id=profile_id,
                    title_id=uuid.UUID(title_hex),
                    language=language,
                    text=text,
                    written_at=now,
                )
            )
            stored += 1
    session.flush()
    return stored


def notes_for(
    session: Session, *, profile_id: uuid.UUID, title_ids: Collection[uuid.UUID], language: str
) -> dict[uuid.UUID, str]:
    if not title_ids:
        return {}
    rows = session.execute(
        select(WhyNote.title_id, WhyNote.text).where(
            WhyNote.profile_id == profile_id,
            WhyNote.title_id.in_(list(title_ids)),
            WhyNote.language == language,
        )
    )
    return {title_id: text for title_id, text in rows}
