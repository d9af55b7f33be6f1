"""Devices and subscription state: what entitlements are decided from.

- ``auth_sessions.device_id``: the client's stable id for a browser or app install, so
  streams are counted per device and a device can be named, listed and signed out.
- ``stream_leases.session_id``: the device (login session) a stream plays on.
- ``subscriptions.cancel_at_period_end``, ``trial_end``, ``past_due_since``: Stripe's
  description of a subscription, which :func:`kinema.entitlements.entitlements` reads.
- ``plans.trial_days``: the Plan resource's free trial, offered at Checkout.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(sa.Column("device_id", sa.String(64), nullable=True))
        batch.create_index("ix_auth_sessions_user_device", ["user_id", "device_id"])
    with op.batch_alter_table("stream_leases") as batch:
        batch.add_column(sa.Column("session_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_stream_leases_session_id_auth_sessions",
            "auth_sessions",
            ["session_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_stream_leases_session_id", ["session_id"])
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column(
                "cancel_at_period_end", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("trial_end", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("trial_days", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("trial_days")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("past_due_since")
        batch.drop_column("trial_end")
        batch.drop_column("cancel_at_period_end")
    with op.batch_alter_table("stream_leases") as batch:
        batch.drop_index("ix_stream_leases_session_id")
        batch.drop_constraint("fk_stream_leases_session_id_auth_sessions", type_="foreignkey")
        batch.drop_column("session_id")
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_index("ix_auth_sessions_user_device")
        batch.drop_column("device_id")
