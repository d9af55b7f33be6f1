"""Playback rollups for the analytics dashboard: per-hour and per-day sums of the player's
events (plays, startup-time histogram, errors by code, how far views got), kept up to date
as the events arrive.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 04:23:06.768139
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("playback_events", schema=None) as batch_op:
        batch_op.create_index("ix_playback_events_created", ["created_at"], unique=False)

    op.create_table(
        "error_rollups",
        sa.Column("grain", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=63), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_error_rollups_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "grain",
            "bucket",
            "video_id",
            "plan",
            "browser",
            "rung",
            "phase",
            "code",
            name=op.f("pk_error_rollups"),
        ),
    )
    with op.batch_alter_table("error_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_error_rollups_title", ["grain", "title_id", "bucket"], unique=False
        )

    op.create_table(
        "playback_rollups",
        sa.Column("grain", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=63), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("startup_ms_sum", sa.BigInteger(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("ebvs", sa.Integer(), nullable=False),
        sa.Column("start_failures", sa.Integer(), nullable=False),
        sa.Column("playback_failures", sa.Integer(), nullable=False),
        sa.Column("watched_ms", sa.BigInteger(), nullable=False),
        sa.Column("rebuffer_ms", sa.BigInteger(), nullable=False),
        sa.Column("rebuffer_count", sa.Integer(), nullable=False),
        sa.Column("bitrate_ms", sa.Float(), nullable=False),
        sa.Column("bitrate_watched_ms", sa.BigInteger(), nullable=False),
        sa.Column("switches", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("reach_views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_playback_rollups_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "grain",
            "bucket",
            "video_id",
            "plan",
            "browser",
            "rung",
            name=op.f("pk_playback_rollups"),
        ),
    )
    with op.batch_alter_table("playback_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_playback_rollups_title", ["grain", "title_id", "bucket"], unique=False
        )

    op.create_table(
        "retention_rollups",
        sa.Column("grain", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=63), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("reach_pct", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_retention_rollups_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "grain",
            "bucket",
            "video_id",
            "plan",
            "browser",
            "rung",
            "reach_pct",
            name=op.f("pk_retention_rollups"),
        ),
    )
    with op.batch_alter_table("retention_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_retention_rollups_title", ["grain", "title_id", "bucket"], unique=False
        )

    op.create_table(
        "startup_rollups",
        sa.Column("grain", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=63), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("bucket_ms", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name=op.f("fk_startup_rollups_video_id_videos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "grain",
            "bucket",
            "video_id",
            "plan",
            "browser",
            "rung",
            "bucket_ms",
            name=op.f("pk_startup_rollups"),
        ),
    )
    with op.batch_alter_table("startup_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_startup_rollups_title", ["grain", "title_id", "bucket"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("playback_events", schema=None) as batch_op:
        batch_op.drop_index("ix_playback_events_created")

    with op.batch_alter_table("startup_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_startup_rollups_title")

    op.drop_table("startup_rollups")
    with op.batch_alter_table("retention_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_retention_rollups_title")

    op.drop_table("retention_rollups")
    with op.batch_alter_table("playback_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_playback_rollups_title")

    op.drop_table("playback_rollups")
    with op.batch_alter_table("error_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_error_rollups_title")

    op.drop_table("error_rollups")
