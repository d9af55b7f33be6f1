"""Retired plans: a deleted Plan that subscriptions still name stays, but is not offered.

Subscriptions restrict deleting their plan, so the operator's Plan finalizer keeps such a
row and marks it ``retired``: its holders keep its entitlements, while new accounts,
plan changes and the public plan list no longer see it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("retired")
