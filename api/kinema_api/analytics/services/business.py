"""The Overview's and Business page's figures that are not billing's own statistics
(those are :func:`kinema_api.billing.services.stats.billing_stats`, which the routes add):
streams now, plays and watch hours of a period and the one before, new subscribers,
trials per plan and failed payments.

None of them takes the dashboard's dimension filters (title, plan, browser, rung): streams,
subscribers and payments have no browser or rung, and the web app hides those filters on
these pages rather than filter half of a page (docs/analytics.md)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    AuthSession,
    Plan,
    StreamLease,
    Subscription,
    SubscriptionStatus,
)
from kinema.catalog.services.streams import LEASE_TTL
from kinema_api.analytics.schemas import Grain, Period
from kinema_api.analytics.services.rollup_queries import Filters, sums

S = SubscriptionStatus
HOUR = timedelta(hours=1)


def watching_now(session: Session, *, now: datetime) -> int:
    """Live stream leases (the same rule that counts them against a plan's devices)."""
    stmt = (
        select(func.count(StreamLease.id))
        .outerjoin(AuthSession, AuthSession.id == StreamLease.session_id)
        .where(
            StreamLease.last_seen_at >= now - LEASE_TTL,
            or_(
                StreamLease.session_id.is_(None),
                and_(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now),
            ),
        )
    )
    return int(session.scalar(stmt) or 0)


def new_subscribers(session: Session, *, start: datetime, end: datetime) -> int:
    """Accounts whose first subscription to a paid plan began in [start, end) (incomplete
    ones left out). A move between paid plans (an upgrade, or an admin's change, which
    ends the old subscription and starts another) is not a new subscriber."""
    first_paid = (
        select(func.min(Subscription.created_at).label("began"))
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(Plan.price_cents > 0, Subscription.status != S.INCOMPLETE)
        .group_by(Subscription.user_id)
        .subquery()
    )
    stmt = select(func.count()).where(first_paid.c.began >= start, first_paid.c.began < end)
    return int(session.scalar(stmt) or 0)


def compared(
    *, start: datetime, end: datetime, now: datetime
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The Overview's two periods: ``[start, end)`` cut at ``now`` (a range reaching into
    the future holds only its past), and the period of the same length just before it.

    The rollups count by the hour, so the earlier period is a whole number of hours: the
    current length rounded to the nearest hour, at least one. Today at 15:20 is compared
    with yesterday 09:00 to midnight: 15 h 20 min against 15 h, never against the whole
    of yesterday."""
    end = max(start, min(end, now))
    hours = max(1, int((end - start) / HOUR + 0.5))
    return (start, end), (start - hours * HOUR, start)


def period(session: Session, *, start: datetime, end: datetime) -> Period:
    """Plays and watch hours from the hourly rollups (the hours that begin in the
    period), new subscribers from billing."""
    total = sums(session, Filters(start=start, end=end, grain=Grain.HOUR)).get((), {})
    return Period(
        start=start,
        end=end,
        plays=int(total.get("plays", 0)),
        watch_hours=round(total.get("watched_ms", 0) / 3_600_000, 4),
        new_subscribers=new_subscribers(session, start=start, end=end),
    )


def trials_per_plan(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Plan.slug, func.count(Subscription.id))
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(Subscription.status == S.TRIALING)
        .group_by(Plan.slug)
    )
    return {slug: int(n) for slug, n in rows}


def failed_payments(session: Session) -> int:
    """Subscriptions whose renewal payment failed and is not settled (past due)."""
    stmt = select(func.count(Subscription.id)).where(Subscription.status == S.PAST_DUE)
    return int(session.scalar(stmt) or 0)
