"""Audience rollups for the analytics dashboard: plays and watch time by device
(browser and operating system) with binge sessions, the profiles that played per bucket,
each profile's first play, and each profile's current run of videos.

The first plays are filled from the raw events still kept; the other tables start with
the events received after this revision.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ("grain", "bucket", "video_id", "plan", "browser", "rung")


def _key_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("grain", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=63), nullable=False),
        sa.Column("browser", sa.String(length=32), nullable=False),
        sa.Column("rung", sa.String(length=16), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "audience_rollups",
        *_key_columns(),
        sa.Column("os", sa.String(length=16), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("watched_ms", sa.BigInteger(), nullable=False),
        sa.Column("binge_sessions", sa.Integer(), nullable=False),
        sa.Column("binge_plays", sa.Integer(), nullable=False),
        _fk("audience_rollups", "video_id", "videos"),
        sa.PrimaryKeyConstraint(*_KEY, "os", name=op.f("pk_audience_rollups")),
    )
    with op.batch_alter_table("audience_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audience_rollups_title", ["grain", "title_id", "bucket"], unique=False
        )

    op.create_table(
        "profile_rollups",
        *_key_columns(),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        _fk("profile_rollups", "video_id", "videos"),
        _fk("profile_rollups", "profile_id", "profiles"),
        sa.PrimaryKeyConstraint(*_KEY, "profile_id", name=op.f("pk_profile_rollups")),
    )
    op.create_table(
        "profile_first_plays",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        _fk("profile_first_plays", "profile_id", "profiles"),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_profile_first_plays")),
    )
    op.create_table(
        "viewing_streaks",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_video_id", sa.Uuid(), nullable=True),
        sa.Column("videos", sa.Integer(), nullable=False),
        _fk("viewing_streaks", "profile_id", "profiles"),
        sa.PrimaryKeyConstraint("profile_id", name=op.f("pk_viewing_streaks")),
    )
    op.execute(
        "INSERT INTO profile_first_plays (profile_id, first_at) "
        "SELECT profile_id, MIN(created_at) FROM playback_events "
        "WHERE kind = 'start' AND profile_id IS NOT NULL GROUP BY profile_id"
    )


def downgrade() -> None:
    op.drop_table("viewing_streaks")
    op.drop_table("profile_first_plays")
    op.drop_table("profile_rollups")
    with op.batch_alter_table("audience_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_audience_rollups_title")
    op.drop_table("audience_rollups")
