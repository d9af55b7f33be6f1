"""The recommender's "why you may like it" notes (``why_notes``) and the ledger of Claude
calls made for something other than tagging (``claude_calls``), which counts toward the
monthly cost cap.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "why_notes",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_why_notes_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name="fk_why_notes_title_id_titles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("profile_id", "title_id", "language", name="pk_why_notes"),
    )
    op.create_table(
        "claude_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_claude_calls"),
    )
    op.create_index("ix_claude_calls_finished_at", "claude_calls", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_claude_calls_finished_at", table_name="claude_calls")
    op.drop_table("claude_calls")
    op.drop_table("why_notes")
