"""Per-plan download limits: ``plans.download_limit`` (downloads an account holds at once
across its devices; was the one ``KINEMA_DOWNLOAD_LIMIT`` setting, 25).

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("download_limit", sa.Integer(), nullable=False, server_default="25")
        )


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("download_limit")
