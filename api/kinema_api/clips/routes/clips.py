"""``/api/v1/clips``: make a clip, read one (signed out too), list one's own, delete,
and the preview's public files. See docs/clips.md."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response, status

from kinema_api.clips.schemas import ClipCreate, ClipPublic
from kinema_api.clips.services import clips
from kinema_api.common import ERRORS, ErrorPublic
from kinema_api.deps import (
    ContextDep,
    CurrentViewer,
    OptionalViewer,
    ReadSessionDep,
    SessionDep,
    WriteRateLimit,
)
from kinema_api.viewing.routes.playback import MEDIA_RESPONSES, serve_media
from kinema_api.viewing.services.playback import StreamTarget

router = APIRouter(prefix="/clips", tags=["clips"], responses=ERRORS)

_CREATE: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorPublic,
        "description": "`kids_profile`: kids profiles make no clips; or the title is "
        "above the profile's maturity limit",
    },
    422: {
        "model": ErrorPublic,
        "description": "`validation_error` (range under 1 s or over 60 s, bad caption), "
        "`clip_out_of_range` (past the video's end), `video_not_ready`",
    },
}
_Range = Annotated[str | None, Header(alias="Range", max_length=200)]


@router.post(
    "",
    summary="Share a range (at most 60 s) of a video",
    status_code=status.HTTP_201_CREATED,
    responses=_CREATE,
    dependencies=[WriteRateLimit],
)
def create_clip(
    body: ClipCreate, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> ClipPublic:
    """The preview is made afterwards by a worker: ``preview.state`` is ``pending``."""
    return clips.create(ctx, session, viewer=viewer, body=body)


@router.get("", summary="The clips this profile made, newest first")
def my_clips(viewer: CurrentViewer, session: ReadSessionDep) -> list[ClipPublic]:
    return clips.mine(session, viewer=viewer)


@router.get("/{clip_id}", summary="A clip (signed out: its card and preview only)")
def get_clip(clip_id: uuid.UUID, viewer: OptionalViewer, session: ReadSessionDep) -> ClipPublic:
    return clips.get(session, viewer=viewer, clip_id=clip_id)


@router.delete(
    "/{clip_id}",
    summary="Delete a clip (its maker, or an admin)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def delete_clip(
    clip_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> None:
    clips.delete(ctx, session, viewer=viewer, clip_id=clip_id)


@router.get(
    "/{clip_id}/{name}",
    summary="A ready clip's preview: preview.mp4 or still.jpg (public, Range supported)",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def clip_preview_file(
    clip_id: uuid.UUID,
    name: Literal["preview.mp4", "still.jpg"],
    request: Request,
    viewer: OptionalViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: _Range = None,
) -> Response:
    return serve_media(
        lambda: StreamTarget(
            key=clips.preview_key(session, viewer=viewer, clip_id=clip_id, name=name)
        ),
        path=name,
        request=request,
        ctx=ctx,
        session=session,
        range_header=range_header,
    )
