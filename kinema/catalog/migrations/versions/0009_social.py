"""Social: comments on titles and videos, reactions, reports, reviews with scores and
helpful votes.

- ``comments``: ``title_id`` (backfilled from the video), ``video_id`` becomes optional
  (a comment on the title as a whole), ``position_s`` (pinned to a moment),
  ``edited_at``, ``deleted_at`` (soft delete keeps reply threads), an index for replies.
- ``comment_reactions``: one row per (comment, profile, emoji). The ``reactions`` rows
  that pointed at a comment move there; ``reactions`` keeps the timestamped reactions
  on a video (``position_s`` required, indexed with the video for the density strip).
  Rows whose emoji is not one of the names offered, or timeline rows with no position,
  are dropped: no API ever wrote them.
- ``comment_reports``: one report per (comment, profile).
- ``reviews.score`` (backfilled from the profile's rating of the title, 3 without one)
  and ``reviews.edited_at``; ``review_votes``: one "helpful" vote per (review, profile).
- ``ratings``: an index on ``title_id`` for averages and distributions.

SQLite: altering ``comments`` rebuilds the table (copy, drop, rename) while foreign
keys are enforced, and dropping the old table deletes its rows first, which would
cascade into every row that references one: replies (in the new copy) and comment
reactions. So on SQLite, reply links are set aside and restored around the rebuild,
and no other table references ``comments`` while it happens.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The migration's own copy of the emoji names (models change later; this must not).
EMOJI = ("like", "love", "laugh", "wow", "sad", "scary", "fire", "clap")
REASONS = ("spam", "abuse", "spoiler", "other")

_videos = sa.table("videos", sa.column("id", sa.Uuid()), sa.column("title_id", sa.Uuid()))
_ratings = sa.table(
    "ratings",
    sa.column("profile_id", sa.Uuid()),
    sa.column("title_id", sa.Uuid()),
    sa.column("score", sa.Integer()),
)


def _comments_table(*extra: sa.ColumnClause[object]) -> sa.TableClause:
    return sa.table(
        "comments",
        sa.column("id", sa.Uuid()),
        sa.column("video_id", sa.Uuid()),
        sa.column("parent_id", sa.Uuid()),
        *extra,
    )


def _reactions_table(*extra: sa.ColumnClause[object]) -> sa.TableClause:
    return sa.table(
        "reactions",
        sa.column("id", sa.Uuid()),
        sa.column("video_id", sa.Uuid()),
        sa.column("profile_id", sa.Uuid()),
        sa.column("emoji", sa.String(16)),
        sa.column("position_s", sa.Double()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        *extra,
    )


def _comment_reactions_table() -> sa.TableClause:
    return sa.table(
        "comment_reactions",
        sa.column("comment_id", sa.Uuid()),
        sa.column("profile_id", sa.Uuid()),
        sa.column("emoji", sa.String(16)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )


def _rebuild_comments(alter: Callable[[], None]) -> None:
    """Run ``alter`` (a batch alteration of ``comments``); on SQLite, with the reply
    links set aside in a plain table for the rebuild and restored after it."""
    if op.get_bind().dialect.name != "sqlite":
        alter()
        return
    comments = _comments_table()
    links = sa.table(
        "_kinema_0009_links", sa.column("id", sa.Uuid()), sa.column("parent_id", sa.Uuid())
    )
    op.create_table(
        "_kinema_0009_links", sa.Column("id", sa.Uuid()), sa.Column("parent_id", sa.Uuid())
    )
    op.execute(
        sa.insert(links).from_select(
            ["id", "parent_id"],
            sa.select(comments.c.id, comments.c.parent_id).where(comments.c.parent_id.is_not(None)),
        )
    )
    op.execute(sa.update(comments).values(parent_id=None))
    alter()
    op.execute(
        sa.update(comments).values(
            parent_id=sa.select(links.c.parent_id)
            .where(links.c.id == comments.c.id)
            .scalar_subquery()
        )
    )
    op.drop_table("_kinema_0009_links")


def upgrade() -> None:
    # Reactions on comments move out first, so nothing references comments while
    # SQLite rebuilds the table.
    reactions = _reactions_table(sa.column("comment_id", sa.Uuid()))
    op.create_table(
        "_kinema_0009_reactions",
        sa.Column("comment_id", sa.Uuid()),
        sa.Column("profile_id", sa.Uuid()),
        sa.Column("emoji", sa.String(16)),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )
    held = sa.table(
        "_kinema_0009_reactions",
        sa.column("comment_id", sa.Uuid()),
        sa.column("profile_id", sa.Uuid()),
        sa.column("emoji", sa.String(16)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        sa.insert(held).from_select(
            ["comment_id", "profile_id", "emoji", "created_at"],
            sa.select(
                reactions.c.comment_id,
                reactions.c.profile_id,
                reactions.c.emoji,
                sa.func.min(reactions.c.created_at),
            )
            .where(reactions.c.comment_id.is_not(None), reactions.c.emoji.in_(EMOJI))
            .group_by(reactions.c.comment_id, reactions.c.profile_id, reactions.c.emoji),
        )
    )
    op.execute(
        sa.delete(reactions).where(
            sa.or_(
                reactions.c.comment_id.is_not(None),
                reactions.c.position_s.is_(None),
                reactions.c.emoji.not_in(EMOJI),
            )
        )
    )
    with op.batch_alter_table("reactions") as batch:
        batch.drop_index("ix_reactions_video_id")
        batch.drop_constraint("fk_reactions_comment_id_comments", type_="foreignkey")
        batch.drop_column("comment_id")
        batch.alter_column("position_s", existing_type=sa.Double(), nullable=False)
        batch.create_index("ix_reactions_video_position", ["video_id", "position_s"])

    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("title_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("position_s", sa.Double(), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    comments = _comments_table(sa.column("title_id", sa.Uuid()))
    op.execute(
        sa.update(comments).values(
            title_id=sa.select(_videos.c.title_id)
            .where(_videos.c.id == comments.c.video_id)
            .scalar_subquery()
        )
    )

    def alter_comments() -> None:
        with op.batch_alter_table("comments") as batch:
            batch.alter_column("title_id", existing_type=sa.Uuid(), nullable=False)
            batch.alter_column("video_id", existing_type=sa.Uuid(), nullable=True)
            batch.create_foreign_key(
                "fk_comments_title_id_titles", "titles", ["title_id"], ["id"], ondelete="CASCADE"
            )
            batch.create_index("ix_comments_title_created", ["title_id", "created_at"])
            batch.create_index("ix_comments_parent_id", ["parent_id"])

    _rebuild_comments(alter_comments)

    op.create_table(
        "comment_reactions",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column(
            "emoji", sa.Enum(*EMOJI, name="emoji", native_enum=False, length=16), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_comment_reactions_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_comment_reactions_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "profile_id", "emoji", name="pk_comment_reactions"),
    )
    op.execute(
        sa.insert(_comment_reactions_table()).from_select(
            ["comment_id", "profile_id", "emoji", "created_at"], sa.select(held)
        )
    )
    op.drop_table("_kinema_0009_reactions")

    op.create_table(
        "comment_reports",
        sa.Column("comment_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(*REASONS, name="reportreason", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_comment_reports_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_comment_reports_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comment_reports"),
        sa.UniqueConstraint("comment_id", "profile_id", name="uq_comment_reports_comment_profile"),
    )
    op.create_index(
        "ix_comment_reports_resolved_created", "comment_reports", ["resolved_at", "created_at"]
    )

    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    reviews = sa.table(
        "reviews",
        sa.column("profile_id", sa.Uuid()),
        sa.column("title_id", sa.Uuid()),
        sa.column("score", sa.Integer()),
    )
    rated = (
        sa.select(_ratings.c.score)
        .where(
            _ratings.c.profile_id == reviews.c.profile_id,
            _ratings.c.title_id == reviews.c.title_id,
        )
        .scalar_subquery()
    )
    op.execute(sa.update(reviews).values(score=sa.func.coalesce(rated, 3)))
    with op.batch_alter_table("reviews") as batch:
        batch.alter_column("score", existing_type=sa.Integer(), nullable=False)

    op.create_table(
        "review_votes",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profiles.id"],
            name="fk_review_votes_profile_id_profiles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name="fk_review_votes_review_id_reviews",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "profile_id", name="pk_review_votes"),
    )
    op.create_index("ix_ratings_title_id", "ratings", ["title_id"])


def downgrade() -> None:
    """Back to 0007. Lossy where 0007 has no place for the data: comments on a title as
    a whole, pins, edits, reports, review scores and votes are dropped; reactions on a
    comment return to ``reactions`` (at the comment's video, with no position)."""
    op.drop_index("ix_ratings_title_id", table_name="ratings")
    op.drop_table("review_votes")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("edited_at")
        batch.drop_column("score")
    op.drop_index("ix_comment_reports_resolved_created", table_name="comment_reports")
    op.drop_table("comment_reports")

    # Hold comment reactions (with the comment's video) until reactions can point at
    # comments again; drop their table before comments is rebuilt.
    comment_reactions = _comment_reactions_table()
    comments = _comments_table(sa.column("title_id", sa.Uuid()))
    op.create_table(
        "_kinema_0009_reactions",
        sa.Column("comment_id", sa.Uuid()),
        sa.Column("video_id", sa.Uuid()),
        sa.Column("profile_id", sa.Uuid()),
        sa.Column("emoji", sa.String(16)),
        sa.Column("created_at", sa.DateTime(timezone=True)),
    )
    held = sa.table(
        "_kinema_0009_reactions",
        sa.column("comment_id", sa.Uuid()),
        sa.column("video_id", sa.Uuid()),
        sa.column("profile_id", sa.Uuid()),
        sa.column("emoji", sa.String(16)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        sa.insert(held).from_select(
            ["comment_id", "video_id", "profile_id", "emoji", "created_at"],
            sa.select(
                comment_reactions.c.comment_id,
                comments.c.video_id,
                comment_reactions.c.profile_id,
                comment_reactions.c.emoji,
                comment_reactions.c.created_at,
            )
            .join(comments, comments.c.id == comment_reactions.c.comment_id)
            .where(comments.c.video_id.is_not(None)),
        )
    )
    op.drop_table("comment_reactions")
    # Replies first: a title-level thread goes as a whole.
    title_level = sa.select(comments.c.id).where(comments.c.video_id.is_(None))
    op.execute(sa.delete(comments).where(comments.c.parent_id.in_(title_level)))
    op.execute(sa.delete(comments).where(comments.c.video_id.is_(None)))

    def alter_comments() -> None:
        with op.batch_alter_table("comments") as batch:
            batch.drop_index("ix_comments_parent_id")
            batch.drop_index("ix_comments_title_created")
            batch.drop_constraint("fk_comments_title_id_titles", type_="foreignkey")
            batch.alter_column("video_id", existing_type=sa.Uuid(), nullable=False)
            batch.drop_column("deleted_at")
            batch.drop_column("edited_at")
            batch.drop_column("position_s")
            batch.drop_column("title_id")

    _rebuild_comments(alter_comments)

    with op.batch_alter_table("reactions") as batch:
        batch.drop_index("ix_reactions_video_position")
        batch.alter_column("position_s", existing_type=sa.Double(), nullable=True)
        batch.add_column(sa.Column("comment_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_reactions_comment_id_comments",
            "comments",
            ["comment_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_reactions_video_id", ["video_id"])
    reactions = _reactions_table(sa.column("comment_id", sa.Uuid()))
    rows = op.get_bind().execute(sa.select(held)).mappings().all()
    if rows:
        op.get_bind().execute(sa.insert(reactions), [{"id": uuid.uuid4(), **row} for row in rows])
    op.drop_table("_kinema_0009_reactions")
