"""``/moderation/clips``: every profile's clips for admins, newest first. Deleting one
is ``DELETE /clips/{id}``. See docs/clips.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kinema_api.clips.schemas import ClipModerationPage
from kinema_api.clips.services import moderation
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ReadSessionDep

router = APIRouter(prefix="/moderation/clips", tags=["moderation"], responses=ERRORS)


@router.get("", summary="Every profile's clips, newest first (admins)")
def all_clips(
    admin: AdminViewer,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ClipModerationPage:
    return moderation.clips(session, admin=admin, limit=limit, offset=offset)
