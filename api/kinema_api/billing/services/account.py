"""The viewer's billing: what they pay for, Checkout to upgrade, the Billing Portal,
cancelling at the period's end, and invoices.

Nothing here grants a plan: Checkout only hands the browser to Stripe, and the
subscription changes when Stripe's webhook says it did (``webhooks.py``). Every action
is the account holder's (403 ``kids_profile`` on a kids profile), and, Stripe being the
only way to a paid plan, each answers 409 ``billing_off`` when billing is not configured.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from kinema.catalog.models import Plan, Subscription, SubscriptionStatus, User
from kinema.catalog.services import accounts
from kinema.settings import Settings
from kinema_api.accounts.schemas import EntitlementsPublic, PlanPublic
from kinema_api.accounts.services.auth import Viewer
from kinema_api.billing.schemas import BillingPublic, SubscriptionStatePublic
from kinema_api.billing.services.errors import (
    AlreadySubscribed,
    FreePlan,
    NoSubscription,
    PlanNotSynced,
    PublicUrlUnset,
)
from kinema_api.billing.services.stripe_door import Invoice, door
from kinema_api.context import AppContext
from kinema_api.viewing.services import playback as playback_service

# Stripe subscriptions that still exist for Stripe: a second Checkout would bill twice.
LIVE = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.UNPAID,
    SubscriptionStatus.PAUSED,
)
# Those that renew, and so can be told not to.
RENEWING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE)


def end_transaction(session: Session) -> None:
    """End the request's transaction before Stripe is called: on SQLite a write
    session's transaction holds the database's one write lock, and a Stripe call can take
    seconds. Loaded rows stay usable (sessions do not expire them on commit)."""
    session.commit()


def offered_plans(session: Session) -> list[Plan]:
    """The plans a viewer may choose, smallest first (as ``GET /auth/plans``)."""
    return list(
        session.scalars(
            select(Plan).where(Plan.retired.is_(False)).order_by(Plan.max_height, Plan.price_cents)
        )
    )


def subscription_public(
    sub: Subscription | None, *, free: Plan, grace: timedelta
) -> SubscriptionStatePublic | None:
    """The subscription the account page describes; None on the free plan."""
    if sub is None or sub.plan_id == free.id:
        return None
    grace_until = None
    if sub.status is SubscriptionStatus.PAST_DUE:
        since = sub.past_due_since or sub.current_period_end
        grace_until = since + grace if since is not None else None
    return SubscriptionStatePublic(
        plan=sub.plan.slug,
        status=sub.status,
        current_period_end=sub.current_period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        trial_end=sub.trial_end,
        past_due_since=sub.past_due_since,
        grace_until=grace_until,
    )


def overview(
    session: Session, *, settings: Settings, account: accounts.AccountPlan
) -> BillingPublic:
    plans = offered_plans(session)
    return BillingPublic(
        enabled=settings.billing_enabled,
        plan=PlanPublic.model_validate(account.plan),
        entitlements=EntitlementsPublic.of(account.entitlements),
        subscription=subscription_public(
            account.subscription,
            free=accounts.default_plan(session),
            grace=settings.billing_grace,
        ),
        plans=[PlanPublic.model_validate(p) for p in plans],
    )


def _return_url(settings: Settings, path: str) -> str:
    if not settings.public_url:
        raise PublicUrlUnset(
            "KINEMA_PUBLIC_URL is unset: Stripe needs the web app's address to send viewers "
            "back to; set it to the URL viewers open (https://tv.example.com)"
        )
    return f"{settings.public_url.rstrip('/')}{path}"


def live_stripe_subscription(
    session: Session, *, user_id: uuid.UUID, statuses: tuple[SubscriptionStatus, ...] = LIVE
) -> Subscription | None:
    return session.scalar(
        select(Subscription)
        .where(
            Subscription.user_id == user_id,
            Subscription.external_id.is_not(None),
            Subscription.status.in_(statuses),
        )
        .order_by(Subscription.created_at.desc())
        .limit(1)
    )


def ensure_customer(session: Session, *, settings: Settings, user_id: uuid.UUID) -> str:
    """The user's Stripe Customer, created once: the stored id, else a new Customer
    (its idempotency key makes concurrent first requests get the same one), stored."""
    stripe = door(settings)
    known = session.scalar(select(User.stripe_customer_id).where(User.id == user_id))
    if known:
        return known
    user = accounts.get_user(session, user_id=user_id)
    email, name = user.email, user.display_name
    end_transaction(session)
    created = stripe.create_customer(user_id=user_id, email=email, name=name)
    session.execute(
        update(User)
        .where(User.id == user_id, User.stripe_customer_id.is_(None))
        .values(stripe_customer_id=created)
    )
    session.commit()
    stored = session.scalar(select(User.stripe_customer_id).where(User.id == user_id))
    return stored or created


def had_trial(session: Session, *, user_id: uuid.UUID) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Subscription.user_id == user_id,
                    (Subscription.trial_end.is_not(None))
                    | (Subscription.status == SubscriptionStatus.TRIALING),
                )
            )
        )
    )


def checkout(session: Session, *, settings: Settings, viewer: Viewer, plan_slug: str) -> str:
    """A Stripe Checkout URL for subscribing to ``plan_slug``."""
    viewer.require_account_holder()
    stripe = door(settings)
    plan = accounts.get_plan(session, slug=plan_slug)  # 404: unknown or retired
    if plan.price_cents <= 0 or plan.id == accounts.default_plan(session).id:
        raise FreePlan(
            f"{plan.name} is free: there is nothing to pay; cancel the paid plan instead "
            "(POST /api/v1/billing/cancel)"
        )
    if not plan.stripe_price_id:
        raise PlanNotSynced(
            f"the {plan.name} plan has no Stripe price yet (the operator, or kinema up as "
            "it starts, puts plans into Stripe); try again shortly or ask an admin"
        )
    user_id = viewer.user.id
    if live_stripe_subscription(session, user_id=user_id) is not None:
        raise AlreadySubscribed(
            "this account already has a subscription; change plan in Manage billing "
            "(POST /api/v1/billing/portal)"
        )
    success = _return_url(settings, "/account?checkout=success")
    cancel = _return_url(settings, "/account?checkout=cancel")
    trial_days = 0 if had_trial(session, user_id=user_id) else plan.trial_days
    price_id, slug = plan.stripe_price_id, plan.slug
    customer = ensure_customer(session, settings=settings, user_id=user_id)
    return stripe.checkout(
        customer=customer,
        price_id=price_id,
        user_id=user_id,
        plan_slug=slug,
        trial_days=trial_days,
        success_url=success,
        cancel_url=cancel,
    )


def portal(session: Session, *, settings: Settings, viewer: Viewer) -> str:
    """A Billing Portal URL (payment method, plan changes, invoices) for the account."""
    viewer.require_account_holder()
    stripe = door(settings)
    return_url = _return_url(settings, "/account")
    customer = ensure_customer(session, settings=settings, user_id=viewer.user.id)
    return stripe.portal(customer=customer, return_url=return_url)


def cancel(ctx: AppContext, session: Session, *, viewer: Viewer) -> BillingPublic:
    """Downgrade to the free plan: the Stripe subscription stops renewing and keeps its
    plan until the paid period ends (Stripe's webhooks confirm it)."""
    viewer.require_account_holder()
    stripe = door(ctx.settings)
    user_id = viewer.user.id
    sub = live_stripe_subscription(session, user_id=user_id, statuses=RENEWING)
    if sub is None or sub.external_id is None:
        raise NoSubscription("this account has no paid subscription to cancel")
    external_id = sub.external_id
    end_transaction(session)
    if stripe.cancel_at_period_end(external_id):
        # Shown at once; Stripe's customer.subscription.updated confirms it. Its
        # event time is not known here, so the row's event_at is left as it was.
        sub.cancel_at_period_end = True
        session.commit()
        playback_service.forget_user_sessions(ctx, session, user_id=user_id)
    account = accounts.account_plan(session, user_id=user_id, grace=ctx.settings.billing_grace)
    return overview(session, settings=ctx.settings, account=account)


def invoices(session: Session, *, settings: Settings, viewer: Viewer) -> list[Invoice]:
    """The customer's latest invoices; none when billing is off or they never paid."""
    viewer.require_account_holder()
    if not settings.billing_enabled:
        return []
    customer = session.scalar(select(User.stripe_customer_id).where(User.id == viewer.user.id))
    if not customer:
        return []
    end_transaction(session)
    return door(settings).invoices(customer)
