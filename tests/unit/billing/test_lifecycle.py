"""The subscription lifecycle decided from Stripe events: order, duplicates in time,
grace, and the states Stripe never leaves. Pure: no database, no Stripe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinema.catalog.models import SubscriptionStatus as S
from kinema_api.billing.services import lifecycle
from kinema_api.billing.services.lifecycle import Outcome, SubscriptionState
from kinema_api.billing.services.stripe_objects import (
    CheckoutFacts,
    SubscriptionFacts,
    checkout_facts,
    invoice_facts,
    stripe_status,
    subscription_facts,
)
from tests.utils import stripe_events

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
END = T0 + timedelta(days=30)


def facts(status: str = "active", **kw: object) -> SubscriptionFacts:
    obj = stripe_events.subscription("sub_1", status=status, price_id="price_p", **kw)  # type: ignore[arg-type]
    return subscription_facts(obj)


def test_created_then_updated_and_the_reverse_end_the_same() -> None:
    created = facts("incomplete", period_end=END)
    updated = facts("active", period_end=END)
    in_order = lifecycle.on_subscription(None, created, at=T0, deleted=False).state
    in_order = lifecycle.on_subscription(
        in_order, updated, at=T0 + timedelta(seconds=5), deleted=False
    ).state
    reverse = lifecycle.on_subscription(None, updated, at=T0 + timedelta(seconds=5), deleted=False)
    late = lifecycle.on_subscription(reverse.state, created, at=T0, deleted=False)
    assert late.outcome is Outcome.STALE
    assert in_order.status is late.state.status is S.ACTIVE
    assert in_order.current_period_end == late.state.current_period_end == END


def test_same_second_events_never_step_back_in_the_lifecycle() -> None:
    active = lifecycle.on_subscription(None, facts("active"), at=T0, deleted=False).state
    same = lifecycle.on_subscription(active, facts("incomplete"), at=T0, deleted=False)
    assert same.outcome is Outcome.STALE and same.state.status is S.ACTIVE
    # Forward in the same second applies (canceled outranks everything).
    ended = lifecycle.on_subscription(active, facts("active"), at=T0, deleted=True)
    assert ended.outcome is Outcome.APPLIED and ended.state.status is S.CANCELED


def test_a_stale_event_only_fills_what_is_unknown() -> None:
    checkout = CheckoutFacts("cs", "cus", "sub_1", "u", "premium", "paid")
    started = lifecycle.on_checkout(None, checkout, at=T0 + timedelta(seconds=1)).state
    assert started.status is S.ACTIVE and started.current_period_end is None
    late = lifecycle.on_subscription(
        started, facts("incomplete", period_end=END), at=T0, deleted=False
    )
    assert late.outcome is Outcome.STALE
    assert late.state.status is S.ACTIVE
    assert late.state.current_period_end == END


def test_canceled_is_final() -> None:
    gone = lifecycle.on_subscription(None, facts("active"), at=T0, deleted=True).state
    later = lifecycle.on_subscription(
        gone, facts("active"), at=T0 + timedelta(hours=1), deleted=False
    )
    assert later.outcome is Outcome.IGNORED and later.state.status is S.CANCELED
    paid = lifecycle.on_invoice_paid(gone, period_end=END, at=T0 + timedelta(hours=1))
    assert paid.state.status is S.CANCELED


def test_an_immediate_cancel_ends_access_when_it_happened() -> None:
    ended_at = T0 + timedelta(days=3)
    state = lifecycle.on_subscription(
        None, facts("canceled", period_end=END, ended_at=ended_at), at=ended_at, deleted=True
    ).state
    assert state.current_period_end == state.ended_at == ended_at
    # At the period's end Stripe's ended_at is the period end: nothing is cut short.
    natural = lifecycle.on_subscription(
        None, facts("canceled", period_end=END, ended_at=END), at=END, deleted=True
    ).state
    assert natural.current_period_end == END


def test_past_due_starts_at_the_first_failure_and_a_paid_invoice_clears_it() -> None:
    active = SubscriptionState(S.ACTIVE, current_period_end=END, event_at=T0)
    first = lifecycle.on_payment_failed(active, at=END).state
    second = lifecycle.on_payment_failed(first, at=END + timedelta(days=1)).state
    assert first.status is second.status is S.PAST_DUE
    assert second.past_due_since == END
    # Stripe's own update about the same failure keeps the first failure's time.
    updated = lifecycle.on_subscription(
        second, facts("past_due", period_end=END), at=END + timedelta(days=1), deleted=False
    ).state
    assert updated.past_due_since == END
    new_end = END + timedelta(days=30)
    paid = lifecycle.on_invoice_paid(updated, period_end=new_end, at=END + timedelta(days=2))
    assert paid.outcome is Outcome.APPLIED
    assert (paid.state.status, paid.state.past_due_since) == (S.ACTIVE, None)
    assert paid.state.current_period_end == new_end


def test_an_old_failure_delivered_after_the_payment_changes_nothing() -> None:
    active = SubscriptionState(S.ACTIVE, current_period_end=END, event_at=T0)
    paid = lifecycle.on_invoice_paid(active, period_end=END, at=T0 + timedelta(hours=2)).state
    late = lifecycle.on_payment_failed(paid, at=T0 + timedelta(hours=1))
    assert late.outcome is Outcome.STALE and late.state.status is S.ACTIVE


@pytest.mark.parametrize("status", [S.INCOMPLETE, S.UNPAID, S.PAUSED, S.CANCELED])
def test_failures_outside_a_running_subscription_grant_no_grace(status: S) -> None:
    got = lifecycle.on_payment_failed(SubscriptionState(status, event_at=T0), at=END)
    assert got.outcome is Outcome.IGNORED and got.state.status is status


def test_a_trials_zero_invoice_keeps_the_trial() -> None:
    trial = SubscriptionState(S.TRIALING, trial_end=END, event_at=T0)
    got = lifecycle.on_invoice_paid(trial, period_end=END, at=T0 + timedelta(seconds=1))
    assert got.state.status is S.TRIALING


@pytest.mark.parametrize(
    ("payment", "status"),
    [("paid", S.ACTIVE), ("no_payment_required", S.TRIALING), ("unpaid", S.INCOMPLETE)],
)
def test_checkout_status(payment: str, status: S) -> None:
    obj = stripe_events.checkout_session(user_id="u", plan="premium", sub_id="sub_1")
    obj["payment_status"] = payment
    assert lifecycle.checkout_status(checkout_facts(obj)) is status


def test_checkout_after_the_subscription_changes_nothing() -> None:
    running = SubscriptionState(S.TRIALING, trial_end=END, event_at=T0)
    again = lifecycle.on_checkout(
        running, CheckoutFacts("cs", None, "sub_1", "u", "p", "paid"), at=T0
    )
    assert again.outcome is Outcome.IGNORED and again.state == running


@pytest.mark.parametrize(
    ("stripe", "ours"),
    [
        ("active", S.ACTIVE),
        ("trialing", S.TRIALING),
        ("past_due", S.PAST_DUE),
        ("unpaid", S.UNPAID),
        ("paused", S.PAUSED),
        ("incomplete", S.INCOMPLETE),
        ("incomplete_expired", S.CANCELED),
        ("canceled", S.CANCELED),
        ("something_new", S.INCOMPLETE),
    ],
)
def test_stripe_statuses(stripe: str, ours: S) -> None:
    assert stripe_status(stripe) is ours


def test_older_api_shapes_are_read_too() -> None:
    old = {
        "id": "sub_9",
        "status": "active",
        "customer": {"id": "cus_9", "object": "customer"},
        "current_period_end": stripe_events.unix(END),
        "items": {"data": [{"price": "price_9"}]},
        "metadata": {"kinema_user_id": "u9", "kinema_plan_slug": "basic"},
    }
    got = subscription_facts(old)
    assert (got.customer, got.price_id, got.current_period_end) == ("cus_9", "price_9", END)
    assert (got.user_id, got.plan_slug) == ("u9", "basic")
    inv = invoice_facts({"id": "in_1", "subscription": "sub_9", "lines": {"data": []}})
    assert inv.subscription_id == "sub_9" and inv.period_end is None
    new = invoice_facts(stripe_events.invoice("sub_7", period_end=END))
    assert (new.subscription_id, new.period_end) == ("sub_7", END)
