"""Stripe billing: customers, the order of webhook events, and deliveries already handled.

- ``users.stripe_customer_id``: the user's one Stripe Customer (unique).
- ``subscriptions.external_id`` becomes unique: one row per Stripe subscription.
- ``subscriptions.stripe_event_at``: the ``created`` time of the newest Stripe event
  applied, so an older event delivered late changes nothing.
- ``subscriptions.ended_at``: when the subscription stopped (monthly churn reads it).
- ``billing_events``: the id of every Stripe event handled, so a redelivery is a no-op.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("stripe_customer_id", sa.String(255), nullable=True))
        batch.create_unique_constraint("uq_users_stripe_customer_id", ["stripe_customer_id"])
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("stripe_event_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_subscriptions_external_id", ["external_id"])
    op.create_table(
        "billing_events",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_billing_events"),
    )


def downgrade() -> None:
    op.drop_table("billing_events")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_constraint("uq_subscriptions_external_id", type_="unique")
        batch.drop_column("ended_at")
        batch.drop_column("stripe_event_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_stripe_customer_id", type_="unique")
        batch.drop_column("stripe_customer_id")
