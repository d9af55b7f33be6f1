"""Profile locks: an optional PIN per profile.

A kids profile could switch to a parent's profile and act for the account. A profile with
a PIN (stored as an argon2 hash) can only be chosen by someone who knows it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("pin_hash", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("pin_hash")
