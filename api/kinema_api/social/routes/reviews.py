"""Ratings summaries, reviews and helpful votes. Rating a title is the viewing domain's
``PUT /titles/{title_id}/rating``; writing a review sets that rating too."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kinema.catalog.services.reviews import ReviewOrder
from kinema_api.common import ERRORS, Message
from kinema_api.deps import CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.social.schemas import (
    HelpfulPublic,
    RatingSummaryPublic,
    ReviewPage,
    ReviewPublic,
    ReviewWrite,
)
from kinema_api.social.services import reviews

router = APIRouter(tags=["reviews"], responses=ERRORS)


@router.get("/titles/{title_id}/ratings", summary="A title's average rating and distribution")
def title_ratings(
    title_id: uuid.UUID, viewer: CurrentViewer, session: ReadSessionDep
) -> RatingSummaryPublic:
    return reviews.ratings(session, viewer=viewer, title_id=title_id)


@router.get("/titles/{title_id}/reviews", summary="Reviews of a title")
def title_reviews(
    title_id: uuid.UUID,
    viewer: CurrentViewer,
    session: ReadSessionDep,
    order: Annotated[
        ReviewOrder, Query(description="most helpful first, or newest first")
    ] = ReviewOrder.HELPFUL,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ReviewPage:
    return reviews.on_title(
        session, viewer=viewer, title_id=title_id, order=order, limit=limit, offset=offset
    )


@router.put(
    "/titles/{title_id}/review",
    summary="Write or edit this profile's review (also rates the title)",
    responses={201: {"model": ReviewPublic, "description": "Created"}},
    dependencies=[WriteRateLimit],
)
def write_review(
    title_id: uuid.UUID,
    body: ReviewWrite,
    viewer: CurrentViewer,
    session: SessionDep,
    response: Response,
) -> ReviewPublic:
    review, created = reviews.write(
        session, viewer=viewer, title_id=title_id, body=body.body, score=body.score
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return review


@router.delete(
    "/titles/{title_id}/review",
    summary="Delete this profile's review (its rating stays)",
    dependencies=[WriteRateLimit],
)
def delete_own_review(title_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    reviews.delete_own(session, viewer=viewer, title_id=title_id)
    return Message(message="review deleted")


@router.delete(
    "/reviews/{review_id}",
    summary="Delete a review (its author, or an admin)",
    dependencies=[WriteRateLimit],
)
def delete_review(review_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    reviews.delete(session, viewer=viewer, review_id=review_id)
    return Message(message="review deleted")


@router.put(
    "/reviews/{review_id}/helpful",
    summary="Vote a review helpful (not one's own)",
    dependencies=[WriteRateLimit],
)
def vote_helpful(review_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> HelpfulPublic:
    return reviews.set_helpful(session, viewer=viewer, review_id=review_id, on=True)


@router.delete(
    "/reviews/{review_id}/helpful",
    summary="Take back a helpful vote",
    dependencies=[WriteRateLimit],
)
def unvote_helpful(
    review_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep
) -> HelpfulPublic:
    return reviews.set_helpful(session, viewer=viewer, review_id=review_id, on=False)
