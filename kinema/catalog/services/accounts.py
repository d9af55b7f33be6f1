"""Users, plans, subscriptions and profiles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.errors import Conflict, InvalidChange, NotFound
from kinema.catalog.models import (
    Maturity,
    Plan,
    Profile,
    Role,
    Subscription,
    SubscriptionStatus,
    User,
    utcnow,
)
from kinema.entitlements import (
    DEFAULT_GRACE,
    Entitlements,
    PlanTerms,
    SubscriptionTerms,
    entitlements,
)


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """A plan as declared by a Plan resource (or the built-in samples)."""

    slug: str
    name: str
    max_height: int
    concurrent_streams: int
    max_profiles: int
    price_cents: int = 0
    currency: str = "usd"
    interval: str = "month"
    downloads: bool = False
    ads: bool = False
    # Downloads an account holds at once across its devices (read only with ``downloads``).
    download_limit: int = 25
    is_default: bool = False
    trial_days: int = 0
    # The Stripe Price subscriptions to this plan use; None leaves the stored one as is.
    stripe_price_id: str | None = None


# The sample plans of the Plan resources, used when no cluster syncs plans.
SAMPLE_PLANS = (
    PlanSpec("free", "Free", 480, 1, 1, 0, ads=True, is_default=True),
    PlanSpec("basic", "Basic", 720, 2, 2, 999),
    PlanSpec("premium", "Premium", 2160, 4, 4, 1499, downloads=True, trial_days=7),
    PlanSpec("family", "Family", 2160, 4, 6, 1999, downloads=True, download_limit=50, trial_days=7),
)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def upsert_plan(session: Session, *, spec: PlanSpec) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.slug == spec.slug))
    if plan is None:
        plan = Plan(slug=spec.slug)
        session.add(plan)
    plan.name = spec.name
    plan.max_height = spec.max_height
    plan.concurrent_streams = spec.concurrent_streams
    plan.max_profiles = spec.max_profiles
    plan.price_cents = spec.price_cents
    plan.currency = spec.currency
    plan.interval = spec.interval
    plan.downloads = spec.downloads
    plan.download_limit = spec.download_limit
    plan.ads = spec.ads
    plan.trial_days = spec.trial_days
    plan.is_default = spec.is_default
    plan.retired = False  # declared (again): offered
    if spec.stripe_price_id is not None:
        plan.stripe_price_id = spec.stripe_price_id
    session.flush()
    return plan


class PlanRetirement(StrEnum):
    DELETED = "deleted"  # no subscription ever named it: the row is gone
    KEPT = "kept"  # subscriptions name it: kept for them, no longer the default
    ABSENT = "absent"  # there was no such plan


def retire_plan(session: Session, *, slug: str) -> PlanRetirement:
    """Take a plan whose declaration is gone out of the catalog, as far as history allows.

    Subscriptions keep their plan (``ON DELETE RESTRICT``): their holders keep its
    entitlements while billing on the archived Stripe Price runs out, so a plan that any
    subscription names stays, ``retired``: no longer listed, the default, or open to
    new subscriptions.
    """
    plan = session.scalar(select(Plan).where(Plan.slug == slug))
    if plan is None:
        return PlanRetirement.ABSENT
    if session.scalar(select(Subscription.id).where(Subscription.plan_id == plan.id).limit(1)):
        plan.is_default = False
        plan.retired = True
        session.flush()
        return PlanRetirement.KEPT
    session.delete(plan)
    session.flush()
    return PlanRetirement.DELETED


def ensure_sample_plans(session: Session) -> list[Plan]:
    """The plans on offer; the sample plans first when the catalog has none (idempotent)."""
    if session.scalar(select(func.count()).select_from(Plan)):
        offered = select(Plan).where(Plan.retired.is_(False)).order_by(Plan.max_height)
        return list(session.scalars(offered))
    return [upsert_plan(session, spec=spec) for spec in SAMPLE_PLANS]


def default_plan(session: Session) -> Plan:
    plan = session.scalar(
        select(Plan)
        .where(Plan.retired.is_(False))
        .order_by(Plan.is_default.desc(), Plan.price_cents, Plan.max_height)
        .limit(1)
    )
    if plan is None:
        plans = ensure_sample_plans(session)
        plan = next(p for p in plans if p.is_default)
    return plan


def get_plan(session: Session, *, slug: str) -> Plan:
    """A plan on offer (for a new subscription or a change of plan)."""
    plan = session.scalar(select(Plan).where(Plan.slug == slug))
    if plan is None:
        raise NotFound(f"no plan {slug!r}")
    if plan.retired:
        raise NotFound(f"plan {slug!r} is no longer offered")
    return plan


def lock_account(session: Session, *, user_id: uuid.UUID) -> None:
    """Hold the account's row until the transaction ends, so that a count-then-insert
    against a per-account limit (streams, downloads) is not raced by the account's other
    devices. FOR UPDATE is rendered by PostgreSQL and dropped by SQLite, whose write
    transactions (BEGIN IMMEDIATE) already run one at a time."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def get_user(session: Session, *, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def find_user_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    session: Session,
    *,
    email: str,
    password_hash: str,
    display_name: str = "",
    role: Role = Role.VIEWER,
    plan_slug: str | None = None,
) -> User:
    """A user with one profile and a subscription to ``plan_slug`` (default: the free plan)."""
    email = normalize_email(email)
    if find_user_by_email(session, email=email) is not None:
        raise Conflict(f"an account with email {email!r} already exists")
    plan = get_plan(session, slug=plan_slug) if plan_slug else default_plan(session)
    name = display_name or email.split("@", 1)[0]
    user = User(email=email, password_hash=password_hash, display_name=name, role=role)
    user.profiles.append(Profile(name=name[:60]))
    user.subscriptions.append(Subscription(plan=plan, status=SubscriptionStatus.ACTIVE))
    session.add(user)
    session.flush()
    return user


def set_password_hash(session: Session, *, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    session.flush()


def plan_terms(plan: Plan) -> PlanTerms:
    return PlanTerms(
        slug=plan.slug,
        name=plan.name,
        max_height=plan.max_height,
        devices=plan.concurrent_streams,
        profiles=plan.max_profiles,
        downloads=plan.downloads,
        ads=plan.ads,
        download_limit=plan.download_limit,
    )


def subscription_terms(sub: Subscription) -> SubscriptionTerms:
    return SubscriptionTerms(
        status=sub.status.value,
        current_period_end=sub.current_period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
        trial_end=sub.trial_end,
        past_due_since=sub.past_due_since,
    )


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """An account's subscription as it stands: the plan subscribed to (the default plan
    when none), the subscription (None when none), and what they entitle to now."""

    plan: Plan
    subscription: Subscription | None
    entitlements: Entitlements


def account_plan(
    session: Session,
    *,
    user_id: uuid.UUID,
    now: datetime | None = None,
    grace: timedelta = DEFAULT_GRACE,
) -> AccountPlan:
    """The subscription that entitles the account to the most now, by
    :func:`kinema.entitlements.entitlements` (newest first among equals)."""
    now = now or utcnow()
    free = default_plan(session)
    free_terms = plan_terms(free)
    subs = session.scalars(
        select(Subscription)
        .where(Subscription.user_id == user_id)
        .order_by(Subscription.created_at.desc())
    )
    best: AccountPlan | None = None
    for sub in subs:
        granted = entitlements(
            plan_terms(sub.plan), subscription_terms(sub), free=free_terms, now=now, grace=grace
        )
        if best is None or granted.rank > best.entitlements.rank:
            best = AccountPlan(sub.plan, sub, granted)
    if best is None or best.plan.slug == free.slug:
        # No subscription, or the free plan's own row (what signup and an admin's move
        # to Free leave): nothing is billed, so the standing is simply "free".
        return AccountPlan(free, None, entitlements(free_terms, None, free=free_terms, now=now))
    if best.entitlements.plan.slug == free.slug:
        # Every paid subscription lapsed or ended: the account is on the free plan.
        return AccountPlan(free, best.subscription, best.entitlements)
    return best


def active_plan(session: Session, *, user_id: uuid.UUID) -> Plan:
    """The plan whose entitlements the account has now (the free plan when lapsed)."""
    return account_plan(session, user_id=user_id).plan


def subscribe(session: Session, *, user_id: uuid.UUID, plan_slug: str) -> Subscription:
    """Switch a user to ``plan_slug`` with no payment (an admin's action when billing is
    off, and signup's free plan), ending their other subscriptions now."""
    plan = get_plan(session, slug=plan_slug)
    for sub in session.scalars(select(Subscription).where(Subscription.user_id == user_id)):
        if sub.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            sub.status = SubscriptionStatus.CANCELED
    sub = Subscription(user_id=user_id, plan_id=plan.id, status=SubscriptionStatus.ACTIVE)
    session.add(sub)
    session.flush()
    return sub


def list_profiles(session: Session, *, user_id: uuid.UUID) -> list[Profile]:
    """The account's profiles, oldest first (the order the plan's profile count follows)."""
    return list(
        session.scalars(
            select(Profile)
            .where(Profile.user_id == user_id)
            .order_by(Profile.created_at, Profile.id)
        )
    )


def selectable_profiles(profiles: Sequence[Profile], *, allowed: int) -> list[Profile]:
    """The profiles a plan allowing ``allowed`` lets be picked: the oldest ones (
    ``profiles`` as :func:`list_profiles` orders them). After a downgrade the others stay
    readable, editable and deletable, but nobody watches as them."""
    return list(profiles[: max(allowed, 1)])


def fallback_profile(selectable: Sequence[Profile]) -> Profile:
    """The profile a login session watches as when it chose none, or its choice was
    deleted: the first one without a PIN, so a device is never moved onto a locked
    profile while one is unlocked."""
    return next((p for p in selectable if p.pin_hash is None), selectable[0])


def get_profile(session: Session, *, user_id: uuid.UUID, profile_id: uuid.UUID) -> Profile:
    profile = session.get(Profile, profile_id)
    if profile is None or profile.user_id != user_id:
        raise NotFound(f"no profile {profile_id} in this account")
    return profile


def create_profile(
    session: Session,
    *,
    user_id: uuid.UUID,
    name: str,
    is_kids: bool = False,
    max_maturity: Maturity | None = None,
    avatar: str | None = None,
) -> Profile:
    allowed = account_plan(session, user_id=user_id).entitlements.plan
    existing = list_profiles(session, user_id=user_id)
    if len(existing) >= allowed.profiles:
        surplus = len(existing) - allowed.profiles + 1
        raise InvalidChange(
            f"the {allowed.name} plan allows {allowed.profiles} profile(s) and this "
            f"account has {len(existing)}; delete {surplus} or change plan to add one"
        )
    if any(p.name == name for p in existing):
        raise Conflict(f"a profile named {name!r} already exists")
    limit = max_maturity or (Maturity.KIDS if is_kids else Maturity.ADULT)
    if is_kids and limit.level > Maturity.KIDS.level:
        raise InvalidChange(f"a kids profile cannot see titles rated above {Maturity.KIDS}")
    profile = Profile(
        user_id=user_id, name=name, is_kids=is_kids, max_maturity=limit, avatar=avatar
    )
    session.add(profile)
    session.flush()
    return profile


def update_profile(
    session: Session,
    *,
    profile: Profile,
    name: str | None = None,
    max_maturity: Maturity | None = None,
    avatar: str | None = None,
) -> Profile:
    if name is not None and name != profile.name:
        clash = session.scalar(
            select(Profile).where(Profile.user_id == profile.user_id, Profile.name == name)
        )
        if clash is not None:
            raise Conflict(f"a profile named {name!r} already exists")
        profile.name = name
    if max_maturity is not None:
        if profile.is_kids and max_maturity.level > Maturity.KIDS.level:
            raise InvalidChange(f"a kids profile cannot see titles rated above {Maturity.KIDS}")
        profile.max_maturity = max_maturity
    if avatar is not None:
        profile.avatar = avatar
    session.flush()
    return profile


def delete_profile(session: Session, *, profile: Profile) -> None:
    """Delete a profile and what is its own (progress, lists, streams); login sessions
    watching as it fall back to :func:`fallback_profile`. The last profile, and the last
    one that is not a kids profile (the only kind that can manage the account), stay."""
    others = [p for p in list_profiles(session, user_id=profile.user_id) if p.id != profile.id]
    if not others:
        raise InvalidChange("an account keeps at least one profile")
    if not profile.is_kids and all(p.is_kids for p in others):
        raise InvalidChange(
            f"{profile.name!r} is the last profile that is not a kids profile, which is "
            "the kind that manages the account; create another one first"
        )
    session.delete(profile)
    session.flush()
