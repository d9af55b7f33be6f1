"""Devices: an account's login sessions, each one browser or app install, named, listed
with what it streams, renamed, stopped and signed out.

A client that sends a stable ``device_id`` at sign-in keeps one session per device:
signing in again from it signs its earlier sessions out (and keeps the name given to
it). Managing devices is an account-level action, refused on a kids profile. Signing a
device out revokes its session, ends its stream and forgets its cached playback state,
so its next request answers 401 and its next manifest request stops playback within
moments.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import AuthSession, User, utcnow
from kinema.catalog.services import streams
from kinema_api.accounts.schemas import DevicePublic, DeviceStreaming
from kinema_api.accounts.services import auth
from kinema_api.accounts.services.auth import IssuedSession, Viewer
from kinema_api.accounts.services.user_agents import device_name
from kinema_api.context import AppContext
from kinema_api.errors import NotFoundError
from kinema_api.viewing.services import playback
from kinema_api.viewing.services.streams import visible_label


def sign_in(
    ctx: AppContext,
    session: Session,
    *,
    user: User,
    kind: str,
    device_id: str | None,
    device_name_given: str,
    user_agent: str,
) -> IssuedSession:
    """A new login session for ``user`` on this device, replacing the device's earlier
    ones. Unnamed, it keeps the name the device had, else one made from the User-Agent."""
    earlier: list[AuthSession] = []
    if device_id is not None:
        earlier = list(
            session.scalars(
                select(AuthSession)
                .where(
                    AuthSession.user_id == user.id,
                    AuthSession.device_id == device_id,
                    AuthSession.revoked_at.is_(None),
                )
                .order_by(AuthSession.created_at.desc())
            )
        )
    name = (
        device_name_given
        or next((row.device_name for row in earlier if row.device_name), "")
        or device_name(user_agent)
    )
    now = utcnow()
    for row in earlier:
        row.revoked_at = now
        streams.end_streams(session, session_id=row.id)
    issued = auth.issue_session(
        session,
        user=user,
        kind=kind,
        ttl_s=ctx.settings.session_ttl_s,
        device_id=device_id,
        device_name=name,
        user_agent=user_agent,
    )
    for row in earlier:
        playback.forget_session(ctx, row.id)
    return issued


def list_devices(session: Session, *, viewer: Viewer) -> list[DevicePublic]:
    """The account's signed-in devices, most recently seen first."""
    viewer.require_account_holder()
    rows = auth.list_sessions(session, user_id=viewer.user.id)
    live = streams.describe(session, streams.active_streams(session, user_id=viewer.user.id))
    playing = {info.lease.session_id: info for info in live}
    out = []
    for row in rows:
        info = playing.get(row.id)
        out.append(
            DevicePublic(
                id=row.id,
                name=row.device_name or device_name(row.user_agent),
                user_agent=row.user_agent,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                current=row.id == viewer.session.id,
                streaming=None
                if info is None
                else DeviceStreaming(
                    video_id=info.lease.video_id,
                    title=visible_label(viewer, info.video),
                    profile=info.profile.name if info.profile is not None else None,
                    since=info.lease.started_at,
                ),
            )
        )
    return out


def _own(session: Session, *, viewer: Viewer, device_id: uuid.UUID) -> AuthSession:
    """One of the account's signed-in devices; another account's, or one signed out,
    is not found (its existence is not the caller's business)."""
    viewer.require_account_holder()
    row = session.get(AuthSession, device_id)
    if (
        row is None
        or row.user_id != viewer.user.id
        or row.revoked_at is not None
        or row.expires_at <= utcnow()
    ):
        raise NotFoundError(f"no signed-in device {device_id} in this account")
    return row


def rename(session: Session, *, viewer: Viewer, device_id: uuid.UUID, name: str) -> DevicePublic:
    row = _own(session, viewer=viewer, device_id=device_id)
    row.device_name = name
    session.commit()
    return next(d for d in list_devices(session, viewer=viewer) if d.id == row.id)


def stop_playback(session: Session, *, viewer: Viewer, device_id: uuid.UUID) -> None:
    """End the device's stream, freeing its slot now. Its player learns at its next
    renewal (refused: 429 when the slot was taken meanwhile); the token it holds plays
    until it expires."""
    _own(session, viewer=viewer, device_id=device_id)
    streams.end_streams(session, session_id=device_id)
    session.commit()


def sign_out(ctx: AppContext, session: Session, *, viewer: Viewer, device_id: uuid.UUID) -> None:
    """Revoke the device's session (its next request answers 401), end its stream, and
    forget its cached state so its manifests stop at the next request."""
    row = _own(session, viewer=viewer, device_id=device_id)
    auth.revoke(session, row=row)
    playback.forget_session(ctx, row.id)
