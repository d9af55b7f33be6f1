"""Admin: auto-tagging suggestions to accept or reject (docs/auto-tagging.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from kinema.catalog.models import SuggestionState
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ContextDep, SessionDep, WriteRateLimit
from kinema_api.tagging.schemas import AcceptSuggestion, SuggestionPublic, TitleSuggestions
from kinema_api.tagging.services import suggestions

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


@router.get("/suggestions", summary="Pending tag suggestions, across titles")
def list_pending(
    _admin: AdminViewer,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[SuggestionPublic]:
    return suggestions.pending(session, limit=limit)


@router.get("/titles/{title_id}/suggestions", summary="A title's suggestions and tagging run")
def title_suggestions(
    title_id: uuid.UUID,
    _admin: AdminViewer,
    session: SessionDep,
    state: Annotated[SuggestionState | None, Query()] = SuggestionState.PENDING,
) -> TitleSuggestions:
    return suggestions.for_title(session, title_id=title_id, state=state)


@router.post(
    "/titles/{title_id}/suggestions/retag",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Run the title's auto-tagging again",
    dependencies=[WriteRateLimit],
)
def retag(
    title_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> TitleSuggestions:
    return suggestions.retag(session, title_id=title_id, wake=ctx.tagging_queued)


@router.post(
    "/suggestions/{suggestion_id}/accept",
    summary="Apply a suggestion to its title",
    dependencies=[WriteRateLimit],
)
def accept(
    suggestion_id: uuid.UUID,
    admin: AdminViewer,
    session: SessionDep,
    body: AcceptSuggestion | None = None,
) -> SuggestionPublic:
    replace = body.replace if body is not None else False
    return suggestions.accept(
        session, suggestion_id=suggestion_id, user_id=admin.user.id, replace=replace
    )


@router.post(
    "/suggestions/{suggestion_id}/reject",
    summary="Dismiss a suggestion (it is not made again)",
    dependencies=[WriteRateLimit],
)
def reject(suggestion_id: uuid.UUID, admin: AdminViewer, session: SessionDep) -> SuggestionPublic:
    return suggestions.reject(session, suggestion_id=suggestion_id, user_id=admin.user.id)
