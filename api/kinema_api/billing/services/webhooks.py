"""Stripe's webhook: verify, record the event once, apply it, then forget cached
playback state so the next manifest request sees the new entitlements.

Each event is handled in one transaction that also inserts its id into
``billing_events``: a redelivery finds the id and changes nothing, and two deliveries
racing each other cannot both commit (the primary key refuses the second). The
subscription row is locked while it is decided on (``FOR UPDATE`` on PostgreSQL; SQLite
write transactions are serialised already), and what it becomes is decided by
:mod:`lifecycle` from the event's time, never from the order deliveries arrive in.

Events handled (docs/billing.md lists what to enable in Stripe):
``checkout.session.completed``, ``customer.subscription.created|updated|deleted|
trial_will_end``, ``invoice.paid``, ``invoice.payment_failed``. Any other type is
recorded as ``ignored``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    BillingEvent,
    Plan,
    Subscription,
    SubscriptionStatus,
    User,
    utcnow,
)
from kinema_api.billing.services import lifecycle
from kinema_api.billing.services.errors import BillingOff
from kinema_api.billing.services.lifecycle import Change, Outcome, SubscriptionState
from kinema_api.billing.services.stripe_door import StripeEvent, verify_event
from kinema_api.billing.services.stripe_objects import (
    checkout_facts,
    invoice_facts,
    subscription_facts,
)
from kinema_api.context import AppContext
from kinema_api.errors import ConflictError
from kinema_api.viewing.services import playback as playback_service

log = logging.getLogger("kinema.api.billing")

DUPLICATE = "duplicate"
_RUNNING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE)


def receive(ctx: AppContext, session: Session, *, payload: bytes, signature: str | None) -> str:
    """Handle one delivery; what it did (an :class:`Outcome`, or ``duplicate``)."""
    secret = ctx.settings.stripe_webhook_secret
    if secret is None or not secret.get_secret_value().strip():
        raise BillingOff(
            "Stripe webhooks are not configured on this server "
            "(KINEMA_STRIPE_WEBHOOK_SECRET is unset)"
        )
    event = verify_event(payload, signature, secret.get_secret_value())
    if session.get(BillingEvent, event.id) is not None:
        return DUPLICATE
    handler = _HANDLERS.get(event.type)
    outcome, user_id = handler(session, event) if handler else (Outcome.IGNORED, None)
    session.add(
        BillingEvent(id=event.id, type=event.type, created_at=event.created, outcome=outcome)
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if session.get(BillingEvent, event.id) is not None:
            return DUPLICATE
        # Another delivery created the same subscription first: Stripe retries on a 409.
        raise ConflictError(f"event {event.id} raced another delivery; retry") from exc
    log.info("stripe event %s %s: %s", event.id, event.type, outcome)
    if user_id is not None and outcome is not Outcome.IGNORED:
        playback_service.forget_user_sessions(ctx, session, user_id=user_id)
    return outcome.value


Handled = tuple[Outcome, uuid.UUID | None]


def _subscription(session: Session, external_id: str) -> Subscription | None:
    return session.scalar(
        select(Subscription).where(Subscription.external_id == external_id).with_for_update()
    )


def _user(session: Session, *, user_id: str | None, customer: str | None) -> User | None:
    if user_id:
        try:
            found = session.get(User, uuid.UUID(user_id))
        except ValueError:
            found = None
        if found is not None:
            return found
    if customer:
        return session.scalar(select(User).where(User.stripe_customer_id == customer))
    return None


def _plan(session: Session, *, price_id: str | None, slug: str | None) -> Plan | None:
    """Our Plan for Stripe's price (``plans.stripe_price_id``), else for the slug Kinema
    put in the metadata. Retired plans count: their subscribers keep them."""
    if price_id:
        found = session.scalar(select(Plan).where(Plan.stripe_price_id == price_id).limit(1))
        if found is not None:
            return found
    if slug:
        return session.scalar(select(Plan).where(Plan.slug == slug))
    return None


def _state(row: Subscription) -> SubscriptionState:
    return SubscriptionState(
        status=row.status,
        current_period_end=row.current_period_end,
        cancel_at_period_end=row.cancel_at_period_end,
        trial_end=row.trial_end,
        past_due_since=row.past_due_since,
        ended_at=row.ended_at,
        event_at=row.stripe_event_at,
    )


def _store(session: Session, row: Subscription, change: Change) -> None:
    state = change.state
    row.status = state.status
    row.current_period_end = state.current_period_end
    row.cancel_at_period_end = state.cancel_at_period_end
    row.trial_end = state.trial_end
    row.past_due_since = state.past_due_since
    row.ended_at = state.ended_at
    row.stripe_event_at = state.event_at
    if change.outcome is Outcome.APPLIED and state.status in _RUNNING:
        _end_other_plans(session, row)


def _end_other_plans(session: Session, row: Subscription) -> None:
    """A paid subscription replaces the plan an admin (or signup) set: one at a time."""
    now = utcnow()
    others = session.scalars(
        select(Subscription).where(
            Subscription.user_id == row.user_id,
            Subscription.external_id.is_(None),
            Subscription.status.in_((SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)),
        )
    )
    for other in others:
        other.status = SubscriptionStatus.CANCELED
        other.ended_at = now


def _link_customer(user: User, customer: str | None) -> None:
    if customer and user.stripe_customer_id is None:
        user.stripe_customer_id = customer


def _on_subscription(session: Session, event: StripeEvent, *, deleted: bool) -> Handled:
    facts = subscription_facts(event.object)
    if not facts.id:
        return Outcome.IGNORED, None
    row = _subscription(session, facts.id)
    plan = _plan(session, price_id=facts.price_id, slug=facts.plan_slug)
    if row is None:
        user = _user(session, user_id=facts.user_id, customer=facts.customer)
        if user is None or plan is None:
            log.warning("stripe subscription %s: no user or plan of ours; ignored", facts.id)
            return Outcome.IGNORED, None
        _link_customer(user, facts.customer)
        row = Subscription(user_id=user.id, plan_id=plan.id, external_id=facts.id)
        session.add(row)
        change = lifecycle.on_subscription(None, facts, at=event.created, deleted=deleted)
    else:
        change = lifecycle.on_subscription(_state(row), facts, at=event.created, deleted=deleted)
        if change.outcome is Outcome.APPLIED and plan is not None:
            row.plan_id = plan.id  # a plan change made in the portal
    _store(session, row, change)
    session.flush()
    return change.outcome, row.user_id


def _on_checkout(session: Session, event: StripeEvent) -> Handled:
    facts = checkout_facts(event.object)
    if facts.subscription_id is None:
        return Outcome.IGNORED, None  # not a subscription Checkout
    user = _user(session, user_id=facts.user_id, customer=facts.customer)
    if user is None:
        log.warning("stripe checkout %s: no user of ours; ignored", facts.id)
        return Outcome.IGNORED, None
    _link_customer(user, facts.customer)
    row = _subscription(session, facts.subscription_id)
    if row is None:
        plan = _plan(session, price_id=None, slug=facts.plan_slug)
        if plan is None:
            return Outcome.IGNORED, None
        row = Subscription(user_id=user.id, plan_id=plan.id, external_id=facts.subscription_id)
        session.add(row)
        change = lifecycle.on_checkout(None, facts, at=event.created)
    else:
        change = lifecycle.on_checkout(_state(row), facts, at=event.created)
    _store(session, row, change)
    session.flush()
    return change.outcome, user.id


def _on_invoice(
    session: Session, event: StripeEvent, decide: Callable[[SubscriptionState, datetime], Change]
) -> Handled:
    facts = invoice_facts(event.object)
    row = _subscription(session, facts.subscription_id) if facts.subscription_id else None
    if row is None:
        return Outcome.IGNORED, None  # the subscription's own events will introduce it
    change = decide(_state(row), event.created)
    _store(session, row, change)
    return change.outcome, row.user_id


def _invoice_paid(session: Session, event: StripeEvent) -> Handled:
    period_end = invoice_facts(event.object).period_end
    return _on_invoice(
        session,
        event,
        lambda state, at: lifecycle.on_invoice_paid(state, period_end=period_end, at=at),
    )


def _payment_failed(session: Session, event: StripeEvent) -> Handled:
    return _on_invoice(session, event, lambda state, at: lifecycle.on_payment_failed(state, at=at))


def _subscription_changed(session: Session, event: StripeEvent) -> Handled:
    return _on_subscription(session, event, deleted=False)


def _subscription_deleted(session: Session, event: StripeEvent) -> Handled:
    return _on_subscription(session, event, deleted=True)


_HANDLERS: dict[str, Callable[[Session, StripeEvent], Handled]] = {
    "checkout.session.completed": _on_checkout,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.trial_will_end": _subscription_changed,
    "customer.subscription.deleted": _subscription_deleted,
    "invoice.paid": _invoice_paid,
    "invoice.payment_failed": _payment_failed,
}
