"""Auto-tagging rows: queue a run when a title is published, claim and finish runs,
store suggestions, and an admin's accept or reject.

A suggestion never changes the title by itself. Accepting one adds the genre or tag;
a maturity suggestion replaces the title's rating (set by an admin) only when the
accept says ``replace``, otherwise it is refused as a conflict and stays pending.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.errors import Conflict, InvalidChange, NotFound
from kinema.catalog.models import (
    ClaudeCall,
    Maturity,
    RunState,
    SuggestionKind,
    SuggestionSource,
    SuggestionState,
    TaggingRun,
    TagSuggestion,
    Title,
    Video,
    VideoStatus,
    utcnow,
)
from kinema.catalog.services.titles import ensure_genres, ensure_tags, refresh_keywords
from kinema.tagging.types import Labelled, Suggested


def queue_published(session: Session) -> int:
    """Queue a run for each published title with a ready video that has none yet."""
    ready = exists().where(Video.title_id == Title.id, Video.status == VideoStatus.READY)
    has_run = exists().where(TaggingRun.title_id == Title.id)
    ids = session.scalars(select(Title.id).where(Title.published, ready, ~has_run)).all()
    for title_id in ids:
        session.add(TaggingRun(title_id=title_id, state=RunState.QUEUED))
    session.flush()
    return len(ids)


def requeue(session: Session, *, title_id: uuid.UUID) -> TaggingRun:
    """Run the tagging of a title again (an admin asked); its cost this month stays."""
    title = session.get(Title, title_id)
    if title is None:
        raise NotFound(f"no title {title_id}")
    run = session.get(TaggingRun, title_id) or TaggingRun(title_id=title_id)
    if run.state is RunState.RUNNING:
        raise InvalidChange(f"the tagging of title {title_id} is running")
    if run.finished_at is not None and run.finished_at < month_start(utcnow()):
        run.input_tokens, run.output_tokens, run.cost_usd = 0, 0, 0.0
    run.state, run.error, run.claimed_by = RunState.QUEUED, None, None
    session.add(run)
    session.flush()
    return run


def release_claims(session: Session, *, prefix: str) -> int:
    """Queue again the runs a dead process (``prefix``: its host) left running."""
    result = session.execute(
        update(TaggingRun)
        .where(TaggingRun.state == RunState.RUNNING, TaggingRun.claimed_by.startswith(prefix))
        .values(state=RunState.QUEUED, claimed_by=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def claim(session: Session, *, worker: str) -> TaggingRun | None:
    query = select(TaggingRun).where(TaggingRun.state == RunState.QUEUED)
    query = query.order_by(TaggingRun.title_id).limit(1).with_for_update(skip_locked=True)
    run = session.scalars(query).first()
    if run is None:
        return None
    run.state, run.claimed_by, run.started_at = RunState.RUNNING, worker, utcnow()
    session.flush()
    return run


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_cost(session: Session, *, now: datetime | None = None) -> float:
    """USD spent on Claude this calendar month (UTC): the tagging runs' recorded usage
    and every other call's (``claude_calls``: the recommender's notes)."""
    since = month_start(now or utcnow())
    total = 0.0
    for column, finished in ((TaggingRun.cost_usd, TaggingRun.finished_at),
                             (ClaudeCall.cost_usd, ClaudeCall.finished_at)):  # fmt: skip
        spent = session.scalar(
            select(func.coalesce(func.sum(column), 0.0)).where(finished >= since)
        )
        total += float(spent or 0.0)
    return total


def finish(
    session: Session,
    *,
    title_id: uuid.UUID,
    worker: str,
    source: SuggestionSource,
    suggestions: Sequence[Suggested],
    error: str | None = None,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cost_usd: float = 0.0,
) -> bool:
    """Record a run's end and its new suggestions; False when the claim was lost (the
    title was deleted or the run re-queued meanwhile)."""
    run = session.get(TaggingRun, title_id, with_for_update=True)
    if run is None or run.claimed_by != worker or run.state is not RunState.RUNNING:
        return False
    run.state = RunState.FAILED if error and not suggestions else RunState.DONE
    run.source, run.error, run.finished_at = source, error, utcnow()
    run.input_tokens += input_tokens
    run.output_tokens += output_tokens
    run.cost_usd += cost_usd
    known = {
        (k, v.lower())
        for k, v in session.execute(
            select(TagSuggestion.kind, TagSuggestion.value).where(
                TagSuggestion.title_id == title_id
            )
        )
    }
    for s in suggestions:
        kind = SuggestionKind(s.kind)
        value = s.value.strip()[:80]
        if not value or (kind, value.lower()) in known:
            continue
        known.add((kind, value.lower()))
        session.add(
            TagSuggestion(
                title_id=title_id,
                kind=kind,
                value=value,
                source=source,
                confidence=max(0.0, min(1.0, s.confidence)),
                reason=s.reason[:1000],
            )
        )
    session.flush()
    return True


def catalog(session: Session) -> list[Labelled]:
    """Every published title with its labels: what the local classifier learns from."""
    titles = session.scalars(
        select(Title)
        .where(Title.published)
        .options(selectinload(Title.genres), selectinload(Title.tags))
        .order_by(Title.id)
    ).all()
    return [
        Labelled(
            str(t.id),
            t.name,
            t.description,
            [g.name for g in t.genres],
            [x.name for x in t.tags],
            t.maturity.value,
        )
        for t in titles
    ]


def list_suggestions(
    session: Session,
    *,
    title_id: uuid.UUID | None = None,
    state: SuggestionState | None = SuggestionState.PENDING,
    limit: int = 200,
) -> list[TagSuggestion]:
    query = select(TagSuggestion).options(selectinload(TagSuggestion.title))
    if title_id is not None:
        query = query.where(TagSuggestion.title_id == title_id)
    if state is not None:
        query = query.where(TagSuggestion.state == state)
    order = (TagSuggestion.title_id, TagSuggestion.kind, TagSuggestion.confidence.desc())
    return list(session.scalars(query.order_by(*order, TagSuggestion.value).limit(limit)))


def _pending(session: Session, suggestion_id: uuid.UUID) -> TagSuggestion:
    suggestion = session.get(TagSuggestion, suggestion_id, with_for_update=True)
    if suggestion is None:
        raise NotFound(f"no suggestion {suggestion_id}")
    if suggestion.state is not SuggestionState.PENDING:
        raise InvalidChange(f"suggestion {suggestion_id} is already {suggestion.state}")
    return suggestion


def accept(
    session: Session, *, suggestion_id: uuid.UUID, user_id: uuid.UUID, replace: bool = False
) -> TagSuggestion:
    """Apply a suggestion to its title. A maturity that differs from the title's (an
    admin's value) is applied only with ``replace``; otherwise :class:`Conflict`."""
    suggestion = _pending(session, suggestion_id)
    title = suggestion.title
    if suggestion.kind is SuggestionKind.MATURITY:
        wanted = Maturity(suggestion.value)
        if title.maturity is not wanted:
            if not replace:
                raise Conflict(
                    f"the title's maturity is {title.maturity.value}, set by an admin; "
                    f"accept with replace to change it to {wanted.value}"
                )
            title.maturity = wanted
    elif suggestion.kind is SuggestionKind.GENRE:
        genre = ensure_genres(session, [suggestion.value])[0]
        if genre not in title.genres:
            title.genres.append(genre)
    else:
        tag = ensure_tags(session, [suggestion.value])[0]
        if tag not in title.tags:
            title.tags.append(tag)
    refresh_keywords(title)
    return _decide(session, suggestion, SuggestionState.ACCEPTED, user_id)


def reject(session: Session, *, suggestion_id: uuid.UUID, user_id: uuid.UUID) -> TagSuggestion:
    return _decide(session, _pending(session, suggestion_id), SuggestionState.REJECTED, user_id)


def _decide(
    session: Session, suggestion: TagSuggestion, state: SuggestionState, user_id: uuid.UUID
) -> TagSuggestion:
    suggestion.state, suggestion.decided_at, suggestion.decided_by = state, utcnow(), user_id
    session.flush()
    return suggestion


def run_of(session: Session, *, title_id: uuid.UUID) -> TaggingRun | None:
    return session.get(TaggingRun, title_id)
