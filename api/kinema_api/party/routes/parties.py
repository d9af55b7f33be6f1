"""Watch together: create a party, look one up, and its WebSocket."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, status

from kinema_api.common import ERRORS
from kinema_api.context import AppContext
from kinema_api.deps import (
    COOKIE_NAME,
    ContextDep,
    CurrentViewer,
    ReadSessionDep,
    WriteRateLimit,
)
from kinema_api.party.schemas import PartyCreate, PartyId, PartyPublic
from kinema_api.party.services import connection, parties

router = APIRouter(tags=["parties"], responses=ERRORS)


@router.post(
    "/parties",
    summary="Start a watch-together party for a video",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def create_party(
    body: PartyCreate, viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep
) -> PartyPublic:
    """The caller becomes the host. Members join through the party's WebSocket
    (``/api/v1/parties/{id}/ws``); each one plays under their own plan."""
    return parties.create_party(ctx, session, viewer=viewer, body=body)


@router.get("/parties/{party_id}", summary="A party's video, host and member count")
def get_party(
    party_id: PartyId, viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep
) -> PartyPublic:
    return parties.get_party(ctx, session, viewer=viewer, party_id=party_id)


def _credentials(websocket: WebSocket) -> connection.Credentials:
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return connection.Credentials(token=value.strip(), cross_site=False)
    cookie = websocket.cookies.get(COOKIE_NAME) or None
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host", "")
    same = origin is not None and urlsplit(origin).netloc.lower() == host.lower()
    return connection.Credentials(token=cookie, cross_site=cookie is not None and not same)


@router.websocket("/parties/{party_id}/ws")
async def party_socket(websocket: WebSocket, party_id: str) -> None:
    """Frames are described in docs/watch-together.md."""
    ctx: AppContext = websocket.app.state.ctx
    await connection.serve(websocket, ctx=ctx, party_id=party_id, creds=_credentials(websocket))
