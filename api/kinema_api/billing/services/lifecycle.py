"""A subscription's next state from a Stripe event: the one place that decides. Pure.

Stripe delivers webhooks at least once and in no particular order, so every decision
compares the event with what the subscription already shows, never with what arrived
last:

- Each applied event's ``created`` time is kept (``event_at``). An event older than it
  describes a state already replaced: it may fill a field still unknown (the period end
  a late ``customer.subscription.created`` carries) but changes nothing else.
- Stripe's timestamps have one-second resolution. Between two events of the same second
  the one further along the subscription's life wins (``incomplete`` < ``trialing`` <
  the running states < ``canceled``), so ``created`` (incomplete) never undoes
  ``updated`` (active) when both fall in the same second; otherwise the later arrival wins.
- ``canceled`` is final: Stripe never revives a canceled subscription.
- A failed renewal makes the subscription ``past_due`` from the event's time
  (``past_due_since``, kept through later failures); a paid invoice clears it. A failed
  *first* payment leaves it ``incomplete``: nothing was ever paid, so there is no grace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kinema.catalog.models import SubscriptionStatus as Status
from kinema_api.billing.services.stripe_objects import CheckoutFacts, SubscriptionFacts

_RANK = {Status.INCOMPLETE: 0, Status.TRIALING: 1, Status.CANCELED: 3}
_RUNNING = (Status.ACTIVE, Status.TRIALING, Status.PAST_DUE)


class Outcome(StrEnum):
    APPLIED = "applied"  # the event is the newest news: the state follows it
    STALE = "stale"  # older than what the subscription shows: at most a gap filled
    IGNORED = "ignored"  # nothing it says applies (canceled is final; unknown objects)


@dataclass(frozen=True, slots=True)
class SubscriptionState:
    status: Status
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    trial_end: datetime | None = None
    past_due_since: datetime | None = None
    ended_at: datetime | None = None
    # ``created`` of the newest event applied; None when no event was applied yet.
    event_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Change:
    state: SubscriptionState
    outcome: Outcome


def is_older(stored: SubscriptionState, at: datetime, status: Status) -> bool:
    """Whether news dated ``at`` saying ``status`` is older than what ``stored`` shows."""
    if stored.event_at is None:
        return False
    if at != stored.event_at:
        return at < stored.event_at
    return _RANK.get(status, 2) < _RANK.get(stored.status, 2)


def _fill(stored: SubscriptionState, *, period_end: datetime | None, trial_end: datetime | None
          ) -> Change:  # fmt: skip
    return Change(
        replace(
            stored,
            current_period_end=stored.current_period_end or period_end,
            trial_end=stored.trial_end or trial_end,
        ),
        Outcome.STALE,
    )


def on_subscription(
    stored: SubscriptionState | None, facts: SubscriptionFacts, *, at: datetime, deleted: bool
) -> Change:
    """``customer.subscription.created|updated|deleted|trial_will_end``: the object is a
    full snapshot of the subscription at ``at``."""
    status = Status.CANCELED if deleted else facts.status
    period_end = facts.current_period_end
    ended_at = None
    if status is Status.CANCELED:
        ended_at = facts.ended_at or at
        # Canceled now rather than at the period's end: access ends with it.
        if period_end is None or ended_at < period_end:
            period_end = ended_at
    if stored is not None:
        if is_older(stored, at, status):
            return _fill(stored, period_end=period_end, trial_end=facts.trial_end)
        if stored.status is Status.CANCELED and status is not Status.CANCELED:
            return Change(stored, Outcome.IGNORED)
    past_due_since = None
    if status is Status.PAST_DUE:
        past_due_since = (stored.past_due_since if stored is not None else None) or at
    state = SubscriptionState(
        status=status,
        current_period_end=period_end
        or (stored.current_period_end if stored is not None else None),
        cancel_at_period_end=facts.cancel_at_period_end,
        trial_end=facts.trial_end,
        past_due_since=past_due_since,
        ended_at=ended_at,
        event_at=at,
    )
    return Change(state, Outcome.APPLIED)


def checkout_status(facts: CheckoutFacts) -> Status:
    """A completed Checkout's subscription: paid, or a trial that needed no payment."""
    if facts.payment_status == "paid":
        return Status.ACTIVE
    if facts.payment_status == "no_payment_required":
        return Status.TRIALING
    return Status.INCOMPLETE


def on_checkout(stored: SubscriptionState | None, facts: CheckoutFacts, *, at: datetime) -> Change:
    """``checkout.session.completed``: a subscription exists and its first payment (or a
    free trial) went through. It says nothing about periods, so it only starts a
    subscription not heard of yet, or moves one still ``incomplete`` along."""
    status = checkout_status(facts)
    if stored is None:
        return Change(SubscriptionState(status=status, event_at=at), Outcome.APPLIED)
    if stored.status is Status.INCOMPLETE and status is not Status.INCOMPLETE:
        if not is_older(stored, at, status):
            return Change(replace(stored, status=status, event_at=at), Outcome.APPLIED)
        return Change(stored, Outcome.STALE)
    return Change(stored, Outcome.IGNORED)


def on_invoice_paid(
    stored: SubscriptionState, *, period_end: datetime | None, at: datetime
) -> Change:
    """``invoice.paid``: the subscription is paid up to the invoice's period end."""
    if is_older(stored, at, Status.ACTIVE):
        return _fill(stored, period_end=period_end, trial_end=None)
    if stored.status is Status.CANCELED:
        return Change(stored, Outcome.IGNORED)
    # A trial's $0 invoice is paid too: the subscription stays in its trial.
    status = Status.TRIALING if stored.status is Status.TRIALING else Status.ACTIVE
    ends = [t for t in (stored.current_period_end, period_end) if t is not None]
    state = replace(
        stored,
        status=status,
        past_due_since=None,
        current_period_end=max(ends, default=None),
        event_at=at,
    )
    return Change(state, Outcome.APPLIED)


def on_payment_failed(stored: SubscriptionState, *, at: datetime) -> Change:
    """``invoice.payment_failed``: a renewal (or the end of a trial) could not be charged."""
    if is_older(stored, at, Status.PAST_DUE):
        return Change(stored, Outcome.STALE)
    if stored.status not in _RUNNING:
        return Change(stored, Outcome.IGNORED)  # incomplete, unpaid, paused, canceled
    state = replace(
        stored,
        status=Status.PAST_DUE,
        past_due_since=stored.past_due_since or at,
        event_at=at,
    )
    return Change(state, Outcome.APPLIED)
