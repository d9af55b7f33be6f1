"""Admin: create videos from uploads, edit, re-transcode, delete, follow processing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Response, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

from kinema.catalog.models import VideoStatus
from kinema.catalog.services import titles
from kinema_api.admin.schemas import AdminVideoPublic, VideoCreate, VideoUpdate
from kinema_api.admin.services import resources
from kinema_api.admin.services import videos as video_service
from kinema_api.admin.services.events import VideoWatcher
from kinema_api.common import ERRORS, Message
from kinema_api.deps import AdminViewer, ContextDep, SessionDep, WriteRateLimit

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
    ctx: ContextDep,
    session: SessionDep,
    status_filter: Annotated[VideoStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[AdminVideoPublic]:
    rows = video_service.list_videos(session, status=status_filter, limit=limit, offset=offset)
    live = resources.live_statuses(ctx.videos)
    return video_service.to_public_list(session, rows, live=live)


# Seconds between two looks at the catalog on one events connection.
EVENTS_POLL_S = 1.0


@router.get(
    "/events",
    response_class=EventSourceResponse,
    summary="Processing status changes, as Server-Sent Events",
)
async def video_events(
    _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> AsyncIterator[ServerSentEvent]:
    """``event: video`` (an AdminVideoPublic) for each video whose status, progress,
    error or job changed (every followed video first), ``event: deleted`` (``{"id"}``)
    when one goes; keep-alive comments while nothing happens. Ends when the client
    goes away or the server stops (EventSource then reconnects by itself)."""
    session.close()  # the stream may last hours: hold no connection between looks
    watcher = VideoWatcher(ctx)
    yield ServerSentEvent(retry=3000, comment="kinema admin events")
    while not ctx.stopping.is_set():
        found = await anyio.to_thread.run_sync(watcher.poll)
        for video in found.changed:
            yield ServerSentEvent(event="video", data=video.model_dump(mode="json"))
        for video_id in found.removed:
            yield ServerSentEvent(event="deleted", data={"id": str(video_id)})
        await anyio.sleep(EVENTS_POLL_S)


@router.get("/{video_id}", summary="One video's live processing status")
def get_video(
    video_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> AdminVideoPublic:
    video = titles.get_video(session, video_id=video_id)
    live = resources.live_statuses(ctx.videos) if video.resource_name else None
    return video_service.to_public(session, video, live=live)


@router.patch("/{video_id}", dependencies=[WriteRateLimit])
def update_video(
    video_id: uuid.UUID,
    body: VideoUpdate,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> AdminVideoPublic:
    video = video_service.update(
        ctx, session, video=titles.get_video(session, video_id=video_id), body=body
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


@router.delete(
    "/{video_id}",
    dependencies=[WriteRateLimit],
    responses={202: {"model": Message, "description": "Deletion asked of the cluster"}},
)
def delete_video(
    video_id: uuid.UUID,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
    response: Response,
) -> Message:
    """Embedded: deleted now (200). Cluster: the Video resource is deleted and its
    finalizer removes the output and the catalog rows (202)."""
    video = titles.get_video(session, video_id=video_id)
    if video_service.delete(ctx, session, video=video):
        return Message(message="video deleted")
    response.status_code = status.HTTP_202_ACCEPTED
    return Message(message="deletion requested; the operator removes the output and the row")
