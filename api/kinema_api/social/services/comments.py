"""Comments: listing (newest or top, a page at a time), posting on a title or a video
(optionally pinned to a moment), one level of replies, editing and deleting.

Every function checks, in this order: kids profile, visibility of the title, who may
change the comment, then the per-profile rate limit (so a refused request never uses
up the allowance), and commits its own write.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Comment, Video
from kinema.catalog.services import social
from kinema.catalog.services.social import CommentOrder, Page
from kinema_api.accounts.services.auth import Viewer
from kinema_api.context import AppContext
from kinema_api.social.schemas import CommentPage, CommentPublic
from kinema_api.social.services import access, views


def _page(session: Session, *, viewer: Viewer, page: Page[Comment], offset: int) -> CommentPage:
    return CommentPage(
        items=views.comments(session, viewer=viewer, rows=page.items),
        total=page.total,
        next_offset=views.next_offset(offset=offset, shown=len(page.items), total=page.total),
    )


def on_title(
    session: Session,
    *,
    viewer: Viewer,
    title_id: uuid.UUID,
    order: CommentOrder,
    limit: int,
    offset: int,
) -> CommentPage:
    """The title's comments: on the title as a whole and on each of its videos."""
    access.require_social(viewer)
    access.visible_title(session, viewer=viewer, title_id=title_id)
    page = social.comments(session, title_id=title_id, order=order, limit=limit, offset=offset)
    return _page(session, viewer=viewer, page=page, offset=offset)


def on_video(
    session: Session,
    *,
    viewer: Viewer,
    video_id: uuid.UUID,
    order: CommentOrder,
    limit: int,
    offset: int,
) -> CommentPage:
    access.require_social(viewer)
    access.visible_video(session, viewer=viewer, video_id=video_id)
    page = social.comments(session, video_id=video_id, order=order, limit=limit, offset=offset)
    return _page(session, viewer=viewer, page=page, offset=offset)


def replies(
    session: Session, *, viewer: Viewer, comment_id: uuid.UUID, limit: int, offset: int
) -> CommentPage:
    access.require_social(viewer)
    access.visible_comment(session, viewer=viewer, comment_id=comment_id, deleted_ok=True)
    page = social.replies(session, parent_id=comment_id, limit=limit, offset=offset)
    return _page(session, viewer=viewer, page=page, offset=offset)


def post_on_title(
    ctx: AppContext, session: Session, *, viewer: Viewer, title_id: uuid.UUID, body: str
) -> CommentPublic:
    access.require_social(viewer)
    access.visible_title(session, viewer=viewer, title_id=title_id)
    access.limit_comments(ctx, viewer)
    row = social.add_comment(session, title_id=title_id, profile_id=viewer.profile.id, body=body)
    session.commit()
    return views.comment(session, viewer=viewer, row=row)


def pin(video: Video, position_s: float | None) -> float | None:
    """A moment past the end (a player's rounding, a shorter re-transcode) is the end."""
    if position_s is None or video.duration_s is None:
        return position_s
    return min(position_s, video.duration_s)


def post_on_video(
    ctx: AppContext,
    session: Session,
    *,
    viewer: Viewer,
    video_id: uuid.UUID,
    body: str,
    position_s: float | None,
) -> CommentPublic:
    access.require_social(viewer)
    video = access.visible_video(session, viewer=viewer, video_id=video_id)
    access.limit_comments(ctx, viewer)
    row = social.add_comment(
        session,
        title_id=video.title_id,
        video_id=video.id,
        profile_id=viewer.profile.id,
        body=body,
        position_s=pin(video, position_s),
    )
    session.commit()
    return views.comment(session, viewer=viewer, row=row)


def reply(
    ctx: AppContext, session: Session, *, viewer: Viewer, comment_id: uuid.UUID, body: str
) -> CommentPublic:
    access.require_social(viewer)
    parent = access.visible_comment(session, viewer=viewer, comment_id=comment_id)
    if parent.parent_id is not None:
        raise access.ReplyToReply(
            f"comment {comment_id} is a reply; reply to the comment it answers instead"
        )
    access.limit_comments(ctx, viewer)
    row = social.add_comment(
        session,
        title_id=parent.title_id,
        video_id=parent.video_id,
        parent_id=parent.id,
        profile_id=viewer.profile.id,
        body=body,
    )
    session.commit()
    return views.comment(session, viewer=viewer, row=row)


def edit(session: Session, *, viewer: Viewer, comment_id: uuid.UUID, body: str) -> CommentPublic:
    access.require_social(viewer)
    row = access.visible_comment(session, viewer=viewer, comment_id=comment_id)
    access.require_author(viewer, row.profile_id, what="comment")
    social.edit_comment(session, comment=row, body=body)
    session.commit()
    return views.comment(session, viewer=viewer, row=row)


def delete(session: Session, *, viewer: Viewer, comment_id: uuid.UUID) -> None:
    """By its author or an admin; replies stay, under a "deleted" marker."""
    access.require_social(viewer)
    row = access.visible_comment(session, viewer=viewer, comment_id=comment_id)
    access.require_author_or_admin(viewer, row.profile_id, what="comment")
    social.delete_comment(session, comment=row)
    session.commit()
