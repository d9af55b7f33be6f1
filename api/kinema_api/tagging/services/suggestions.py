"""Suggestions for the admin: list, accept, reject, run a title's tagging again."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy.orm import Session

from kinema.catalog.errors import Conflict
from kinema.catalog.models import SuggestionKind, SuggestionState, TaggingRun, TagSuggestion
from kinema.catalog.services import tagging
from kinema.catalog.services.titles import get_title
from kinema_api.errors import ConflictError
from kinema_api.tagging.schemas import SuggestionPublic, TaggingRunPublic, TitleSuggestions


class SuggestionConflict(ConflictError):
    code = "suggestion_conflict"


def to_public(s: TagSuggestion) -> SuggestionPublic:
    current = s.title.maturity.value if s.kind is SuggestionKind.MATURITY else None
    return SuggestionPublic(
        id=s.id,
        title_id=s.title_id,
        title_name=s.title.name,
        kind=s.kind,
        value=s.value,
        source=s.source,
        state=s.state,
        confidence=s.confidence,
        reason=s.reason,
        current=current,
        created_at=s.created_at,
        decided_at=s.decided_at,
    )


def _run(run: TaggingRun | None) -> TaggingRunPublic | None:
    if run is None:
        return None
    return TaggingRunPublic(
        state=run.state,
        source=run.source,
        error=run.error,
        started_at=run.started_at,
        finished_at=run.finished_at,
        input_tokens=run.input_tokens,
        output_tokens=run.output_tokens,
        cost_usd=round(run.cost_usd, 6),
    )


def pending(session: Session, *, limit: int) -> list[SuggestionPublic]:
    return [to_public(s) for s in tagging.list_suggestions(session, limit=limit)]


def for_title(
    session: Session, *, title_id: uuid.UUID, state: SuggestionState | None
) -> TitleSuggestions:
    get_title(session, title_id=title_id)
    found = tagging.list_suggestions(session, title_id=title_id, state=state)
    return TitleSuggestions(
        title_id=title_id,
        run=_run(tagging.run_of(session, title_id=title_id)),
        suggestions=[to_public(s) for s in found],
    )


def accept(
    session: Session, *, suggestion_id: uuid.UUID, user_id: uuid.UUID, replace: bool
) -> SuggestionPublic:
    try:
        done = tagging.accept(
            session, suggestion_id=suggestion_id, user_id=user_id, replace=replace
        )
    except Conflict as exc:
        raise SuggestionConflict(str(exc)) from exc
    session.commit()
    return to_public(done)


def reject(session: Session, *, suggestion_id: uuid.UUID, user_id: uuid.UUID) -> SuggestionPublic:
    done = tagging.reject(session, suggestion_id=suggestion_id, user_id=user_id)
    session.commit()
    return to_public(done)


def retag(
    session: Session, *, title_id: uuid.UUID, wake: threading.Event | None
) -> TitleSuggestions:
    tagging.requeue(session, title_id=title_id)
    session.commit()
    if wake is not None:
        wake.set()
    return for_title(session, title_id=title_id, state=SuggestionState.PENDING)
