"""What a viewer may do: one pure function of (plan, subscription state, now).

Playback (the tallest rendition and how many devices stream at once), profiles, downloads,
ads and the web app's Account page all read :func:`entitlements`; nothing else decides.

The rules, by subscription status (Stripe's, which admin-set subscriptions reuse):

- no subscription, ``incomplete``, ``unpaid``, ``paused``: the free plan's.
- ``trialing`` and ``active``: the plan's. A period that ended without news of renewal
  (a late webhook) keeps the plan for ``grace`` after its end, then falls to free.
- ``past_due`` (a renewal payment failed): the plan's for ``grace`` after the failure,
  then free's until the payment succeeds.
- ``canceled``: the plan's until the paid period ends, then free's.

A subscription set by an admin (billing off) has no period end: it holds until changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DEFAULT_GRACE = timedelta(days=3)


class Standing(StrEnum):
    """Why the entitlements are what they are (the Account page words it)."""

    FREE = "free"  # no paid subscription
    TRIALING = "trialing"
    ACTIVE = "active"
    CANCELING = "canceling"  # active, cancels at period end
    PAST_DUE = "past_due"  # payment failed, in grace: paid entitlements kept
    LAPSED = "lapsed"  # payment failed past grace, unpaid, incomplete, paused: free's
    CANCELED = "canceled"  # canceled, paid period still running
    ENDED = "ended"  # canceled and the period is over: free's


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """The parts of a plan that entitlements are made of."""

    slug: str
    name: str
    max_height: int
    devices: int
    profiles: int
    downloads: bool
    ads: bool
    # Downloads an account holds at once across its devices (read only with ``downloads``).
    download_limit: int = 25


@dataclass(frozen=True, slots=True)
class SubscriptionTerms:
    """A subscription's state as Stripe (or an admin) last described it."""

    status: str
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    trial_end: datetime | None = None
    past_due_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Entitlements:
    plan: PlanTerms  # the plan whose entitlements apply now (free's when lapsed)
    standing: Standing
    # When the current standing changes by itself: trial end, renewal, cancellation,
    # end of grace. None when nothing is scheduled.
    until: datetime | None = None

    @property
    def max_height(self) -> int:
        return self.plan.max_height

    @property
    def devices(self) -> int:
        return self.plan.devices

    @property
    def profiles(self) -> int:
        return self.plan.profiles

    @property
    def downloads(self) -> bool:
        return self.plan.downloads

    @property
    def ads(self) -> bool:
        return self.plan.ads

    @property
    def download_limit(self) -> int:
        """Downloads the account may hold at once across its devices: the plan's limit,
        0 for a plan without downloads."""
        return self.plan.download_limit if self.plan.downloads else 0

    @property
    def rank(self) -> tuple[int, int, int, bool, int, bool]:
        """Orders entitlements from least to most generous (ads count against)."""
        p = self.plan
        return (p.max_height, p.devices, p.profiles, p.downloads, self.download_limit, not p.ads)


def entitlements(
    plan: PlanTerms,
    subscription: SubscriptionTerms | None,
    *,
    free: PlanTerms,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> Entitlements:
    """What a holder of ``subscription`` to ``plan`` may do at ``now``."""
    if subscription is None:
        return Entitlements(free, Standing.FREE)
    status, end = subscription.status, subscription.current_period_end
    if status in ("trialing", "active"):
        if end is not None and now >= end + grace:
            return Entitlements(free, Standing.LAPSED)
        if status == "trialing":
            return Entitlements(plan, Standing.TRIALING, subscription.trial_end or end)
        standing = Standing.CANCELING if subscription.cancel_at_period_end else Standing.ACTIVE
        return Entitlements(plan, standing, end)
    if status == "past_due":
        since = subscription.past_due_since or end
        if since is None or now < since + grace:
            return Entitlements(plan, Standing.PAST_DUE, since + grace if since else None)
        return Entitlements(free, Standing.LAPSED)
    if status == "canceled":
        if end is not None and now < end:
            return Entitlements(plan, Standing.CANCELED, end)
        return Entitlements(free, Standing.ENDED)
    return Entitlements(free, Standing.LAPSED)
