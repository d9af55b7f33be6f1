"""The ad decision (VAST 4), the creative's media and its tracking pixels.

``GET /ads/decision?video=`` is for signed-in viewers; a plan without ads gets 204 and
the web app, which knows the plan from the playback response, never asks. Media and
pixels need no cookie: the signed token in the path is the credential, as for streams.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from kinema_api.ads.schemas import AdEvent
from kinema_api.ads.services import decision as decision_service
from kinema_api.ads.services import delivery
from kinema_api.common import ERRORS
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep
from kinema_api.viewing.routes.playback import CORS, MEDIA_RESPONSES, serve_media

router = APIRouter(prefix="/ads", tags=["ads"], responses=ERRORS)

VAST_TYPE = "application/xml"
BREAK_PATTERN = r"^(preroll|\d{1,6}(\.\d{1,17})?)$"


@router.get(
    "/decision",
    summary="The ad at a break of a video (pre-roll or mid-roll), as VAST 4",
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
    break_: Annotated[
        str,
        Query(
            alias="break",
            pattern=BREAK_PATTERN,
            description="`preroll`, or a mid-roll point in seconds from the playback "
            "response's `ad_breaks` (422 `not_a_break_point` for any other)",
        ),
    ] = "preroll",
) -> Response:
    at = None if break_ == "preroll" else float(break_)
    document = decision_service.decide(ctx, session, viewer=viewer, video_id=video, break_s=at)
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


@router.get(
    "/media/{token}/{path:path}",
    summary="The ad creative's media behind a signed URL (HTTP Range supported)",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def media(
    token: Annotated[str, Path(max_length=512)],
    path: Annotated[str, Path(max_length=1000)],
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    """Served exactly like a stream file: Range, ETag, and CORS on every answer."""
    return serve_media(
        lambda: delivery.resolve_media(ctx, session, token=token, path=path),
        path=path,
        request=request,
        ctx=ctx,
        session=session,
        range_header=range_header,
    )
