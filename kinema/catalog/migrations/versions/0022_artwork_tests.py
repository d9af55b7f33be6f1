"""Artwork A/B tests: ``artwork_tests``, ``artwork_variants`` (counters) and
``artwork_assignments`` (sticky variant per profile, with its propensity).

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 08:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
# The task named "0016"; main already has 0021 on top of it, so this follows 0021 to
# keep one head (the integrator re-chains at merge).
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "artwork_tests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("winner_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name="fk_artwork_tests_title_id_titles", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_artwork_tests_created_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_artwork_tests"),
    )
    op.create_index("ix_artwork_tests_title_id", "artwork_tests", ["title_id"])
    op.create_table(
        "artwork_variants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("takes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["artwork_tests.id"],
            name="fk_artwork_variants_test_id_artwork_tests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_artwork_variants"),
        sa.UniqueConstraint("test_id", "key", name="uq_artwork_variants_key"),
    )
    op.create_table(
        "artwork_assignments",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("test_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("propensity", sa.Double(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("impression_day", sa.Date(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_artwork_assignments_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["test_id"],
            ["artwork_tests.id"],
            name="fk_artwork_assignments_test_id_artwork_tests",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["artwork_variants.id"],
            name="fk_artwork_assignments_variant_id_artwork_variants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "test_id", name="pk_artwork_assignments"),
    )


def downgrade() -> None:
    op.drop_table("artwork_assignments")
    op.drop_table("artwork_variants")
    op.drop_index("ix_artwork_tests_title_id", table_name="artwork_tests")
    op.drop_table("artwork_tests")
