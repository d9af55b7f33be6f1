"""The moderation queue: reported comments grouped by comment, and dismissing them.

:func:`kinema.catalog.services.social.reports` lists reports one by one, oldest first;
an admin works per comment instead ("three people reported this as spam"), newest
report first, so these queries group the reports by their comment. A comment is
*open* while one of its reports is unresolved and *resolved* once none is (deleting a
comment resolves its reports, so a deleted comment leaves the open queue). Who may read
or act on the queue is the caller's decision.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.errors import NotFound
from kinema.catalog.models import Comment, CommentReport, ReportReason, Title, Video, utcnow
from kinema.catalog.services.social import Page, ReportState


@dataclass(frozen=True, slots=True)
class ReportedComment:
    """One comment of the queue and the reports that put it there (newest first)."""

    comment: Comment
    title: Title
    video: Video | None
    reports: list[CommentReport]
    reasons: Counter[ReportReason] = field(default_factory=Counter)

    @property
    def last_reported_at(self) -> datetime:
        return max(r.created_at for r in self.reports)

    @property
    def open(self) -> bool:
        return any(r.resolved_at is None for r in self.reports)


def _considered(state: ReportState) -> list[ColumnElement[bool]]:
    """The reports a comment is shown with: the open ones in the open queue."""
    return [CommentReport.resolved_at.is_(None)] if state is ReportState.OPEN else []


def reported_comments(
    session: Session, *, state: ReportState = ReportState.OPEN, limit: int = 20, offset: int = 0
) -> Page[ReportedComment]:
    """Reported comments, the most recently reported first."""
    last = func.max(CommentReport.created_at).label("last")
    groups = select(CommentReport.comment_id, last).group_by(CommentReport.comment_id)
    if state is ReportState.OPEN:
        groups = groups.where(CommentReport.resolved_at.is_(None))
    elif state is ReportState.RESOLVED:
        unresolved = func.sum(case((CommentReport.resolved_at.is_(None), 1), else_=0))
        groups = groups.having(unresolved == 0)
    total = session.scalar(select(func.count()).select_from(groups.subquery()))
    page = session.execute(
        groups.order_by(last.desc(), CommentReport.comment_id).limit(limit).offset(offset)
    ).all()
    return Page(_gather(session, [row.comment_id for row in page], state), int(total or 0))


def _gather(session: Session, ids: list[uuid.UUID], state: ReportState) -> list[ReportedComment]:
    if not ids:
        return []
    comments = {
        c.id: c
        for c in session.scalars(
            select(Comment).where(Comment.id.in_(ids)).options(selectinload(Comment.profile))
        )
    }
    reports: dict[uuid.UUID, list[CommentReport]] = {}
    for report in session.scalars(
        select(CommentReport)
        .where(CommentReport.comment_id.in_(ids), *_considered(state))
        .options(selectinload(CommentReport.profile))
        .order_by(CommentReport.created_at.desc(), CommentReport.id)
    ):
        reports.setdefault(report.comment_id, []).append(report)
    title_ids = {c.title_id for c in comments.values()}
    titles = {t.id: t for t in session.scalars(select(Title).where(Title.id.in_(title_ids)))}
    video_ids = {c.video_id for c in comments.values() if c.video_id is not None}
    videos = {v.id: v for v in session.scalars(select(Video).where(Video.id.in_(video_ids)))}
    return [
        ReportedComment(
            comment=comments[i],
            title=titles[comments[i].title_id],
            video=_video(videos, comments[i].video_id),
            reports=reports[i],
            reasons=Counter(r.reason for r in reports[i]),
        )
        for i in ids
    ]


def _video(videos: dict[uuid.UUID, Video], video_id: uuid.UUID | None) -> Video | None:
    return videos.get(video_id) if video_id is not None else None


def reported_comment(session: Session, *, comment_id: uuid.UUID) -> ReportedComment:
    """One comment of the queue with all its reports (404 when nobody reported it)."""
    if not _reported(session, comment_id):
        raise NotFound(f"no reports of comment {comment_id}")
    return _gather(session, [comment_id], ReportState.ALL)[0]


def _reported(session: Session, comment_id: uuid.UUID) -> bool:
    query = select(CommentReport.id).where(CommentReport.comment_id == comment_id).limit(1)
    return session.scalar(query) is not None


def dismiss_reports(session: Session, *, comment_id: uuid.UUID) -> int:
    """Resolve the comment's open reports, keeping the comment; how many were open."""
    if not _reported(session, comment_id):
        raise NotFound(f"no reports of comment {comment_id}")
    now = utcnow()
    open_reports = session.scalars(
        select(CommentReport).where(
            CommentReport.comment_id == comment_id, CommentReport.resolved_at.is_(None)
        )
    ).all()
    for report in open_reports:
        report.resolved_at = now
    session.flush()
    return len(open_reports)
