"""Clip previews made by Jobs: ``clips.preview_attempts``, how many preview Jobs the
operator launched for a clip (it retries a failed one up to a limit).

Revision ID: 0019
Revises: 0021
Create Date: 2026-12-03 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no SQLite table rebuild).
    op.add_column(
        "clips", sa.Column("preview_attempts", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    with op.batch_alter_table("clips") as batch:
        batch.drop_column("preview_attempts")
