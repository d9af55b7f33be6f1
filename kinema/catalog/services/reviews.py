"""Reviews (one per profile per title, with a score that is also the profile's rating)
and their "helpful" votes. Writes flush and never commit; who may write is the
caller's decision (see :mod:`kinema.catalog.services.social`)."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.errors import Conflict, NotFound
from kinema.catalog.models import Review, ReviewVote, utcnow
from kinema.catalog.services.social import Page, insert_once, page_of
from kinema.catalog.services.viewing import rate_title


class ReviewOrder(enum.StrEnum):
    HELPFUL = "helpful"  # most helpful votes first
    NEWEST = "newest"


def find_review(session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID) -> Review | None:
    return session.scalar(
        select(Review)
        .where(Review.profile_id == profile_id, Review.title_id == title_id)
        .options(selectinload(Review.profile))
    )


def get_review(session: Session, *, review_id: uuid.UUID) -> Review:
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review {review_id}")
    return review


def write_review(
    session: Session, *, profile_id: uuid.UUID, title_id: uuid.UUID, body: str, score: int
) -> tuple[Review, bool]:
    """Create the profile's review of the title or change it, and set the profile's
    rating to its score; True when it was created."""
    rate_title(session, profile_id=profile_id, title_id=title_id, score=score)
    review = find_review(session, profile_id=profile_id, title_id=title_id)
    if review is not None:
        if (review.body, review.score) != (body, score):
            review.body, review.score = body, score
            review.edited_at = utcnow()
            session.flush()
        return review, False
    review = Review(profile_id=profile_id, title_id=title_id, body=body, score=score)
    if not insert_once(session, review):
        raise Conflict(f"this profile already reviewed title {title_id}")
    session.refresh(review, ["profile"])
    return review, True


def delete_review(session: Session, *, review: Review) -> None:
    """The review and its votes go; the profile's rating of the title stays."""
    session.delete(review)
    session.flush()


def _helpful_total() -> ColumnElement[int]:
    return (
        select(func.count())
        .where(ReviewVote.review_id == Review.id)
        .correlate(Review)
        .scalar_subquery()
    )


def reviews(
    session: Session,
    *,
    title_id: uuid.UUID,
    order: ReviewOrder = ReviewOrder.HELPFUL,
    limit: int = 20,
    offset: int = 0,
) -> Page[Review]:
    newest = (Review.created_at.desc(), Review.id.desc())
    query = select(Review).where(Review.title_id == title_id).options(selectinload(Review.profile))
    if order is ReviewOrder.HELPFUL:
        query = query.order_by(_helpful_total().desc(), *newest)
    else:
        query = query.order_by(*newest)
    return page_of(session, query, limit=limit, offset=offset)


def helpful_counts(session: Session, *, review_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not review_ids:
        return {}
    rows = session.execute(
        select(ReviewVote.review_id, func.count())
        .where(ReviewVote.review_id.in_(review_ids))
        .group_by(ReviewVote.review_id)
    )
    return {review_id: int(n) for review_id, n in rows}


def voted_by(
    session: Session, *, profile_id: uuid.UUID, review_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    if not review_ids:
        return set()
    return set(
        session.scalars(
            select(ReviewVote.review_id).where(
                ReviewVote.profile_id == profile_id, ReviewVote.review_id.in_(review_ids)
            )
        )
    )


def vote_helpful(session: Session, *, review_id: uuid.UUID, profile_id: uuid.UUID) -> bool:
    """False when the profile had already voted for it."""
    if session.get(ReviewVote, (review_id, profile_id)) is not None:
        return False
    return insert_once(session, ReviewVote(review_id=review_id, profile_id=profile_id))


def unvote_helpful(session: Session, *, review_id: uuid.UUID, profile_id: uuid.UUID) -> bool:
    result = session.execute(
        delete(ReviewVote).where(
            ReviewVote.review_id == review_id, ReviewVote.profile_id == profile_id
        )
    )
    return bool(getattr(result, "rowcount", 0))
