"""Sidecar subtitles: the set an admin attached to a video, and subtitle-only jobs.

``videos.subtitles`` lists the sidecar files (language, label, upload) the embedded
worker passes to the transcoder; ``transcode_jobs.kind`` tells a full transcode from a
job that only rewrites the subtitle tracks of a complete output.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 21:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("subtitles", sa.JSON(), nullable=True))
    with op.batch_alter_table("transcode_jobs") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="transcode")
        )


def downgrade() -> None:
    with op.batch_alter_table("transcode_jobs") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("subtitles")
