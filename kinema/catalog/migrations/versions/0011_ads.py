"""Ads: ad creatives (an uploaded video marked as an ad, its weight and active window).

- ``ad_creatives``: one row per video marked as an ad creative (``video_id`` unique,
  deleted with the video), ``weight`` (at least 1) and an optional ``starts_at`` /
  ``ends_at`` window.

Impressions, quartiles and completions are player analytics events
(``playback_events`` rows on the creative's video), so they need no table of their own.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
# Integration note: offline downloads' migration is 0010; this branch was cut before it.
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ad_creatives",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weight >= 1", name="ck_ad_creatives_weight_positive"),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at",
            name="ck_ad_creatives_window_order",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["videos.id"],
            name="fk_ad_creatives_video_id_videos",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ad_creatives"),
        sa.UniqueConstraint("video_id", name="uq_ad_creatives_video_id"),
    )


def downgrade() -> None:
    op.drop_table("ad_creatives")
