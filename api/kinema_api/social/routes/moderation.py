"""``/moderation/comments``: the admins' queue of reported comments, one entry per
comment, and dismissing a comment's reports. Deleting the comment is ``DELETE
/comments/{id}``. See docs/social.md ("Moderation")."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kinema.catalog.services.social import ReportState
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.social.schemas import ReportedCommentPage, ReportedCommentPublic
from kinema_api.social.services import moderation

router = APIRouter(prefix="/moderation/comments", tags=["moderation"], responses=ERRORS)


@router.get("", summary="Reported comments, most recently reported first (admins)")
def reported_comments(
    admin: AdminViewer,
    session: ReadSessionDep,
    state: Annotated[ReportState, Query(description="open, resolved or all")] = ReportState.OPEN,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ReportedCommentPage:
    return moderation.queue(session, admin=admin, state=state, limit=limit, offset=offset)


@router.post(
    "/{comment_id}/dismiss",
    summary="Dismiss a comment's reports, keeping the comment (admins)",
    dependencies=[WriteRateLimit],
)
def dismiss_reports(
    comment_id: uuid.UUID, admin: AdminViewer, session: SessionDep
) -> ReportedCommentPublic:
    return moderation.dismiss(session, admin=admin, comment_id=comment_id)
