"""Users, plans and subscriptions, profiles, and login sessions (devices)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import (
    Base,
    IdMixin,
    Maturity,
    Role,
    SubscriptionStatus,
    TimestampMixin,
    str_enum,
    utcnow,
)


class Plan(IdMixin, TimestampMixin, Base):
    """A subscription plan, synced from the Plan resource (and to Stripe)."""

    __tablename__ = "plans"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    price_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    interval: Mapped[str] = mapped_column(String(16), default="month")
    # Highest rendition height a subscriber may stream (480 for Free).
    max_height: Mapped[int] = mapped_column(default=480)
    concurrent_streams: Mapped[int] = mapped_column(default=1)
    max_profiles: Mapped[int] = mapped_column(default=1)
    downloads: Mapped[bool] = mapped_column(default=False)
    # Downloads an account holds at once across its devices (when ``downloads``).
    download_limit: Mapped[int] = mapped_column(default=25, server_default="25")
    ads: Mapped[bool] = mapped_column(default=False)
    trial_days: Mapped[int] = mapped_column(default=0, server_default="0")
    is_default: Mapped[bool] = mapped_column(default=False)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    # Its Plan resource was deleted while subscriptions still named it: they keep it,
    # nobody else is offered it (see services.accounts.retire_plan).
    retired: Mapped[bool] = mapped_column(default=False, server_default=false())


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.VIEWER)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The user's one Stripe Customer (cus_...), made at their first Checkout or portal visit.
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)

    profiles: Mapped[list[Profile]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Profile.created_at"
    )
    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class Subscription(IdMixin, TimestampMixin, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_user_status", "user_id", "status"),
        UniqueConstraint("external_id", name="uq_subscriptions_external_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    status: Mapped[SubscriptionStatus] = mapped_column(
        str_enum(SubscriptionStatus), default=SubscriptionStatus.ACTIVE
    )
    current_period_end: Mapped[datetime | None]
    # Stripe's subscription id (sub_...); None for a subscription set by an admin.
    external_id: Mapped[str | None] = mapped_column(String(255))
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    trial_end: Mapped[datetime | None]
    # When a renewal payment first failed; entitlements hold for the grace period after.
    past_due_since: Mapped[datetime | None]
    # The ``created`` time of the newest Stripe event applied to this row: webhooks arrive
    # in any order, and an event older than this one describes a state already replaced.
    stripe_event_at: Mapped[datetime | None]
    # When the subscription stopped (Stripe's ``ended_at``); None while it runs, and for
    # one an admin replaced (``updated_at`` tells when).
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="subscriptions")
    plan: Mapped[Plan] = relationship()


class Profile(IdMixin, TimestampMixin, Base):
    """A viewer inside an account; kids profiles see titles up to their maturity."""

    __tablename__ = "profiles"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_profiles_user_name"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    is_kids: Mapped[bool] = mapped_column(default=False)
    max_maturity: Mapped[Maturity] = mapped_column(str_enum(Maturity), default=Maturity.ADULT)
    avatar: Mapped[str | None] = mapped_column(String(255))
    # An argon2 hash of the profile's PIN (profile lock); None means anyone in the
    # account may switch to it.
    pin_hash: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="profiles")

    @property
    def has_pin(self) -> bool:
        return self.pin_hash is not None


class AuthSession(IdMixin, Base):
    """A login: the web app's cookie or an API client's bearer token, one per device.

    Only a SHA-256 of the token is stored, so a database leak reveals no usable token.
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user_device", "user_id", "device_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="bearer")
    # The client's stable id for its browser or app install (a device); logging in
    # again from the same device replaces its earlier session.
    device_id: Mapped[str | None] = mapped_column(String(64))
    device_name: Mapped[str] = mapped_column(String(120), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
