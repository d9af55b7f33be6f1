"""Recommendations: the scored lists of the recommender's last training run.

- ``recommendations``: ``kind`` (top_picks, similar, popular), ``subject_id`` (the
  profile or title a list is for; NULL for the catalog-wide popular list), ``title_id``
  (deleted with the title), ``rank``, ``score``, ``reason`` and ``trained_at``; read by
  (kind, subject_id, rank).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["titles.id"],
            name="fk_recommendations_title_id_titles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index(
        "ix_recommendations_kind_subject_rank",
        "recommendations",
        ["kind", "subject_id", "rank"],
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_kind_subject_rank", table_name="recommendations")
    op.drop_table("recommendations")
