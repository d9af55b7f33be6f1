"""The admin's side of plans: find users, set a user's plan by hand while billing is off.

With Stripe configured, a plan is what the customer pays for: an admin cannot set one
(409 ``billing_on``) and changes it in Stripe's dashboard instead, whose webhooks follow.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kinema.catalog.models import User
from kinema.catalog.services import accounts
from kinema.settings import Settings
from kinema_api.billing.schemas import AdminUserPublic
from kinema_api.billing.services.errors import BillingOn
from kinema_api.context import AppContext
from kinema_api.viewing.services import playback as playback_service


def user_public(session: Session, *, user: User, settings: Settings) -> AdminUserPublic:
    account = accounts.account_plan(session, user_id=user.id, grace=settings.billing_grace)
    return AdminUserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        plan=account.plan.slug,
        status=account.subscription.status if account.subscription is not None else None,
        standing=account.entitlements.standing,
        active=user.is_active,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_users(
    session: Session, *, settings: Settings, q: str, limit: int
) -> list[AdminUserPublic]:
    """Users whose email or display name contains ``q`` (case-insensitive), by email."""
    query = select(User).order_by(User.email).limit(limit)
    needle = q.strip().lower()
    if needle:
        pattern = f"%{_escape_like(needle)}%"
        query = query.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    return [user_public(session, user=u, settings=settings) for u in session.scalars(query)]


def set_plan(
    ctx: AppContext, session: Session, *, user_id: uuid.UUID, plan_slug: str
) -> AdminUserPublic:
    if ctx.settings.billing_enabled:
        raise BillingOn(
            "billing is handled by Stripe on this server: change the customer's "
            "subscription in the Stripe dashboard (its webhook updates the plan here)"
        )
    user = accounts.get_user(session, user_id=user_id)  # 404
    accounts.subscribe(session, user_id=user.id, plan_slug=plan_slug)  # 404: unknown plan
    session.commit()
    playback_service.forget_user_sessions(ctx, session, user_id=user.id)
    return user_public(session, user=user, settings=ctx.settings)
