"""Comments, reactions, ratings and reviews: the catalog's side of the social features.

Writes flush and never commit (the caller owns the transaction). Who may do what is
the caller's decision (the API's ``social`` services): nothing here knows about
viewers, kids profiles or admins. Listings return a :class:`Page` (rows and the total)
and the aggregates the API shows beside them are separate queries over the page's ids,
so a page costs a fixed number of queries whatever its length.

A one-per-profile row (a reaction, a report, a vote, a review) is inserted in a
savepoint: two concurrent requests on PostgreSQL cannot both win, and the loser is
told "already there" instead of failing the whole request.
"""

from __future__ import annotations

import enum
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, cast, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from kinema.catalog.errors import Conflict, NotFound
from kinema.catalog.models import (
    Base,
    Comment,
    CommentReaction,
    CommentReport,
    Emoji,
    Rating,
    Reaction,
    ReportReason,
    utcnow,
)


class CommentOrder(enum.StrEnum):
    NEWEST = "newest"
    TOP = "top"  # most reactions first


class ReportState(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int


def insert_once(session: Session, row: Base) -> bool:
    """Add ``row`` in a savepoint; False when a unique key says it is already there."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def page_of(session: Session, query: Select[T], *, limit: int, offset: int) -> Page[T]:
    """One page of ``query``'s rows, and how many rows it has in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(session.scalars(query.limit(limit).offset(offset)))
    return Page(items, int(total or 0))


# --- comments --------------------------------------------------------------------------


def add_comment(
    session: Session,
    *,
    title_id: uuid.UUID,
    profile_id: uuid.UUID,
    body: str,
    video_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    position_s: float | None = None,
) -> Comment:
    comment = Comment(
        title_id=title_id,
        video_id=video_id,
        profile_id=profile_id,
        parent_id=parent_id,
        body=body,
        position_s=position_s,
    )
    session.add(comment)
    session.flush()
    return comment


def get_comment(session: Session, *, comment_id: uuid.UUID, deleted_ok: bool = False) -> Comment:
    """A comment that exists and, unless ``deleted_ok``, is not deleted."""
    comment = session.get(Comment, comment_id)
    if comment is None or (comment.deleted_at is not None and not deleted_ok):
        raise NotFound(f"no comment {comment_id}")
    return comment


def edit_comment(session: Session, *, comment: Comment, body: str) -> Comment:
    if body != comment.body:
        comment.body = body
        comment.edited_at = utcnow()
        session.flush()
    return comment


def delete_comment(session: Session, *, comment: Comment) -> None:
    """Soft delete: the row stays (its replies hang off it) with its text cleared; its
    reactions go, and the reports about it count as dealt with."""
    now = utcnow()
    comment.deleted_at = now
    comment.body = ""
    session.execute(delete(CommentReaction).where(CommentReaction.comment_id == comment.id))
    for report in session.scalars(
        select(CommentReport).where(
            CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None)
        )
    ):
        report.resolved_at = now
    session.flush()


def _reaction_total(comment: type[Comment]) -> ColumnElement[int]:
    return (
        select(func.count())
        .where(CommentReaction.comment_id == comment.id)
        .correlate(comment)
        .scalar_subquery()
    )


def comments(
    session: Session,
    *,
    title_id: uuid.UUID | None = None,
    video_id: uuid.UUID | None = None,
    order: CommentOrder = CommentOrder.NEWEST,
    limit: int = 20,
    offset: int = 0,
) -> Page[Comment]:
    """Top-level comments on a title (all of them, its videos' included) or on one video.

    A deleted comment is listed only while it has replies that are not deleted.
    """
    reply = aliased(Comment)
    live_reply = exists().where(reply.parent_id == Comment.id, reply.deleted_at.is_(None))
    query = select(Comment).where(
        Comment.parent_id.is_(None), or_(Comment.deleted_at.is_(None), live_reply)
    )
    if title_id is not None:
        query = query.where(Comment.title_id == title_id)
    if video_id is not None:
        query = query.where(Comment.video_id == video_id)
    newest = (Comment.created_at.desc(), Comment.id.desc())
    if order is CommentOrder.TOP:
        query = query.order_by(_reaction_total(Comment).desc(), *newest)
    else:
        query = query.order_by(*newest)
    return page_of(
        session, query.options(selectinload(Comment.profile)), limit=limit, offset=offset
    )


def replies(
    session: Session, *, parent_id: uuid.UUID, limit: int = 50, offset: int = 0
) -> Page[Comment]:
    """A comment's replies that are not deleted, oldest first (a conversation)."""
    query = (
        select(Comment)
        .where(Comment.parent_id == parent_id, Comment.deleted_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(selectinload(Comment.profile))
    )
    return page_of(session, query, limit=limit, offset=offset)


def reply_counts(session: Session, *, comment_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not comment_ids:
        return {}
    rows = session.execute(
        select(Comment.parent_id, func.count())
        .where(Comment.parent_id.in_(comment_ids), Comment.deleted_at.is_(None))
        .group_by(Comment.parent_id)
    )
    return {parent: int(n) for parent, n in rows if parent is not None}


# --- reactions on comments -------------------------------------------------------------


def react(session: Session, *, comment_id: uuid.UUID, profile_id: uuid.UUID, emoji: Emoji) -> bool:
    """False when the profile had already reacted so."""
    if session.get(CommentReaction, (comment_id, profile_id, emoji)) is not None:
        return False
    return insert_once(
        session, CommentReaction(comment_id=comment_id, profile_id=profile_id, emoji=emoji)
    )


def unreact(
    session: Session, *, comment_id: uuid.UUID, profile_id: uuid.UUID, emoji: Emoji
) -> bool:
    result = session.execute(
        delete(CommentReaction).where(
            CommentReaction.comment_id == comment_id,
            CommentReaction.profile_id == profile_id,
            CommentReaction.emoji == emoji,
        )
    )
    return bool(getattr(result, "rowcount", 0))


def reaction_counts(
    session: Session, *, comment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Counter[Emoji]]:
    counts: dict[uuid.UUID, Counter[Emoji]] = {}
    if not comment_ids:
        return counts
    rows = session.execute(
        select(CommentReaction.comment_id, CommentReaction.emoji, func.count())
        .where(CommentReaction.comment_id.in_(comment_ids))
        .group_by(CommentReaction.comment_id, CommentReaction.emoji)
    )
    for comment_id, emoji, n in rows:
        counts.setdefault(comment_id, Counter())[emoji] = int(n)
    return counts


def reactions_by(
    session: Session, *, profile_id: uuid.UUID, comment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, set[Emoji]]:
    mine: dict[uuid.UUID, set[Emoji]] = {}
    if not comment_ids:
        return mine
    rows = session.execute(
        select(CommentReaction.comment_id, CommentReaction.emoji).where(
            CommentReaction.profile_id == profile_id,
            CommentReaction.comment_id.in_(comment_ids),
        )
    )
    for comment_id, emoji in rows:
        mine.setdefault(comment_id, set()).add(emoji)
    return mine


# --- reports ---------------------------------------------------------------------------


def report_comment(
    session: Session,
    *,
    comment_id: uuid.UUID,
    profile_id: uuid.UUID,
    reason: ReportReason,
    note: str = "",
) -> CommentReport:
    report = CommentReport(comment_id=comment_id, profile_id=profile_id, reason=reason, note=note)
    if not insert_once(session, report):
        raise Conflict(f"this profile already reported comment {comment_id}")
    return report


def reports(
    session: Session, *, state: ReportState = ReportState.OPEN, limit: int = 50, offset: int = 0
) -> Page[CommentReport]:
    """Reports, oldest first (the queue an admin works through)."""
    query = select(CommentReport).options(
        selectinload(CommentReport.comment).selectinload(Comment.profile),
        selectinload(CommentReport.profile),
    )
    if state is ReportState.OPEN:
        query = query.where(CommentReport.resolved_at.is_(None))
    elif state is ReportState.RESOLVED:
        query = query.where(CommentReport.resolved_at.is_not(None))
    query = query.order_by(CommentReport.created_at, CommentReport.id)
    return page_of(session, query, limit=limit, offset=offset)


def resolve_report(session: Session, *, report_id: uuid.UUID) -> CommentReport:
    report = session.get(CommentReport, report_id)
    if report is None:
        raise NotFound(f"no report {report_id}")
    if report.resolved_at is None:
        report.resolved_at = utcnow()
        session.flush()
    return report


# --- timestamped reactions on a video --------------------------------------------------


def add_reaction(
    session: Session,
    *,
    video_id: uuid.UUID,
    profile_id: uuid.UUID,
    emoji: Emoji,
    position_s: float,
    at: datetime | None = None,
) -> Reaction:
    reaction = Reaction(
        video_id=video_id,
        profile_id=profile_id,
        emoji=emoji,
        position_s=position_s,
        created_at=at or utcnow(),
    )
    session.add(reaction)
    session.flush()
    return reaction


def latest_reaction_s(session: Session, *, video_id: uuid.UUID) -> float | None:
    value = session.scalar(
        select(func.max(Reaction.position_s)).where(Reaction.video_id == video_id)
    )
    return float(value) if value is not None else None


def reaction_density(
    session: Session, *, video_id: uuid.UUID, duration_s: float, buckets: int
) -> list[Counter[Emoji]]:
    """Reactions per emoji in each of ``buckets`` equal slices of ``[0, duration_s]``;
    one past the end (a shorter re-transcode) counts in the last slice."""
    density: list[Counter[Emoji]] = [Counter() for _ in range(buckets)]
    if duration_s <= 0:
        return density
    scaled = Reaction.position_s * (buckets / duration_s)
    # Positions are never negative, so truncation is floor; PostgreSQL's integer cast
    # rounds instead, so it floors first.
    sqlite = session.get_bind().dialect.name == "sqlite"
    index = cast(scaled if sqlite else func.floor(scaled), Integer).label("bucket")
    inner = select(index, Reaction.emoji).where(Reaction.video_id == video_id).subquery()
    rows = session.execute(
        select(inner.c.bucket, inner.c.emoji, func.count()).group_by(inner.c.bucket, inner.c.emoji)
    )
    for bucket, emoji, n in rows:
        density[min(max(int(bucket), 0), buckets - 1)][Emoji(emoji)] += int(n)
    return density


# --- ratings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingSummary:
    average: float | None
    count: int
    # How many profiles gave 1, 2, 3, 4 and 5 stars.
    distribution: tuple[int, int, int, int, int]


def rating_summary(session: Session, *, title_id: uuid.UUID) -> RatingSummary:
    rows = session.execute(
        select(Rating.score, func.count()).where(Rating.title_id == title_id).group_by(Rating.score)
    )
    per_score = {int(score): int(n) for score, n in rows}
    counts = tuple(int(per_score.get(score, 0)) for score in range(1, 6))
    total = sum(counts)
    average = (
        sum(s * n for s, n in zip(range(1, 6), counts, strict=True)) / total if total else None
    )
    return RatingSummary(average, total, (counts[0], counts[1], counts[2], counts[3], counts[4]))
