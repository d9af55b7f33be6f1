"""Shared clips: ``clips``, one row per range a profile shared, with its preview state.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clips",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        sa.Column("caption", sa.String(280), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("preview_state", sa.String(16), nullable=False),
        sa.Column("preview_error", sa.String(500), nullable=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_clips_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["profiles.id"], name="fk_clips_profile_id_profiles", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name="fk_clips_video_id_videos", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_clips"),
    )
    op.create_index("ix_clips_user_id", "clips", ["user_id"])
    op.create_index("ix_clips_video_id", "clips", ["video_id"])
    op.create_index("ix_clips_profile_created", "clips", ["profile_id", "created_at"])
    op.create_index("ix_clips_preview_state", "clips", ["preview_state"])


def downgrade() -> None:
    op.drop_index("ix_clips_preview_state", table_name="clips")
    op.drop_index("ix_clips_profile_created", table_name="clips")
    op.drop_index("ix_clips_video_id", table_name="clips")
    op.drop_index("ix_clips_user_id", table_name="clips")
    op.drop_table("clips")
