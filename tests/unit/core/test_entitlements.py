"""kinema.entitlements: what each subscription state entitles to, at every moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinema.entitlements import (
    Entitlements,
    PlanTerms,
    Standing,
    SubscriptionTerms,
    entitlements,
)

FREE = PlanTerms("free", "Free", 480, 1, 1, downloads=False, ads=True)
BASIC = PlanTerms("basic", "Basic", 720, 2, 2, downloads=False, ads=False)
PREMIUM = PlanTerms("premium", "Premium", 2160, 4, 4, downloads=True, ads=False)
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
DAY = timedelta(days=1)
GRACE = 3 * DAY


def grant(sub: SubscriptionTerms | None, *, now: datetime = NOW) -> Entitlements:
    return entitlements(PREMIUM, sub, free=FREE, now=now, grace=GRACE)


def test_no_subscription_is_the_free_plan() -> None:
    got = grant(None)
    assert (got.plan, got.standing, got.until) == (FREE, Standing.FREE, None)
    assert (got.max_height, got.devices, got.profiles, got.downloads, got.ads) == (
        480, 1, 1, False, True,
    )  # fmt: skip


def test_active_holds_the_plan_and_renews_at_period_end() -> None:
    got = grant(SubscriptionTerms("active", current_period_end=NOW + 30 * DAY))
    assert (got.plan, got.standing, got.until) == (PREMIUM, Standing.ACTIVE, NOW + 30 * DAY)
    assert (got.max_height, got.devices, got.downloads, got.ads) == (2160, 4, True, False)


def test_active_set_by_an_admin_has_no_end() -> None:
    got = grant(SubscriptionTerms("active"), now=NOW + 3650 * DAY)
    assert (got.plan, got.standing, got.until) == (PREMIUM, Standing.ACTIVE, None)


def test_active_cancelling_at_period_end_says_so() -> None:
    sub = SubscriptionTerms("active", current_period_end=NOW + DAY, cancel_at_period_end=True)
    got = grant(sub)
    assert (got.plan, got.standing, got.until) == (PREMIUM, Standing.CANCELING, NOW + DAY)


def test_an_unrenewed_period_keeps_the_plan_for_the_grace_then_lapses() -> None:
    sub = SubscriptionTerms("active", current_period_end=NOW - DAY)
    assert grant(sub).plan == PREMIUM
    assert grant(sub, now=NOW - DAY + GRACE - timedelta(seconds=1)).plan == PREMIUM
    late = grant(sub, now=NOW - DAY + GRACE)
    assert (late.plan, late.standing) == (FREE, Standing.LAPSED)


def test_trialing_holds_the_plan_until_the_trial_ends() -> None:
    sub = SubscriptionTerms("trialing", current_period_end=NOW + 7 * DAY, trial_end=NOW + 7 * DAY)
    got = grant(sub)
    assert (got.plan, got.standing, got.until) == (PREMIUM, Standing.TRIALING, NOW + 7 * DAY)
    assert grant(sub, now=NOW + 10 * DAY).plan == FREE


@pytest.mark.parametrize(
    ("since", "plan", "standing"),
    [
        (NOW, PREMIUM, Standing.PAST_DUE),
        (NOW - GRACE + timedelta(seconds=1), PREMIUM, Standing.PAST_DUE),
        (NOW - GRACE, FREE, Standing.LAPSED),
        (NOW - 30 * DAY, FREE, Standing.LAPSED),
    ],
)
def test_past_due_keeps_the_plan_for_the_grace_period_only(
    since: datetime, plan: PlanTerms, standing: Standing
) -> None:
    sub = SubscriptionTerms("past_due", current_period_end=NOW + 20 * DAY, past_due_since=since)
    got = grant(sub)
    assert (got.plan, got.standing) == (plan, standing)
    if standing is Standing.PAST_DUE:
        assert got.until == since + GRACE


def test_past_due_without_a_failure_time_counts_from_the_period_end() -> None:
    sub = SubscriptionTerms("past_due", current_period_end=NOW - 4 * DAY)
    assert grant(sub).standing is Standing.LAPSED
    assert grant(SubscriptionTerms("past_due")).standing is Standing.PAST_DUE


def test_canceled_keeps_the_plan_until_the_paid_period_ends() -> None:
    sub = SubscriptionTerms("canceled", current_period_end=NOW + 5 * DAY)
    got = grant(sub)
    assert (got.plan, got.standing, got.until) == (PREMIUM, Standing.CANCELED, NOW + 5 * DAY)
    ended = grant(sub, now=NOW + 5 * DAY)
    assert (ended.plan, ended.standing) == (FREE, Standing.ENDED)
    assert grant(SubscriptionTerms("canceled")).plan == FREE


@pytest.mark.parametrize("status", ["unpaid", "incomplete", "paused", "incomplete_expired"])
def test_unpaid_and_unstarted_subscriptions_get_the_free_plan(status: str) -> None:
    got = grant(SubscriptionTerms(status, current_period_end=NOW + 20 * DAY))
    assert (got.plan, got.standing) == (FREE, Standing.LAPSED)


def test_rank_orders_plans_by_generosity() -> None:
    free = grant(None)
    basic = entitlements(BASIC, SubscriptionTerms("active"), free=FREE, now=NOW)
    premium = grant(SubscriptionTerms("active"))
    assert free.rank < basic.rank < premium.rank


def test_download_limit_is_the_plans_and_zero_without_downloads() -> None:
    assert grant(SubscriptionTerms("active")).download_limit == 25
    assert grant(None).download_limit == 0
    big = PlanTerms("big", "Big", 2160, 4, 4, downloads=True, ads=False, download_limit=60)
    assert entitlements(big, SubscriptionTerms("active"), free=FREE, now=NOW).download_limit == 60
    hoarder = PlanTerms("x", "X", 480, 1, 1, downloads=False, ads=False, download_limit=60)
    assert (
        entitlements(hoarder, SubscriptionTerms("active"), free=FREE, now=NOW).download_limit == 0
    )
    # More downloads is more generous, all else equal.
    assert (
        entitlements(big, SubscriptionTerms("active"), free=FREE, now=NOW).rank
        > grant(SubscriptionTerms("active")).rank
    )
