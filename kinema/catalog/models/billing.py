"""Stripe webhook deliveries already handled: Stripe delivers each event at least once,
so its id is recorded with the change it made and a second delivery finds it here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kinema.catalog.models.base import Base, utcnow


class BillingEvent(Base):
    __tablename__ = "billing_events"

    # Stripe's event id (evt_...): the primary key makes a duplicate delivery a no-op.
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    # When Stripe created the event (its ``created``), and when it reached us.
    created_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What it did: applied, stale (older than what the subscription already shows),
    # ignored (nothing of ours), for the record and for support questions.
    outcome: Mapped[str] = mapped_column(String(16))
