"""The progress fast path: ``PUT /api/v1/progress/{video_id}`` answered before routing.

Every player reports its position every 10 s, so this one write is most of a busy
server's requests. Its route does little itself (the batching writer,
:mod:`kinema_api.viewing.services.progress_writer`, checks the session, the account's
write rate limit and the title's maturity for each report); what it costs is FastAPI's
routing, dependency resolution and body parsing around it, about as much again as the
write. This ASGI middleware does the same three steps directly: read the token as the
route reads it, validate the body with the route's own model, hand the report to the
same writer and answer with the route's own response model.

A report the writer refuses (signed out, over the rate limit, not allowed, no such
video, the database busy) is answered with the app's own error handlers. Anything the
writer never sees (no token, a body that does not validate, a video id that is not a
UUID, a body over 4 KB) goes on to the route with the body replayed, and the route
answers as it always has: a client cannot tell which one served it.
"""

from __future__ import annotations

import asyncio
import re
import uuid

from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema_api import identity
from kinema_api.accounts.services.auth import token_hash
from kinema_api.asgi import MatchedRoute, send_json
from kinema_api.errors import error_response
from kinema_api.viewing.schemas import ProgressPublic, ProgressUpdate
from kinema_api.viewing.services.progress_writer import writer_of

_PATH = re.compile(r"^/api/v1/progress/([0-9A-Fa-f-]{32,36})$")
# A position report is a few dozen bytes; anything bigger is the route's to refuse.
MAX_BODY = 4096


ROUTE = MatchedRoute("/progress/{video_id}")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the route the body this middleware already read."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it was read whole within MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk: bytes = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY:
            return b"".join(chunks), False
        if not message.get("more_body", False):
            return b"".join(chunks), True


class ProgressPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        match = _PATH.match(scope["path"])
        ctx = getattr(scope["app"].state, "ctx", None)
        token = identity.credential(scope["headers"]) if match else None
        if match is None or ctx is None or token is None:
            await self.app(scope, receive, send)
            return
        body, whole = await _read_body(receive)
        report = _parse(match.group(1), body) if whole else None
        if report is None:
            await self.app(scope, _replay(body, receive), send)
            return
        video_id, update = report
        scope["route"] = ROUTE
        future = writer_of(ctx).submit(
            token_hash=token_hash(token),
            video_id=video_id,
            position_s=update.position_s,
            duration_s=update.duration_s,
        )
        try:
            rec = await asyncio.wrap_future(future)
        except Exception as exc:
            response = await error_response(Request(scope), exc)
            await response(scope, receive, send)
            return
        await send_json(send, ProgressPublic.model_validate(rec).model_dump_json().encode())


def _parse(video: str, body: bytes) -> tuple[uuid.UUID, ProgressUpdate] | None:
    """The video and the report, or None when the route must say what is wrong."""
    try:
        return uuid.UUID(video), ProgressUpdate.model_validate_json(body)
    except (ValueError, ValidationError):
        return None
