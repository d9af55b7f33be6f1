"""Creating and looking up parties over HTTP, and the store each API process keeps.

A party is for one video the creator (the host) may see; anyone signed in who has the
link may look it up and join if the video is visible to their profile too. The party
never grants playback: each member's player asks the playback endpoint as usual, under
their own plan (a Free member in a Premium host's party plays Free's rungs).
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Profile
from kinema.catalog.services import titles
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.context import AppContext
from kinema_api.party.schemas import PartyCreate, PartyPublic, PartyState
from kinema_api.party.services.store import PartyGone, PartyStore, store_from_url
from kinema_api.party.services.sync import LEAD_MS, profiles

_stores: dict[int, PartyStore] = {}
_stores_lock = threading.Lock()


def store_for(ctx: AppContext) -> PartyStore:
    """The process's party store for ``ctx`` (made on first use, closed with ``ctx``)."""
    key = id(ctx)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = store_from_url(ctx.settings.redis_url)

            def close() -> None:
                with _stores_lock:
                    _stores.pop(key, None)
                store.close()

            ctx.on_close.append(close)
        return store


def now_ms() -> int:
    """Server time for parties: wall-clock milliseconds, the one clock every API replica
    shares (through NTP); clients estimate their offset from it."""
    return int(time.time() * 1000)


def check_video(session: Session, *, viewer: Viewer, video_id: uuid.UUID) -> None:
    video = titles.get_video(session, video_id=video_id)
    check_visible(viewer, video.title)


def link(state: PartyState) -> str:
    return f"/watch/{state.video_id}?party={state.id}"


def public(state: PartyState, *, host_name: str) -> PartyPublic:
    return PartyPublic(
        id=state.id,
        video_id=state.video_id,
        control=state.control,
        on_stall=state.on_stall,
        host_name=host_name,
        members=len(profiles(state)),
        link=link(state),
    )


def create_party(
    ctx: AppContext, session: Session, *, viewer: Viewer, body: PartyCreate
) -> PartyPublic:
    check_video(session, viewer=viewer, video_id=body.video_id)
    state = PartyState(
        id=secrets.token_urlsafe(12),
        video_id=body.video_id,
        host_profile_id=viewer.profile.id,
        control=body.control,
        on_stall=body.on_stall,
        # The group starts where the host's player is (scheduled ahead when playing).
        playing=body.playing,
        position_s=body.position_s,
        at_ms=now_ms() + (LEAD_MS if body.playing else 0),
    )
    store_for(ctx).create(state)
    return public(state, host_name=viewer.profile.name)


def get_party(ctx: AppContext, session: Session, *, viewer: Viewer, party_id: str) -> PartyPublic:
    state = store_for(ctx).get(party_id)
    if state is None:
        raise PartyGone(f"no party {party_id}; it may have ended")
    check_video(session, viewer=viewer, video_id=state.video_id)
    host = next((m.name for m in state.members if m.host), None)
    if host is None:
        row = session.get(Profile, state.host_profile_id)
        host = row.name if row is not None else ""
    return public(state, host_name=host)
