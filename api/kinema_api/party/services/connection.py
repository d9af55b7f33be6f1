"""One member's WebSocket: admission, then frames in (validated, rate-limited, applied
to the party through the store) and events out, until either side goes.

Admission, in order, each refusal an ``error`` frame then a close with code
``4000 + HTTP status`` (4401 not signed in, 4403 the video is not for this profile or a
cross-site page asked, 4404 no such party, 4409 the party is full):

- the viewer's token (the ``Authorization: Bearer`` header, or the web app's session
  cookie; a cookie counts only from a page of the API's own origin, so another site
  cannot open a party socket with a visitor's cookie);
- the party exists, its video is visible to the profile, and it has room.

After that, frames: text only (a binary frame closes with 1003), at most ``MAX_FRAME``
bytes (else close 1009), at most ``RATE_PER_S`` a second with a burst of ``RATE_BURST``
(an excess frame is refused with ``rate_limited``; a connection whose refused frames
outrun ``FLOOD_BURST`` plus ``RATE_PER_S`` a second is closed with 1008: see
:class:`.sync.FrameBudget`). A malformed
frame is refused with ``bad_message``, a command the member may not give with
``no_control``/``not_host``; the connection stays open for all three.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from kinema.catalog.db import begin_readonly
from kinema.catalog.errors import NotFound
from kinema_api.accounts.services.auth import KidsProfile, Viewer, resolve_token
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, Forbidden, NotFoundError, Unauthorized
from kinema_api.party.schemas import (
    Chat,
    ClientFrame,
    Episode,
    Member,
    PartyState,
    Ping,
    React,
)
from kinema_api.party.services import sync
from kinema_api.party.services.parties import check_video, now_ms, store_for
from kinema_api.party.services.store import Change, Event, PartyGone, PartyStore

log = logging.getLogger("kinema.api.party")

MAX_FRAME = 2048
RATE_PER_S = 10.0
RATE_BURST = 20
FLOOD_BURST = 50  # refused frames allowed at once before a flood closes the connection
HEARTBEAT_S = 30.0
_frames: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


@dataclass(frozen=True)
class Credentials:
    token: str | None
    # The token came from the cookie and the page that opened the socket is of another
    # origin (or sent none): refused, see the module docstring.
    cross_site: bool


@dataclass(frozen=True)
class Identity:
    profile_id: uuid.UUID
    name: str
    kids: bool
    token: str


def _viewer(ctx: AppContext, token: str) -> tuple[Viewer, Session]:
    session = ctx.sessions()
    begin_readonly(session)
    return resolve_token(session, token=token, grace=ctx.settings.billing_grace), session


def _admit(ctx: AppContext, store: PartyStore, creds: Credentials, party_id: str) -> Identity:
    if creds.token is None:
        raise Unauthorized("log in first: a party needs the session cookie or a bearer token")
    if creds.cross_site:
        raise Forbidden("a party socket opens only from the web app's own origin")
    viewer, session = _viewer(ctx, creds.token)
    try:
        state = store.get(party_id)
        if state is None:
            raise PartyGone(f"no party {party_id}; it may have ended")
        try:
            check_video(session, viewer=viewer, video_id=state.video_id)
        except NotFound as exc:
            raise NotFoundError(str(exc)) from exc
        return Identity(viewer.profile.id, viewer.profile.name, viewer.profile.is_kids, creds.token)
    finally:
        session.close()


def _check_episode(ctx: AppContext, token: str, video_id: uuid.UUID) -> None:
    viewer, session = _viewer(ctx, token)
    try:
        check_video(session, viewer=viewer, video_id=video_id)
    except NotFound as exc:
        raise NotFoundError(str(exc)) from exc
    finally:
        session.close()


def error_frame(code: str, detail: str) -> Event:
    return {"type": "error", "code": code, "detail": detail}


async def _refuse(websocket: WebSocket, exc: ApiError) -> None:
    await websocket.send_json(error_frame(exc.code, exc.detail))
    await websocket.close(code=4000 + exc.status_code, reason=exc.code)


async def serve(
    websocket: WebSocket, *, ctx: AppContext, party_id: str, creds: Credentials
) -> None:
    await websocket.accept()
    store = store_for(ctx)
    try:
        who = await anyio.to_thread.run_sync(_admit, ctx, store, creds, party_id)
    except ApiError as exc:
        await _refuse(websocket, exc)
        return
    await MemberConnection(websocket, ctx, store, party_id, who).run()


class MemberConnection:
    """A joined member's connection."""

    def __init__(
        self,
        websocket: WebSocket,
        ctx: AppContext,
        store: PartyStore,
        party_id: str,
        who: Identity,
    ) -> None:
        self.ws, self.ctx, self.store, self.party_id = websocket, ctx, store, party_id
        self.who = who
        self.conn_id = secrets.token_urlsafe(8)
        self.out: asyncio.Queue[Event] = asyncio.Queue()
        self.budget = sync.FrameBudget(per_s=RATE_PER_S, burst=RATE_BURST, flood=FLOOD_BURST)

    async def _update(self, change: Change) -> PartyState:
        return await anyio.to_thread.run_sync(self.store.update, self.party_id, change)

    async def run(self) -> None:
        async with self.store.listen(self.party_id) as events:
            try:
                state = await self._join()
            except ApiError as exc:
                await _refuse(self.ws, exc)
                return
            await self.ws.send_json(
                {
                    "type": "welcome",
                    "conn_id": self.conn_id,
                    "profile_id": str(self.who.profile_id),
                    "server_ms": now_ms(),
                }
            )
            await self.ws.send_json({"type": "state", "state": state.model_dump(mode="json")})
            tasks = [
                asyncio.create_task(self._read()),
                asyncio.create_task(self._forward(events)),
                asyncio.create_task(self._write()),
                asyncio.create_task(self._heartbeat()),
            ]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # Shielded: leaving must be recorded even when the server cancels us.
                with anyio.CancelScope(shield=True):
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    with contextlib.suppress(ApiError):
                        await self._update(lambda s: sync.leave(s, self.conn_id, now_ms()))
                    if self.ws.client_state is WebSocketState.CONNECTED:
                        with contextlib.suppress(Exception):
                            await self.ws.close()

    async def _join(self) -> PartyState:
        member = Member(
            conn_id=self.conn_id,
            profile_id=self.who.profile_id,
            name=self.who.name,
            host=False,
            seen_ms=now_ms(),
        )

        def join(state: PartyState) -> PartyState:
            host = member.model_copy(update={"host": state.host_profile_id == member.profile_id})
            return sync.join(state, host, now_ms())

        return await self._update(join)

    async def _forward(self, events: Any) -> None:
        async for event in events:
            if event.get("type") == "chat" and self.who.kids:
                continue  # free text from others is not for kids profiles (as comments)
            await self.out.put(event)

    async def _write(self) -> None:
        while True:
            event = await self.out.get()
            await self.ws.send_text(json.dumps(event))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            await self._update(lambda s: sync.touch(s, self.conn_id, now_ms()))

    async def _read(self) -> None:
        while True:
            try:
                message = await self.ws.receive()
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                await self.ws.close(code=1003, reason="text frames only")
                return
            if len(text.encode()) > MAX_FRAME:
                await self.ws.close(code=1009, reason=f"frames are at most {MAX_FRAME} bytes")
                return
            received_ms = time.time() * 1000
            verdict = self.budget.take(time.monotonic())
            if verdict == "flood":
                await self.ws.close(code=1008, reason="too many frames")
                return
            if verdict == "refused":
                await self.out.put(
                    error_frame("rate_limited", f"at most {RATE_PER_S:g} frames a second")
                )
                continue
            await self._handle(text, received_ms)

    async def _handle(self, text: str, received_ms: float) -> None:
        try:
            frame = _frames.validate_json(text)
        except ValidationError as exc:
            detail = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'frame'}: {e['msg']}" for e in exc.errors()
            )
            await self.out.put(error_frame("bad_message", detail[:300]))
            return
        try:
            if isinstance(frame, Ping):
                await self.out.put(
                    {"type": "pong", "t0": frame.t0, "t1": received_ms, "t2": time.time() * 1000}
                )
            elif isinstance(frame, Chat | React):
                await self._say(frame)
            else:
                if isinstance(frame, Episode):
                    await anyio.to_thread.run_sync(
                        _check_episode, self.ctx, self.who.token, frame.video_id
                    )
                command = frame
                await self._update(
                    lambda s: sync.apply(s, command, conn_id=self.conn_id, now_ms=now_ms())
                )
        except ApiError as exc:
            await self.out.put(error_frame(exc.code, exc.detail))

    async def _say(self, frame: Chat | React) -> None:
        if isinstance(frame, Chat) and self.who.kids:
            raise KidsProfile("chat is not available on a kids profile")
        event: Event = {
            "type": frame.type,
            "profile_id": str(self.who.profile_id),
            "name": self.who.name,
            "at_ms": now_ms(),
        }
        if isinstance(frame, Chat):
            event["text"] = frame.text
        else:
            event["emoji"] = frame.emoji.value
        await anyio.to_thread.run_sync(self.store.publish, self.party_id, event)
