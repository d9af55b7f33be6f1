"""The admins' queue of reported comments. Deleting a reported comment is the comments
router's ``DELETE /comments/{comment_id}``, which resolves its reports."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kinema.catalog.services.social import ReportState
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.social.schemas import ReportPage, ReportPublic
from kinema_api.social.services import reports

router = APIRouter(prefix="/comment-reports", tags=["comments"], responses=ERRORS)


@router.get("", summary="Reported comments, oldest report first (admins)")
def list_reports(
    admin: AdminViewer,
    session: ReadSessionDep,
    state: Annotated[ReportState, Query(description="open, resolved or all")] = ReportState.OPEN,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ReportPage:
    return reports.queue(session, admin=admin, state=state, limit=limit, offset=offset)


@router.post(
    "/{report_id}/resolve",
    summary="Mark a report dealt with, keeping the comment (admins)",
    dependencies=[WriteRateLimit],
)
def resolve_report(report_id: uuid.UUID, admin: AdminViewer, session: SessionDep) -> ReportPublic:
    return reports.resolve(session, admin=admin, report_id=report_id)
