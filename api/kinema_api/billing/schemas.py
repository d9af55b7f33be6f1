"""Billing's request and response shapes: the viewer's billing page, Checkout and portal
redirects, invoices, webhook acknowledgements, and the admin's users and figures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from kinema.catalog.models import Role, SubscriptionStatus
from kinema.entitlements import Standing
from kinema_api.accounts.schemas import EntitlementsPublic, PlanPublic

PlanSlug = Annotated[str, StringConstraints(min_length=1, max_length=63)]


class SubscriptionStatePublic(BaseModel):
    """The account's subscription as Stripe (or an admin) last described it."""

    plan: str = Field(description="Slug of the plan subscribed to.")
    status: SubscriptionStatus
    current_period_end: datetime | None = Field(
        description="When the paid period ends (renewal, or the end of a cancelled one)."
    )
    cancel_at_period_end: bool
    trial_end: datetime | None
    past_due_since: datetime | None = Field(description="When a renewal payment first failed.")
    grace_until: datetime | None = Field(
        description="Past due: until when the plan's entitlements are kept."
    )


class BillingPublic(BaseModel):
    enabled: bool = Field(description="Stripe billing is configured (else an admin sets plans).")
    plan: PlanPublic = Field(description="The plan subscribed to (the free plan when lapsed).")
    entitlements: EntitlementsPublic
    subscription: SubscriptionStatePublic | None = Field(
        description="The paid (or admin-set) subscription; null on the free plan."
    )
    plans: list[PlanPublic] = Field(description="The plans on offer.")


class CheckoutCreate(BaseModel):
    plan: PlanSlug


class RedirectPublic(BaseModel):
    """A Stripe page to send the browser to."""

    url: str


class InvoicePublic(BaseModel):
    id: str
    number: str | None
    status: str | None
    amount_due: int = Field(description="In the currency's smallest unit (cents).")
    amount_paid: int
    currency: str
    created: datetime | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str = Field(description="applied, stale, ignored or duplicate.")


class AdminUserPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    plan: str = Field(description="Slug of the plan subscribed to.")
    status: SubscriptionStatus | None = Field(description="Its subscription's status.")
    standing: Standing
    active: bool = Field(description="False when an admin disabled the account.")


class AdminPlanUpdate(BaseModel):
    plan: PlanSlug


class PlanSubscribers(BaseModel):
    slug: str
    name: str
    subscribers: int


class ChurnPublic(BaseModel):
    month: str = Field(description="YYYY-MM (UTC).")
    rate: float = Field(description="canceled / at_start; 0 when nobody paid at the start.")
    canceled: int = Field(description="Paid subscriptions that ended in the month.")
    at_start: int = Field(description="Paid subscriptions running when the month began.")


class BillingStatsPublic(BaseModel):
    plans: list[PlanSubscribers]
    mrr_cents: int = Field(description="Monthly recurring revenue of paying subscriptions.")
    currency: str
    churn: ChurnPublic
