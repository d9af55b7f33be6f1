"""Reports: a profile flags a comment (once); admins read the queue and resolve reports
(deleting the comment resolves its reports too)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import CommentReport, ReportReason
from kinema.catalog.services import social
from kinema.catalog.services.social import ReportState
from kinema_api.accounts.services.auth import Viewer
from kinema_api.social.schemas import CommentPublic, ReportPage, ReportPublic
from kinema_api.social.services import access, views


def report(
    session: Session, *, viewer: Viewer, comment_id: uuid.UUID, reason: ReportReason, note: str
) -> None:
    """409 when this profile already reported the comment."""
    access.require_social(viewer)
    comment = access.visible_comment(session, viewer=viewer, comment_id=comment_id)
    if comment.profile_id == viewer.profile.id:
        raise access.OwnComment("you cannot report your own comment; edit or delete it")
    social.report_comment(
        session, comment_id=comment.id, profile_id=viewer.profile.id, reason=reason, note=note
    )
    session.commit()


def _public(
    rows: list[CommentReport], comments: dict[uuid.UUID, CommentPublic]
) -> list[ReportPublic]:
    return [
        ReportPublic(
            id=r.id,
            comment=comments[r.comment_id],
            reason=r.reason,
            note=r.note,
            reporter=r.profile.name,
            created_at=r.created_at,
            resolved_at=r.resolved_at,
        )
        for r in rows
    ]


def _views(session: Session, viewer: Viewer, rows: list[CommentReport]) -> list[ReportPublic]:
    unique = list({r.comment_id: r.comment for r in rows}.values())
    shown = views.comments(session, viewer=viewer, rows=unique)
    return _public(rows, {c.id: c for c in shown})


def queue(
    session: Session, *, admin: Viewer, state: ReportState, limit: int, offset: int
) -> ReportPage:
    """Reports oldest first; ``admin`` has passed the route's admin check."""
    page = social.reports(session, state=state, limit=limit, offset=offset)
    return ReportPage(
        items=_views(session, admin, page.items),
        total=page.total,
        next_offset=views.next_offset(offset=offset, shown=len(page.items), total=page.total),
    )


def resolve(session: Session, *, admin: Viewer, report_id: uuid.UUID) -> ReportPublic:
    row = social.resolve_report(session, report_id=report_id)
    session.commit()
    return _views(session, admin, [row])[0]
