"""Offline downloads: ``download_grants``, one row per title stored on a device.

A grant names the account, the profile and the device (the client's ``device_id``, or
``session:<hex>``), the login session that asked, the video and the tallest height it may
hold; it expires (``expires_at``), is cut short after its first offline play
(``first_offline_play_at``) and can be revoked (``revoked_at``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "download_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_offline_play_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_download_grants_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_download_grants_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_sessions.id"],
            name="fk_download_grants_session_id_auth_sessions",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_download_grants_video_id_videos",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_download_grants"),
    )
    op.create_index("ix_download_grants_user_id", "download_grants", ["user_id"])
    op.create_index("ix_download_grants_user_device", "download_grants", ["user_id", "device"])
    op.create_index("ix_download_grants_video", "download_grants", ["video_id"])


def downgrade() -> None:
    op.drop_index("ix_download_grants_video", table_name="download_grants")
    op.drop_index("ix_download_grants_user_device", table_name="download_grants")
    op.drop_index("ix_download_grants_user_id", table_name="download_grants")
    op.drop_table("download_grants")
