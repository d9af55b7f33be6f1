"""Reactions: emoji on a comment (one of each per profile, added and taken back), and
emoji at a moment of a video, counted in buckets for the strip above the seek bar."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Emoji
from kinema.catalog.services import social
from kinema_api.accounts.services.auth import Viewer
from kinema_api.context import AppContext
from kinema_api.social.schemas import (
    DensityBucket,
    DensityPublic,
    ReactionsPublic,
    TimelineReactionPublic,
)
from kinema_api.social.services import access, views
from kinema_api.social.services.comments import pin


def _summary(session: Session, *, viewer: Viewer, comment_id: uuid.UUID) -> ReactionsPublic:
    counts = social.reaction_counts(session, comment_ids=[comment_id]).get(comment_id)
    mine = social.reactions_by(session, profile_id=viewer.profile.id, comment_ids=[comment_id])
    return ReactionsPublic(
        comment_id=comment_id,
        reactions=views.reaction_counts(counts),
        mine=views.mine_sorted(mine.get(comment_id, set())),
    )


def set_on_comment(
    session: Session, *, viewer: Viewer, comment_id: uuid.UUID, emoji: Emoji, on: bool
) -> ReactionsPublic:
    """Add (``on``) or take back the profile's ``emoji`` on a comment; either is
    idempotent, so a double click cannot count twice."""
    access.require_social(viewer)
    access.visible_comment(session, viewer=viewer, comment_id=comment_id)
    if on:
        social.react(session, comment_id=comment_id, profile_id=viewer.profile.id, emoji=emoji)
    else:
        social.unreact(session, comment_id=comment_id, profile_id=viewer.profile.id, emoji=emoji)
    session.commit()
    return _summary(session, viewer=viewer, comment_id=comment_id)


def react_at(
    ctx: AppContext,
    session: Session,
    *,
    viewer: Viewer,
    video_id: uuid.UUID,
    emoji: Emoji,
    position_s: float,
) -> TimelineReactionPublic:
    video = access.visible_video(session, viewer=viewer, video_id=video_id)
    access.limit_reactions(ctx, viewer)
    row = social.add_reaction(
        session,
        video_id=video.id,
        profile_id=viewer.profile.id,
        emoji=emoji,
        position_s=pin(video, position_s) or 0.0,
    )
    session.commit()
    return TimelineReactionPublic(
        id=row.id,
        video_id=row.video_id,
        emoji=row.emoji,
        position_s=row.position_s,
        created_at=row.created_at,
    )


def density(
    session: Session, *, viewer: Viewer, video_id: uuid.UUID, buckets: int
) -> DensityPublic:
    """``buckets`` equal slices of the video with the reactions in each. A video whose
    duration is not known yet is measured to its latest reaction."""
    video = access.visible_video(session, viewer=viewer, video_id=video_id)
    duration = video.duration_s or social.latest_reaction_s(session, video_id=video.id) or 0.0
    counts = social.reaction_density(
        session, video_id=video.id, duration_s=duration, buckets=buckets
    )
    width = duration / buckets
    slices = [
        DensityBucket(
            start_s=i * width,
            end_s=(i + 1) * width,
            total=sum(c.values()),
            reactions=views.reaction_counts(c),
        )
        for i, c in enumerate(counts)
    ]
    return DensityPublic(
        video_id=video.id,
        duration_s=duration,
        bucket_s=width,
        max_total=max((b.total for b in slices), default=0),
        buckets=slices,
    )
