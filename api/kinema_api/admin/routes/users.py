"""Admin: one user with their plan and devices; disable or enable an account."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from kinema_api.admin.schemas import AdminUserActive, AdminUserDetail
from kinema_api.admin.services import users as user_service
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ContextDep, ReadSessionDep, SessionDep, WriteRateLimit

router = APIRouter(prefix="/admin/users", tags=["admin"], responses=ERRORS)


@router.get("/{user_id}", summary="A user with their plan and signed-in devices")
def user_detail(
    user_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: ReadSessionDep
) -> AdminUserDetail:
    return user_service.user_detail(ctx, session, user_id=user_id)


@router.put(
    "/{user_id}/active",
    summary="Disable (signing it out everywhere) or enable an account",
    dependencies=[WriteRateLimit],
)
def set_active(
    user_id: uuid.UUID,
    body: AdminUserActive,
    admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> AdminUserDetail:
    """409 ``conflict`` when an admin tries to disable their own account."""
    return user_service.set_active(ctx, session, admin=admin, user_id=user_id, active=body.active)
