"""Admin: ad creatives (videos marked as ads), their weight and active window."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from kinema_api.ads.schemas import AdCreativeCreate, AdCreativePublic, AdCreativeUpdate
from kinema_api.ads.services import creatives
from kinema_api.common import ERRORS, Message
from kinema_api.deps import AdminViewer, ReadSessionDep, SessionDep, WriteRateLimit

router = APIRouter(prefix="/admin/ads", tags=["admin", "ads"], responses=ERRORS)


@router.get("", summary="Ad creatives, newest first")
def list_creatives(_admin: AdminViewer, session: ReadSessionDep) -> list[AdCreativePublic]:
    return creatives.listing(session)


@router.put(
    "/{video_id}",
    summary="Mark a video as an ad creative (its title leaves the catalog)",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def mark(
    video_id: uuid.UUID, body: AdCreativeCreate, _admin: AdminViewer, session: SessionDep
) -> AdCreativePublic:
    """409 when the video already is one, or is an episode."""
    return creatives.mark(session, video_id=video_id, body=body)


@router.patch(
    "/{video_id}", summary="Edit a creative's weight or window", dependencies=[WriteRateLimit]
)
def update(
    video_id: uuid.UUID, body: AdCreativeUpdate, _admin: AdminViewer, session: SessionDep
) -> AdCreativePublic:
    return creatives.update(session, video_id=video_id, body=body)


@router.delete(
    "/{video_id}",
    summary="No longer an ad (the title stays unpublished)",
    dependencies=[WriteRateLimit],
)
def unmark(video_id: uuid.UUID, _admin: AdminViewer, session: SessionDep) -> Message:
    creatives.unmark(session, video_id=video_id)
    return Message(message="no longer an ad creative")
