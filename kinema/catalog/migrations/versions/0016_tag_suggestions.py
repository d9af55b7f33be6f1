"""Auto-tagging: ``tag_suggestions`` (what a model suggested, awaiting an admin) and
``tagging_runs`` (one per title: state, error, token usage and cost).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tag_suggestions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(80), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["titles.id"],
            name="fk_tag_suggestions_title_id_titles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name="fk_tag_suggestions_decided_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tag_suggestions"),
        sa.UniqueConstraint("title_id", "kind", "value", name="uq_tag_suggestions_value"),
    )
    op.create_index("ix_tag_suggestions_state", "tag_suggestions", ["state"])
    op.create_table(
        "tagging_runs",
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name="fk_tagging_runs_title_id_titles", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("title_id", name="pk_tagging_runs"),
    )


def downgrade() -> None:
    op.drop_table("tagging_runs")
    op.drop_index("ix_tag_suggestions_state", table_name="tag_suggestions")
    op.drop_table("tag_suggestions")
