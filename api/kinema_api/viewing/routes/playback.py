"""Playback URLs, and the streaming route that serves manifests and segments.

``/stream/<token>/<path>`` is the only way to media: the token (signed, short-lived,
scoped to one login session, one video and a maximum height) is checked on every request,
manifests are rewritten to the viewer's current plan after re-checking the session, and
files of a refused rung answer 403 even when their URL is guessed. Local files and S3
objects are both served with HTTP Range support. Every answer of the stream route, errors
included, carries CORS headers, so a player on another origin (a Cast receiver) can read
a 403 or 410 and fetch a new URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from kinema.storage import ObjectNotFound, StorageError
from kinema.storage.errors import InvalidKey
from kinema_api.common import ERRORS, ErrorPublic
from kinema_api.context import AppContext
from kinema_api.deps import (
    ContextDep,
    CurrentViewer,
    ReadSessionDep,
    SessionDep,
    WriteRateLimit,
)
from kinema_api.errors import ApiError, NotFoundError, Unavailable
from kinema_api.viewing.schemas import (
    PlaybackPublic,
    PlaybackRenewal,
    TooManyStreamsPublic,
)
from kinema_api.viewing.services import cloudfront
from kinema_api.viewing.services import media as media_service
from kinema_api.viewing.services import playback as playback_service
from kinema_api.viewing.services import streams as stream_service

router = APIRouter(tags=["playback"], responses=ERRORS)

_STREAM_LIMIT: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorPublic,
        "description": "Not allowed: the title, the plan's height, or the profile "
        "(`profile_over_plan`: beyond the plan's profile count; pick another profile)",
    },
    429: {
        "model": TooManyStreamsPublic,
        "description": "`too_many_streams`: the plan's devices are all streaming; "
        "`streams` names them (`POST /devices/{device_id}/stop-playback` frees one)",
    },
}


@router.get(
    "/playback/{video_id}",
    summary="Signed HLS/DASH URLs and the resume position",
    responses=_STREAM_LIMIT,
)
def start_playback(
    video_id: uuid.UUID,
    response: Response,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> PlaybackPublic:
    """With CloudFront configured, also sets the CloudFront-Policy, -Signature and
    -Key-Pair-Id cookies, one set per output folder the viewer's plan may read."""
    public, cookies = playback_service.start_playback(
        ctx, session, viewer=viewer, video_id=video_id
    )
    _set_cookies(ctx, response, cookies)
    return public


@router.post(
    "/playback/{video_id}/renew",
    summary="A fresh stream token for a playback in progress",
    responses={
        **_STREAM_LIMIT,
        410: {"description": "The video was re-processed; start playback again"},
    },
)
def renew_playback(
    video_id: uuid.UUID,
    response: Response,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> PlaybackRenewal:
    """Players call this before ``expires_at`` (after ``renew_after_s``) and put the new
    token in place of the old one in every media URL. It re-checks the session, the
    title, the plan and the stream limit, and keeps this device's stream lease alive
    (or takes it again after a pause: 429 when another device took the slot)."""
    renewal, cookies = playback_service.renew_playback(
        ctx, session, viewer=viewer, video_id=video_id
    )
    _set_cookies(ctx, response, cookies)
    return renewal


@router.post(
    "/playback/{video_id}/stop",
    summary="This device stopped playing: free its stream slot",
    status_code=204,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def stop_playback(video_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> None:
    """For ``navigator.sendBeacon`` on ``pagehide`` and for closing the player: any body
    (none, ``text/plain``) is ignored, the session cookie or bearer token says who. Only
    this device's stream of ``video_id`` ends, so a late beacon from a closed tab leaves
    a stream the device started since alone. Always 204."""
    stream_service.stop(session, viewer=viewer, video_id=video_id)


def _set_cookies(ctx: AppContext, response: Response, cookies: list[cloudfront.Cookie]) -> None:
    for cookie in cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=ctx.settings.playback_url_ttl_s,
            path=cookie.path,
            domain=ctx.settings.cloudfront_cookie_domain,
            secure=True,
            httponly=True,
            samesite="none",
        )


MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}},
    206: {"description": "Partial content", "content": {"application/octet-stream": {}}},
    410: {"description": "The video was re-processed; request a new playback URL"},
    416: {"description": "Range not satisfiable"},
}


@router.get(
    "/stream/{token}/{path:path}",
    summary="Media files behind a signed playback URL (HTTP Range supported)",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def stream(
    token: Annotated[str, Path(max_length=512)],
    path: Annotated[str, Path(max_length=1000)],
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    return _serve(token, path, request, ctx, session, range_header)


@router.head(
    "/stream/{token}/{path:path}",
    summary="Headers of a media file behind a signed playback URL",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def stream_head(
    token: Annotated[str, Path(max_length=512)],
    path: Annotated[str, Path(max_length=1000)],
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    return _serve(token, path, request, ctx, session, range_header)


# Cast receivers (and other players on other origins) fetch these files from their own
# origin. The signed token in the path is the whole credential, so any origin may read.
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Range, ETag",
}


def _serve(
    token: str,
    path: str,
    request: Request,
    ctx: AppContext,
    session: Session,
    range_header: str | None,
) -> Response:
    edge_cap = request.headers.get("x-kinema-edge-cap", "")
    return serve_media(
        lambda: playback_service.resolve_stream(
            ctx,
            session,
            token=token,
            path=path,
            edge_cap=int(edge_cap) if edge_cap.isdigit() and len(edge_cap) < 6 else None,
        ),
        path=path,
        request=request,
        ctx=ctx,
        session=session,
        range_header=range_header,
    )


def serve_media(
    resolve: Callable[[], playback_service.StreamTarget],
    *,
    path: str,
    request: Request,
    ctx: AppContext,
    session: Session,
    range_header: str | None,
) -> Response:
    """Send what ``resolve`` (which checks the request's token) names, with Range
    support and CORS on every answer, errors included. Downloads serve through it too."""
    try:
        return _serve_file(resolve, request, ctx, session, range_header)
    except ApiError as exc:
        exc.headers = {**(exc.headers or {}), **CORS}
        raise
    except (ObjectNotFound, InvalidKey) as exc:
        # The store's own message may name a server path; the client learns only its own.
        raise NotFoundError(f"no file {path!r}", headers=CORS) from exc
    except StorageError as exc:
        raise Unavailable(f"cannot read {path!r} now; retry shortly", headers=CORS) from exc


def _serve_file(
    resolve: Callable[[], playback_service.StreamTarget],
    request: Request,
    ctx: AppContext,
    session: Session,
    range_header: str | None,
) -> Response:
    target = resolve()
    session.close()  # nothing below needs the database; free the connection early
    if target.rewritten is not None:
        return Response(
            target.rewritten,
            media_type=target.content_type,
            headers={"Cache-Control": "private, max-age=5", **CORS},
        )
    media = media_service.media_file(ctx, key=target.key, range_header=range_header)
    byte_range = media.byte_range
    headers = {
        **CORS,
        "Accept-Ranges": "bytes",
        "ETag": f'"{media.etag}"',
        "Cache-Control": "private, max-age=86400" if target.cacheable else "no-store",
    }
    if request.method == "HEAD":
        headers["Content-Length"] = str(byte_range.length if byte_range else media.size)
        if byte_range:
            headers["Content-Range"] = byte_range.content_range(media.size)
        return Response(
            status_code=206 if byte_range else 200, headers=headers, media_type=media.content_type
        )
    body = media_service.read(ctx, media)
    if byte_range is None:
        headers["Content-Length"] = str(media.size)
        return StreamingResponse(body, media_type=media.content_type, headers=headers)
    headers["Content-Range"] = byte_range.content_range(media.size)
    headers["Content-Length"] = str(byte_range.length)
    return StreamingResponse(body, status_code=206, media_type=media.content_type, headers=headers)
