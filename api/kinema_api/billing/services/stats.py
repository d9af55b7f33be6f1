"""Subscribers per plan, monthly recurring revenue and monthly churn, from the catalog.

The counting is SQL (grouped, the same on SQLite and PostgreSQL); turning prices of
other intervals into a monthly amount is :func:`monthly_cents`, pure. Definitions:

- A plan's subscribers: accounts with a subscription to it that runs (active, trialing,
  past due) or was cancelled with paid time left. The default (free) plan counts every
  other active account.
- MRR: what active and past-due subscriptions to paid plans bill a month (trials pay
  nothing yet), in the currency most of that revenue is in; plans billed in another
  currency are left out rather than added up as if they were the same money.
- Churn of a month: paid subscriptions running when it began (``at_start``) and how many
  of those ended within it (``canceled``); ``rate`` is their ratio.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from kinema.catalog.models import Plan, Subscription, SubscriptionStatus, User
from kinema.catalog.services import accounts
from kinema_api.billing.schemas import BillingStatsPublic, ChurnPublic, PlanSubscribers

S = SubscriptionStatus
RUNNING = (S.ACTIVE, S.TRIALING, S.PAST_DUE)
PAYING = (S.ACTIVE, S.PAST_DUE)
_PER_MONTH = {"day": 365 / 12, "week": 52 / 12, "month": 1.0, "year": 1 / 12}


def monthly_cents(price_cents: int, interval: str) -> float:
    """What a price billed every ``interval`` comes to per month."""
    return price_cents * _PER_MONTH.get(interval, 1.0)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` as [first instant, first instant of the next month) in UTC."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _subscribers(session: Session, *, now: datetime) -> list[PlanSubscribers]:
    entitled = or_(
        Subscription.status.in_(RUNNING),
        and_(Subscription.status == S.CANCELED, Subscription.current_period_end > now),
    )
    counts = dict(
        session.execute(
            select(Subscription.plan_id, func.count(func.distinct(Subscription.user_id)))
            .where(entitled)
            .group_by(Subscription.plan_id)
        ).all()
    )
    paying_users = session.scalar(
        select(func.count(func.distinct(Subscription.user_id)))
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(entitled, Plan.price_cents > 0)
    )
    users = session.scalar(select(func.count()).select_from(User).where(User.is_active))
    free = accounts.default_plan(session)
    plans = session.scalars(select(Plan).order_by(Plan.price_cents, Plan.max_height))
    out = []
    for plan in plans:
        count = int(counts.get(plan.id, 0))
        if plan.id == free.id:
            count = max(int(users or 0) - int(paying_users or 0), 0)
        if plan.retired and count == 0:
            continue
        out.append(PlanSubscribers(slug=plan.slug, name=plan.name, subscribers=count))
    return out


def _mrr(session: Session) -> tuple[int, str]:
    rows = session.execute(
        select(Plan.price_cents, Plan.interval, Plan.currency, func.count(Subscription.id))
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(Subscription.status.in_(PAYING), Plan.price_cents > 0)
        .group_by(Plan.price_cents, Plan.interval, Plan.currency)
    ).all()
    by_currency: dict[str, float] = {}
    for price, interval, currency, count in rows:
        key = str(currency).lower()
        by_currency[key] = (
            by_currency.get(key, 0.0) + monthly_cents(int(price), str(interval)) * count
        )
    if not by_currency:
        return 0, accounts.default_plan(session).currency.lower()
    currency, total = max(by_currency.items(), key=lambda item: item[1])
    return round(total), currency


def _churn(session: Session, *, month: str) -> ChurnPublic:
    start, end = month_bounds(month)
    ended = func.coalesce(
        Subscription.ended_at, Subscription.current_period_end, Subscription.updated_at
    )
    paid = and_(
        Plan.price_cents > 0,
        Subscription.status != S.INCOMPLETE,
        Subscription.created_at < start,
    )
    running_at_start = or_(Subscription.status != S.CANCELED, ended >= start)
    base = select(func.count(Subscription.id)).join(Plan, Plan.id == Subscription.plan_id)
    at_start = int(session.scalar(base.where(paid, running_at_start)) or 0)
    canceled = int(
        session.scalar(
            base.where(paid, Subscription.status == S.CANCELED, ended >= start, ended < end)
        )
        or 0
    )
    rate = round(canceled / at_start, 4) if at_start else 0.0
    return ChurnPublic(month=month, rate=rate, canceled=canceled, at_start=at_start)


def billing_stats(session: Session, *, now: datetime, month: str | None) -> BillingStatsPublic:
    mrr, currency = _mrr(session)
    return BillingStatsPublic(
        plans=_subscribers(session, now=now),
        mrr_cents=mrr,
        currency=currency,
        churn=_churn(session, month=month or now.strftime("%Y-%m")),
    )
