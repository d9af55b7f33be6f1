"""The admins' moderation queue of reported comments, one entry per comment.

Deleting a comment stays the comments router's ``DELETE /comments/{id}`` (author or
admin), which resolves its reports; dismissing keeps the comment and resolves them.
The caller (the route) has checked that the viewer is an admin.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import ReportReason
from kinema.catalog.services import moderation
from kinema.catalog.services.social import ReportState
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.services.views import episode_label
from kinema_api.social.schemas import (
    ReasonCount,
    ReportedCommentPage,
    ReportedCommentPublic,
    ReportSummary,
)
from kinema_api.social.services import views

REPORTS_SHOWN = 20
_REASON_ORDER = {reason: i for i, reason in enumerate(ReportReason)}


def public(entry: moderation.ReportedComment) -> ReportedCommentPublic:
    comment, deleted = entry.comment, entry.comment.deleted_at is not None
    reasons = sorted(entry.reasons.items(), key=lambda i: (-i[1], _REASON_ORDER[i[0]]))
    return ReportedCommentPublic(
        comment_id=comment.id,
        title_id=comment.title_id,
        title=entry.title.name,
        video_id=comment.video_id,
        episode=episode_label(entry.video),
        position_s=comment.position_s,
        body="" if deleted else comment.body,
        author=None if deleted else views.author(comment.profile),
        created_at=comment.created_at,
        deleted=deleted,
        open=entry.open,
        report_count=len(entry.reports),
        reasons=[ReasonCount(reason=r, count=n) for r, n in reasons],
        last_reported_at=entry.last_reported_at,
        reports=[
            ReportSummary(
                reason=r.reason,
                note=r.note,
                reporter=views.author(r.profile),
                created_at=r.created_at,
                resolved_at=r.resolved_at,
            )
            for r in entry.reports[:REPORTS_SHOWN]
        ],
    )


def queue(
    session: Session, *, admin: Viewer, state: ReportState, limit: int, offset: int
) -> ReportedCommentPage:
    """Reported comments, the most recently reported first."""
    page = moderation.reported_comments(session, state=state, limit=limit, offset=offset)
    return ReportedCommentPage(
        items=[public(entry) for entry in page.items],
        total=page.total,
        next_offset=views.next_offset(offset=offset, shown=len(page.items), total=page.total),
    )


def dismiss(session: Session, *, admin: Viewer, comment_id: uuid.UUID) -> ReportedCommentPublic:
    """Resolve the comment's open reports, keeping the comment (404: never reported)."""
    moderation.dismiss_reports(session, comment_id=comment_id)
    session.commit()
    return public(moderation.reported_comment(session, comment_id=comment_id))
