"""Video chapters: the intro range (skip intro) and where the credits start.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 19:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("intro_start_s", "intro_end_s", "credits_start_s")


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
