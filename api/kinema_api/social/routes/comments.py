"""Comments on titles and videos, replies, reactions on comments, reports.

Comments and their replies are plain text (see ``social/schemas.py``) and are not shown
on kids profiles (403 ``kids_profile``). Reads use read-only sessions; writes are
limited per account (``WriteRateLimit``) and, for new comments, per profile.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from kinema.catalog.models import Emoji
from kinema.catalog.services.social import CommentOrder
from kinema_api.common import ERRORS, Message
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.social.schemas import (
    CommentCreate,
    CommentPage,
    CommentPublic,
    CommentUpdate,
    ReactionsPublic,
    ReportCreate,
    VideoCommentCreate,
)
from kinema_api.social.services import comments, reactions, reports

router = APIRouter(tags=["comments"], responses=ERRORS)

Order = Annotated[CommentOrder, Query(description="newest first, or top (most reactions)")]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]


@router.get("/titles/{title_id}/comments", summary="Comments on a title and its videos")
def title_comments(
    title_id: uuid.UUID,
    viewer: CurrentViewer,
    session: ReadSessionDep,
    order: Order = CommentOrder.NEWEST,
    limit: Limit = 20,
    offset: Offset = 0,
) -> CommentPage:
    return comments.on_title(
        session, viewer=viewer, title_id=title_id, order=order, limit=limit, offset=offset
    )


@router.post(
    "/titles/{title_id}/comments",
    summary="Comment on a title",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def comment_on_title(
    title_id: uuid.UUID,
    body: CommentCreate,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> CommentPublic:
    return comments.post_on_title(ctx, session, viewer=viewer, title_id=title_id, body=body.body)


@router.get("/videos/{video_id}/comments", summary="Comments on a video (a movie or an episode)")
def video_comments(
    video_id: uuid.UUID,
    viewer: CurrentViewer,
    session: ReadSessionDep,
    order: Order = CommentOrder.NEWEST,
    limit: Limit = 20,
    offset: Offset = 0,
) -> CommentPage:
    return comments.on_video(
        session, viewer=viewer, video_id=video_id, order=order, limit=limit, offset=offset
    )


@router.post(
    "/videos/{video_id}/comments",
    summary="Comment on a video, optionally at a moment of it",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def comment_on_video(
    video_id: uuid.UUID,
    body: VideoCommentCreate,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> CommentPublic:
    return comments.post_on_video(
        ctx, session, viewer=viewer, video_id=video_id, body=body.body, position_s=body.position_s
    )


@router.get("/comments/{comment_id}/replies", summary="Replies to a comment, oldest first")
def comment_replies(
    comment_id: uuid.UUID,
    viewer: CurrentViewer,
    session: ReadSessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CommentPage:
    return comments.replies(
        session, viewer=viewer, comment_id=comment_id, limit=limit, offset=offset
    )


@router.post(
    "/comments/{comment_id}/replies",
    summary="Reply to a comment (not to a reply: 400 reply_to_reply)",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def reply(
    comment_id: uuid.UUID,
    body: CommentCreate,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> CommentPublic:
    return comments.reply(ctx, session, viewer=viewer, comment_id=comment_id, body=body.body)


@router.patch(
    "/comments/{comment_id}", summary="Edit one's own comment", dependencies=[WriteRateLimit]
)
def edit_comment(
    comment_id: uuid.UUID, body: CommentUpdate, viewer: CurrentViewer, session: SessionDep
) -> CommentPublic:
    return comments.edit(session, viewer=viewer, comment_id=comment_id, body=body.body)


@router.delete(
    "/comments/{comment_id}",
    summary="Delete one's own comment (admins: any comment)",
    dependencies=[WriteRateLimit],
)
def delete_comment(comment_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    comments.delete(session, viewer=viewer, comment_id=comment_id)
    return Message(message="comment deleted")


@router.put(
    "/comments/{comment_id}/reactions/{emoji}",
    summary="React to a comment with an emoji",
    dependencies=[WriteRateLimit],
)
def react(
    comment_id: uuid.UUID, emoji: Emoji, viewer: CurrentViewer, session: SessionDep
) -> ReactionsPublic:
    return reactions.set_on_comment(
        session, viewer=viewer, comment_id=comment_id, emoji=emoji, on=True
    )


@router.delete(
    "/comments/{comment_id}/reactions/{emoji}",
    summary="Take back a reaction to a comment",
    dependencies=[WriteRateLimit],
)
def unreact(
    comment_id: uuid.UUID, emoji: Emoji, viewer: CurrentViewer, session: SessionDep
) -> ReactionsPublic:
    return reactions.set_on_comment(
        session, viewer=viewer, comment_id=comment_id, emoji=emoji, on=False
    )


@router.post(
    "/comments/{comment_id}/reports",
    summary="Report a comment to the admins (once per profile)",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def report_comment(
    comment_id: uuid.UUID, body: ReportCreate, viewer: CurrentViewer, session: SessionDep
) -> Message:
    reports.report(
        session, viewer=viewer, comment_id=comment_id, reason=body.reason, note=body.note
    )
    return Message(message="reported; an admin will look at it")
