"""Admin: users and their plans, and subscription figures (the analytics dashboard's)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kinema.catalog.models import utcnow
from kinema_api.billing.schemas import AdminPlanUpdate, AdminUserPublic, BillingStatsPublic
from kinema_api.billing.services import admin as admin_service
from kinema_api.billing.services.stats import billing_stats
from kinema_api.common import ERRORS
from kinema_api.deps import AdminViewer, ContextDep, ReadSessionDep, SessionDep, WriteRateLimit

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)


@router.get("/users", summary="Users with their plan, by email")
def list_users(
    _admin: AdminViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    q: Annotated[str, Query(max_length=320, description="Part of an email or name.")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[AdminUserPublic]:
    return admin_service.list_users(session, settings=ctx.settings, q=q, limit=limit)


@router.put(
    "/users/{user_id}/plan",
    summary="Set a user's plan (only while billing is off)",
    dependencies=[WriteRateLimit],
)
def set_plan(
    user_id: uuid.UUID,
    body: AdminPlanUpdate,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> AdminUserPublic:
    """409 ``billing_on`` when Stripe bills the plans: change them in Stripe instead."""
    return admin_service.set_plan(ctx, session, user_id=user_id, plan_slug=body.plan)


@router.get("/billing/stats", summary="Subscribers per plan, MRR and monthly churn")
def stats(
    _admin: AdminViewer,
    session: ReadSessionDep,
    month: Annotated[
        str | None,
        Query(
            pattern=r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$",
            description="YYYY-MM (1970 to 2999); this month by default.",
        ),
    ] = None,
) -> BillingStatsPublic:
    return billing_stats(session, now=utcnow(), month=month)
