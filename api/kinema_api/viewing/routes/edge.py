"""``/edge/check/<token>/<path>``: the caching edge's token check (nginx
``auth_request``); see ``services/edge.py`` and docs/edge.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from fastapi.responses import Response

from kinema_api.common import ERRORS
from kinema_api.deps import ContextDep, ReadSessionDep
from kinema_api.viewing.services import edge as edge_service

router = APIRouter(tags=["playback"], responses=ERRORS)


@router.get(
    "/edge/check/{token}/{path:path}",
    summary="The caching edge's check of a stream token for one file",
    status_code=204,
    response_class=Response,
)
def edge_check(
    token: Annotated[str, Path(max_length=512)],
    path: Annotated[str, Path(max_length=1000)],
    ctx: ContextDep,
    session: ReadSessionDep,
    kind: Annotated[str | None, Header(alias="X-Kinema-Edge-Check", max_length=20)] = None,
) -> Response:
    """204 when the token may read ``path``, with the video, its output generation, the
    height manifests are filtered to and how long the answer holds for the token's
    other files in this folder (``X-Accel-Expires``); 403 (401: the session ended)
    otherwise. Tells a token holder nothing the stream route would not."""
    answer = edge_service.check(ctx, session, token=token, path=path, manifest=kind == "manifest")
    return Response(status_code=204, headers=answer.headers())
