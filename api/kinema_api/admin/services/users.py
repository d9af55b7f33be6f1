"""An admin's view of one user (plan, subscription and signed-in devices) and disabling
or enabling the account.

Disabling signs the account out everywhere: every live login session is revoked, its
stream ended and its cached playback state forgotten, so the next request with any of its
tokens answers 401 and its next manifest request stops playback. Signing in answers 403
until an admin enables the account again (which brings no session back). An admin cannot
disable their own account.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import User, utcnow
from kinema.catalog.services import accounts, streams
from kinema_api.accounts.services import auth
from kinema_api.accounts.services.auth import Viewer
from kinema_api.accounts.services.user_agents import device_name
from kinema_api.admin.schemas import AdminDevice, AdminUserDetail
from kinema_api.billing.services.admin import user_public
from kinema_api.context import AppContext
from kinema_api.errors import ConflictError
from kinema_api.viewing.services import playback


def user_detail(ctx: AppContext, session: Session, *, user_id: uuid.UUID) -> AdminUserDetail:
    user = accounts.get_user(session, user_id=user_id)  # 404
    return _detail(ctx, session, user=user)


def _detail(ctx: AppContext, session: Session, *, user: User) -> AdminUserDetail:
    streaming = {lease.session_id for lease in streams.active_streams(session, user_id=user.id)}
    return AdminUserDetail(
        user=user_public(session, user=user, settings=ctx.settings),
        devices=[
            AdminDevice(
                id=row.id,
                name=row.device_name or device_name(row.user_agent),
                user_agent=row.user_agent,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                streaming=row.id in streaming,
            )
            for row in auth.list_sessions(session, user_id=user.id)
        ],
    )


def set_active(
    ctx: AppContext, session: Session, *, admin: Viewer, user_id: uuid.UUID, active: bool
) -> AdminUserDetail:
    user = accounts.get_user(session, user_id=user_id)  # 404
    if not active and user.id == admin.user.id:
        raise ConflictError("you cannot disable your own account")
    user.is_active = active
    revoked = []
    if not active:
        now = utcnow()
        for row in auth.list_sessions(session, user_id=user.id):
            row.revoked_at = now
            streams.end_streams(session, session_id=row.id)
            revoked.append(row.id)
    session.commit()
    for session_id in revoked:
        playback.forget_session(ctx, session_id)
    return _detail(ctx, session, user=user)
