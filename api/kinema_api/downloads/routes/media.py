"""Media behind a download grant: ``/offline/<token>/<path>``, served like the stream
route (Range, CORS) but checked against the grant on every request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kinema_api.common import ERRORS
from kinema_api.context import AppContext
from kinema_api.deps import ContextDep, ReadSessionDep
from kinema_api.downloads.services import media
from kinema_api.viewing.routes.playback import MEDIA_RESPONSES, serve_media

router = APIRouter(tags=["downloads"], responses=ERRORS)


_Token = Annotated[str, Path(max_length=512)]
_Path = Annotated[str, Path(max_length=1000)]
_Range = Annotated[str | None, Header(alias="Range", max_length=200)]


@router.get(
    "/offline/{token}/{path:path}",
    summary="Media files of a download (HTTP Range supported)",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def offline_media(
    token: _Token,
    path: _Path,
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: _Range = None,
) -> Response:
    return _serve(token, path, request, ctx, session, range_header)


@router.head(
    "/offline/{token}/{path:path}",
    summary="Headers of a media file of a download",
    response_class=Response,
    responses=MEDIA_RESPONSES,
)
def offline_media_head(
    token: _Token,
    path: _Path,
    request: Request,
    ctx: ContextDep,
    session: ReadSessionDep,
    range_header: _Range = None,
) -> Response:
    return _serve(token, path, request, ctx, session, range_header)


def _serve(
    token: str,
    path: str,
    request: Request,
    ctx: AppContext,
    session: Session,
    range_header: str | None,
) -> Response:
    return serve_media(
        lambda: media.resolve(ctx, session, token=token, path=path),
        path=path,
        request=request,
        ctx=ctx,
        session=session,
        range_header=range_header,
    )
