"""Output paths relative to the video's output prefix, whoever wrote them.

The embedded worker pool always stored ``hls_path`` and friends relative to
``output_prefix``; the operator's catalog sync stored them from the store's root
(``<output_prefix>/master.m3u8``). The operator now writes them relative too; this
strips the prefix from rows it wrote before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 20:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("hls_path", "dash_path", "thumbnails_path", "poster_path")


def upgrade() -> None:
    videos = sa.table("videos", sa.column("output_prefix", sa.String), *(
        sa.column(name, sa.String) for name in COLUMNS
    ))  # fmt: skip
    prefix = videos.c.output_prefix + "/"
    width = sa.func.length(prefix)
    for name in COLUMNS:
        column = videos.c[name]
        op.execute(
            videos.update()
            .where(videos.c.output_prefix.is_not(None), sa.func.substr(column, 1, width) == prefix)
            .values({name: sa.func.substr(column, width + 1)})
        )


def downgrade() -> None:
    # Relative paths are what every reader expects; nothing to undo.
    pass
