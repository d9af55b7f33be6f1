"""The ad decision (VAST 4), the creative's media and its tracking pixels.

``GET /ads/decision?video=`` is for signed-in viewers; a plan without ads gets 204 and
the web app, which knows the plan from the playback response, never asks. Media and
pixels need no cookie: the signed token in the path is the credential, as for streams.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from kinema.storage import ObjectNotFound, StorageError
from kinema.storage.errors import InvalidKey
from kinema_api.ads.schemas import AdEvent
from kinema_api.ads.services import decision as decision_service
from kinema_api.ads.services import delivery
from kinema_api.common import ERRORS
from kinema_api.context import AppContext
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep
from kinema_api.errors import ApiError, NotFoundError, Unavailable
from kinema_api.viewing.services import media as media_service

router = APIRouter(prefix="/ads", tags=["ads"], responses=ERRORS)

VAST_TYPE = "application/xml"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Range, ETag",
}


@router.get(
    "/decision",
    summary="The pre-roll before a video, as VAST 4",
    response_class=Response,
    responses={
        200: {"content": {VAST_TYPE: {}}, "description": "VAST 4 (empty: no ad now)"},
        204: {"description": "This viewer's plan has no ads"},
    },
)
def ad_decision(
    video: Annotated[uuid.UUID, Query(description="The video about to play")],
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> Response:
    document = decision_service.decide(ctx, session, viewer=viewer, video_id=video)
    if document is None:
        return Response(status_code=204)
    return Response(document, media_type=VAST_TYPE, headers={"Cache-Control": "no-store"})


@router.get(
    "/track/{token}/{event}",
    summary="A VAST tracking pixel: impression, quartiles, complete",
    status_code=204,
    response_class=Response,
)
def track(
    token: Annotated[str, Path(max_length=512)],
    event: AdEvent,
    ctx: ContextDep,
    session: SessionDep,
) -> Response:
    """Recorded once per decision and event; 204 either way."""
    delivery.track(ctx, session, token=token, event=event)
    return Response(status_code=204, headers={**CORS, "Cache-Control": "no-store"})


_MEDIA: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}},
    206: {"description": "Partial content", "content": {"application/octet-stream": {}}},
}


@router.get(
    "/media/{token}/{path:path}",
    summary="The ad creative's media behind a signed URL (HTTP Range supported)",
    response_class=Response,
    responses=_MEDIA,
)
def media(
    token: Annotated[str, Path(max_length=512)],
    path: Annotated[str, Path(max_length=1000)],
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    try:
        return _serve(ctx, session, token, path, range_header)
    except ApiError as exc:
        exc.headers = {**(exc.headers or {}), **CORS}
        raise
    except (ObjectNotFound, InvalidKey) as exc:
        raise NotFoundError(f"no file {path!r}", headers=CORS) from exc
    except StorageError as exc:
        raise Unavailable(f"cannot read {path!r} now; retry shortly", headers=CORS) from exc


def _serve(
    ctx: AppContext, session: Session, token: str, path: str, range_header: str | None
) -> Response:
    target = delivery.resolve_media(ctx, session, token=token, path=path)
    session.close()
    if target.rewritten is not None:
        return Response(
            target.rewritten,
            media_type=target.content_type,
            headers={"Cache-Control": "private, max-age=5", **CORS},
        )
    file = media_service.media_file(ctx, key=target.key, range_header=range_header)
    headers = {
        **CORS,
        "Accept-Ranges": "bytes",
        "ETag": f'"{file.etag}"',
        "Cache-Control": "private, max-age=86400" if target.cacheable else "no-store",
    }
    body = media_service.read(ctx, file)
    if file.byte_range is None:
        headers["Content-Length"] = str(file.size)
        return StreamingResponse(body, media_type=file.content_type, headers=headers)
    headers["Content-Range"] = file.byte_range.content_range(file.size)
    headers["Content-Length"] = str(file.byte_range.length)
    return StreamingResponse(body, status_code=206, media_type=file.content_type, headers=headers)
