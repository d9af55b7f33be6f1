"""Ratings summaries, reviews (one per profile per title; writing one also rates the
title) and "helpful" votes (one per profile, never on one's own review).

The rating itself is written by the viewing domain (``PUT /titles/{id}/rating``);
this module only reads ratings, and sets one through the catalog when a review is
written.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Rating
from kinema.catalog.services import reviews as rows
from kinema.catalog.services import social
from kinema.catalog.services.reviews import ReviewOrder
from kinema_api.accounts.services.auth import Viewer
from kinema_api.errors import NotFoundError
from kinema_api.social.schemas import (
    HelpfulPublic,
    RatingCount,
    RatingSummaryPublic,
    ReviewPage,
    ReviewPublic,
)
from kinema_api.social.services import access, views


def ratings(session: Session, *, viewer: Viewer, title_id: uuid.UUID) -> RatingSummaryPublic:
    """Average, count and distribution; a number, so kids profiles see it too."""
    access.visible_title(session, viewer=viewer, title_id=title_id)
    summary = social.rating_summary(session, title_id=title_id)
    mine = session.get(Rating, (viewer.profile.id, title_id))
    return RatingSummaryPublic(
        title_id=title_id,
        average=summary.average,
        count=summary.count,
        distribution=[
            RatingCount(score=score, count=n)
            for score, n in enumerate(summary.distribution, start=1)
        ],
        mine=mine.score if mine is not None else None,
    )


def on_title(
    session: Session,
    *,
    viewer: Viewer,
    title_id: uuid.UUID,
    order: ReviewOrder,
    limit: int,
    offset: int,
) -> ReviewPage:
    access.require_social(viewer)
    access.visible_title(session, viewer=viewer, title_id=title_id)
    page = rows.reviews(session, title_id=title_id, order=order, limit=limit, offset=offset)
    own = rows.find_review(session, profile_id=viewer.profile.id, title_id=title_id)
    return ReviewPage(
        items=views.reviews(session, viewer=viewer, rows=page.items),
        total=page.total,
        next_offset=views.next_offset(offset=offset, shown=len(page.items), total=page.total),
        mine=views.review(session, viewer=viewer, row=own) if own is not None else None,
    )


def write(
    session: Session, *, viewer: Viewer, title_id: uuid.UUID, body: str, score: int
) -> tuple[ReviewPublic, bool]:
    """Create or change the profile's review; True when it was created."""
    access.require_social(viewer)
    access.visible_title(session, viewer=viewer, title_id=title_id)
    review, created = rows.write_review(
        session, profile_id=viewer.profile.id, title_id=title_id, body=body, score=score
    )
    session.commit()
    return views.review(session, viewer=viewer, row=review), created


def delete_own(session: Session, *, viewer: Viewer, title_id: uuid.UUID) -> None:
    access.require_social(viewer)
    access.visible_title(session, viewer=viewer, title_id=title_id)
    review = rows.find_review(session, profile_id=viewer.profile.id, title_id=title_id)
    if review is None:
        raise NotFoundError(f"this profile has not reviewed title {title_id}")
    rows.delete_review(session, review=review)
    session.commit()


def delete(session: Session, *, viewer: Viewer, review_id: uuid.UUID) -> None:
    """By its author or an admin."""
    access.require_social(viewer)
    review = access.visible_review(session, viewer=viewer, review_id=review_id)
    access.require_author_or_admin(viewer, review.profile_id, what="review")
    rows.delete_review(session, review=review)
    session.commit()


def set_helpful(
    session: Session, *, viewer: Viewer, review_id: uuid.UUID, on: bool
) -> HelpfulPublic:
    """Vote (``on``) or take the vote back; either is idempotent."""
    access.require_social(viewer)
    review = access.visible_review(session, viewer=viewer, review_id=review_id)
    if review.profile_id == viewer.profile.id:
        raise access.OwnReview("you cannot vote for your own review")
    if on:
        rows.vote_helpful(session, review_id=review.id, profile_id=viewer.profile.id)
    else:
        rows.unvote_helpful(session, review_id=review.id, profile_id=viewer.profile.id)
    session.commit()
    shown = views.review(session, viewer=viewer, row=review)
    return HelpfulPublic(
        review_id=review.id, helpful_count=shown.helpful_count, voted_helpful=shown.voted_helpful
    )
