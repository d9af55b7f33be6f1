"""Admin: create videos from uploads, edit, re-transcode, delete, follow processing."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from kinema.catalog.models import VideoStatus
from kinema.catalog.services import titles
from kinema_api.deps import AdminViewer, ContextDep, SessionDep, WriteRateLimit
from kinema_api.schemas.admin import AdminVideoPublic, VideoCreate, VideoUpdate
from kinema_api.schemas.common import ERRORS, Message
from kinema_api.services import videos as video_service

router = APIRouter(prefix="/admin/videos", tags=["admin"], responses=ERRORS)


class Retranscode(BaseModel):
    upload_id: uuid.UUID | None = None


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[WriteRateLimit])
def create_video(
    body: VideoCreate, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> AdminVideoPublic:
    video = video_service.create(ctx, session, body=body)
    return video_service.to_public(session, video)


@router.get("", summary="Videos with their processing status")
def list_videos(
    _admin: AdminViewer,
    session: SessionDep,
    status_filter: Annotated[VideoStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[AdminVideoPublic]:
    rows = video_service.list_videos(session, status=status_filter, limit=limit, offset=offset)
    return [video_service.to_public(session, v) for v in rows]


@router.get("/{video_id}", summary="One video's live processing status")
def get_video(video_id: uuid.UUID, _admin: AdminViewer, session: SessionDep) -> AdminVideoPublic:
    return video_service.to_public(session, titles.get_video(session, video_id=video_id))


@router.patch("/{video_id}", dependencies=[WriteRateLimit])
def update_video(
    video_id: uuid.UUID, body: VideoUpdate, _admin: AdminViewer, session: SessionDep
) -> AdminVideoPublic:
    video = video_service.update(
        session, video=titles.get_video(session, video_id=video_id), body=body
    )
    return video_service.to_public(session, video)


@router.post(
    "/{video_id}/transcode",
    summary="Transcode again (optionally from a new upload)",
    dependencies=[WriteRateLimit],
)
def retranscode(
    video_id: uuid.UUID,
    body: Retranscode,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> AdminVideoPublic:
    video = titles.get_video(session, video_id=video_id)
    video_service.retranscode(ctx, session, video=video, upload_id=body.upload_id)
    return video_service.to_public(session, video)


@router.delete("/{video_id}", dependencies=[WriteRateLimit])
def delete_video(
    video_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> Message:
    video_service.delete(ctx, session, video=titles.get_video(session, video_id=video_id))
    return Message(message="video deleted")
