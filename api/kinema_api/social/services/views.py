"""Public shapes of comments and reviews, built from catalog rows and the aggregates the
catalog counts for a whole page at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from kinema.catalog.models import Comment, Emoji, Profile, Review
from kinema.catalog.services import reviews as review_rows
from kinema.catalog.services import social
from kinema_api.accounts.services.auth import Viewer
from kinema_api.social.schemas import (
    Author,
    CommentPublic,
    ReactionCount,
    ReviewPublic,
)

_EMOJI_ORDER = {emoji: i for i, emoji in enumerate(Emoji)}


def next_offset(*, offset: int, shown: int, total: int) -> int | None:
    end = offset + shown
    return end if shown and end < total else None


def reaction_counts(counts: Counter[Emoji] | None) -> list[ReactionCount]:
    """Most used first; ties in the order the emoji are offered."""
    if not counts:
        return []
    ranked = sorted(counts.items(), key=lambda item: (-item[1], _EMOJI_ORDER[item[0]]))
    return [ReactionCount(emoji=emoji, count=n) for emoji, n in ranked if n > 0]


def mine_sorted(emoji: set[Emoji]) -> list[Emoji]:
    return sorted(emoji, key=_EMOJI_ORDER.__getitem__)


def author(profile: Profile) -> Author:
    return Author(name=profile.name, avatar=profile.avatar)


def comments(session: Session, *, viewer: Viewer, rows: Sequence[Comment]) -> list[CommentPublic]:
    ids = [c.id for c in rows]
    counts = social.reaction_counts(session, comment_ids=ids)
    mine = social.reactions_by(session, profile_id=viewer.profile.id, comment_ids=ids)
    replies = social.reply_counts(session, comment_ids=[c.id for c in rows if c.parent_id is None])
    return [
        CommentPublic(
            id=c.id,
            title_id=c.title_id,
            video_id=c.video_id,
            parent_id=c.parent_id,
            position_s=c.position_s,
            body=c.body if c.deleted_at is None else "",
            author=author(c.profile) if c.deleted_at is None else None,
            created_at=c.created_at,
            edited_at=c.edited_at,
            deleted=c.deleted_at is not None,
            reply_count=replies.get(c.id, 0),
            reactions=reaction_counts(counts.get(c.id)),
            my_reactions=mine_sorted(mine.get(c.id, set())),
            mine=c.profile_id == viewer.profile.id and c.deleted_at is None,
        )
        for c in rows
    ]


def comment(session: Session, *, viewer: Viewer, row: Comment) -> CommentPublic:
    return comments(session, viewer=viewer, rows=[row])[0]


def reviews(session: Session, *, viewer: Viewer, rows: Sequence[Review]) -> list[ReviewPublic]:
    ids = [r.id for r in rows]
    helpful = review_rows.helpful_counts(session, review_ids=ids)
    voted = review_rows.voted_by(session, profile_id=viewer.profile.id, review_ids=ids)
    return [
        ReviewPublic(
            id=r.id,
            title_id=r.title_id,
            author=author(r.profile),
            body=r.body,
            score=r.score,
            created_at=r.created_at,
            edited_at=r.edited_at,
            helpful_count=helpful.get(r.id, 0),
            voted_helpful=r.id in voted,
            mine=r.profile_id == viewer.profile.id,
        )
        for r in rows
    ]


def review(session: Session, *, viewer: Viewer, row: Review) -> ReviewPublic:
    return reviews(session, viewer=viewer, rows=[row])[0]
