"""The social queries on both databases (SQLite embedded, the harness's real PostgreSQL):
top order, which deleted comments stay listed, reaction density at bucket edges (where
PostgreSQL's rounding integer cast would differ from floor), the rating distribution,
helpful order, and one-per-profile rows refused without spoiling the transaction."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from kinema.catalog.errors import Conflict
from kinema.catalog.models import Emoji, ReportReason, utcnow
from kinema.catalog.services import moderation, reviews, social, viewing
from kinema.catalog.services.reviews import ReviewOrder
from kinema.catalog.services.social import CommentOrder
from tests.utils.factories import make_ready_video, make_title, make_user

pytestmark = pytest.mark.integration


def _profiles(session: Session, n: int) -> list[uuid.UUID]:
    return [make_user(session).profiles[0].id for _ in range(n)]


def test_comment_order_and_deleted_threads(session: Session) -> None:
    title = make_title(session)
    video = make_ready_video(session, title=title)
    ana, ben, cat = _profiles(session, 3)
    start = utcnow() - timedelta(hours=1)
    made = []
    for i in range(4):
        c = social.add_comment(session, title_id=title.id, video_id=video.id, profile_id=ana,
                               body=f"c{i}")  # fmt: skip
        c.created_at = start + timedelta(minutes=i)
        made.append(c)
    on_title = social.add_comment(session, title_id=title.id, profile_id=ben, body="whole title")
    on_title.created_at = start - timedelta(minutes=1)
    session.flush()
    for who, emoji in ((ben, Emoji.LIKE), (cat, Emoji.LIKE), (ben, Emoji.FIRE)):
        assert social.react(session, comment_id=made[1].id, profile_id=who, emoji=emoji)
    assert not social.react(session, comment_id=made[1].id, profile_id=ben, emoji=Emoji.LIKE)
    social.react(session, comment_id=made[2].id, profile_id=cat, emoji=Emoji.WOW)
    session.commit()

    top = social.comments(session, title_id=title.id, order=CommentOrder.TOP)
    assert [c.body for c in top.items] == ["c1", "c2", "c3", "c0", "whole title"]
    newest = social.comments(session, video_id=video.id, order=CommentOrder.NEWEST, limit=2)
    assert [c.body for c in newest.items] == ["c3", "c2"] and newest.total == 4
    counts = social.reaction_counts(session, comment_ids=[made[1].id, made[0].id])
    assert counts == {made[1].id: {Emoji.LIKE: 2, Emoji.FIRE: 1}}

    # A deleted comment stays listed while it has a live reply, and not after.
    reply = social.add_comment(session, title_id=title.id, video_id=video.id, profile_id=ben,
                               parent_id=made[0].id, body="re")  # fmt: skip
    social.delete_comment(session, comment=made[0])
    social.delete_comment(session, comment=made[3])
    session.commit()
    listed = social.comments(session, title_id=title.id)
    assert [c.body for c in listed.items] == ["c2", "c1", "", "whole title"]
    assert listed.total == 4
    assert social.reply_counts(session, comment_ids=[made[0].id]) == {made[0].id: 1}
    social.delete_comment(session, comment=reply)
    session.commit()
    assert social.comments(session, title_id=title.id).total == 3
    assert social.reply_counts(session, comment_ids=[made[0].id]) == {}


def test_reaction_density_edges(session: Session) -> None:
    video = make_ready_video(session, duration_s=600)
    (ana,) = _profiles(session, 1)
    # 600 s in 10 buckets: 59.9 is bucket 0 (PostgreSQL's integer cast of 0.998 would
    # say 1); 60 starts bucket 1; the end counts in the last bucket.
    for at in (0.0, 5.5, 59.9, 60.0, 119.99, 599.99, 600.0):
        social.add_reaction(session, video_id=video.id, profile_id=ana, emoji=Emoji.LIKE,
                            position_s=at)  # fmt: skip
    social.add_reaction(session, video_id=video.id, profile_id=ana, emoji=Emoji.WOW, position_s=61)
    session.commit()
    density = social.reaction_density(session, video_id=video.id, duration_s=600, buckets=10)
    assert [sum(b.values()) for b in density] == [3, 3, 0, 0, 0, 0, 0, 0, 0, 2]
    assert density[1] == {Emoji.LIKE: 2, Emoji.WOW: 1}
    fine = social.reaction_density(session, video_id=video.id, duration_s=600, buckets=100)
    assert fine[0] == {Emoji.LIKE: 2}  # 0 and 5.5 (0.92 of a bucket)
    assert fine[9] == {Emoji.LIKE: 1}  # 59.9 (9.98 buckets of 6 s)
    assert fine[10] == {Emoji.LIKE: 1, Emoji.WOW: 1}  # 60 and 61
    assert social.latest_reaction_s(session, video_id=video.id) == 600.0
    assert social.reaction_density(session, video_id=video.id, duration_s=0, buckets=3) == [
        {},
        {},
        {},
    ]


def test_rating_distribution(session: Session) -> None:
    title, other = make_title(session), make_title(session)
    for profile, score in zip(_profiles(session, 4), (1, 5, 5, 3), strict=True):
        viewing.rate_title(session, profile_id=profile, title_id=title.id, score=score)
    session.commit()
    summary = social.rating_summary(session, title_id=title.id)
    assert summary.distribution == (1, 0, 1, 0, 2)
    assert summary.count == 4 and summary.average == pytest.approx(3.5)
    nothing = social.rating_summary(session, title_id=other.id)
    assert (nothing.average, nothing.count, nothing.distribution) == (None, 0, (0, 0, 0, 0, 0))


def test_reviews_helpful_order(session: Session) -> None:
    title = make_title(session)
    ana, ben, cat = _profiles(session, 3)
    first, created = reviews.write_review(session, profile_id=ana, title_id=title.id,
                                          body="Thorough", score=4)  # fmt: skip
    assert created
    first.created_at = utcnow() - timedelta(days=1)
    second, _ = reviews.write_review(session, profile_id=ben, title_id=title.id, body="Short",
                                     score=2)  # fmt: skip
    again, created = reviews.write_review(session, profile_id=ana, title_id=title.id,
                                          body="Thorough, edited", score=5)  # fmt: skip
    assert again.id == first.id and not created and again.edited_at is not None
    assert social.rating_summary(session, title_id=title.id).distribution == (0, 1, 0, 0, 1)
    assert reviews.vote_helpful(session, review_id=first.id, profile_id=ben)
    assert reviews.vote_helpful(session, review_id=first.id, profile_id=cat)
    assert not reviews.vote_helpful(session, review_id=first.id, profile_id=cat)
    session.commit()
    helpful = reviews.reviews(session, title_id=title.id, order=ReviewOrder.HELPFUL)
    assert [r.body for r in helpful.items] == ["Thorough, edited", "Short"]
    newest = reviews.reviews(session, title_id=title.id, order=ReviewOrder.NEWEST)
    assert [r.body for r in newest.items] == ["Short", "Thorough, edited"]
    assert reviews.helpful_counts(session, review_ids=[first.id, second.id]) == {first.id: 2}
    assert reviews.voted_by(session, profile_id=cat, review_ids=[first.id, second.id]) == {first.id}


def test_duplicates_leave_the_transaction_usable(session: Session) -> None:
    title = make_title(session)
    ana, ben = _profiles(session, 2)
    comment = social.add_comment(session, title_id=title.id, profile_id=ana, body="spam")
    social.report_comment(session, comment_id=comment.id, profile_id=ben, reason=ReportReason.SPAM)
    with pytest.raises(Conflict):
        social.report_comment(session, comment_id=comment.id, profile_id=ben,
                              reason=ReportReason.ABUSE)  # fmt: skip
    # The refused row was rolled back to its savepoint; the rest of the work commits.
    later = social.add_comment(session, title_id=title.id, profile_id=ben, body="still here")
    session.commit()
    assert social.get_comment(session, comment_id=later.id).body == "still here"
    open_reports = social.reports(session)
    assert [r.reason for r in open_reports.items] == [ReportReason.SPAM]
    social.delete_comment(session, comment=comment)
    session.commit()
    assert social.reports(session).total == 0
    assert social.reports(session, state=social.ReportState.RESOLVED).total == 1


def test_the_moderation_queue_groups_reports(session: Session) -> None:
    """Reports grouped per comment, newest report first, open and resolved (the GROUP BY,
    HAVING and ordering on both databases)."""
    title = make_title(session)
    ana, ben, cat = _profiles(session, 3)
    start = utcnow() - timedelta(hours=1)
    quiet, loud = (
        social.add_comment(session, title_id=title.id, profile_id=ana, body=body)
        for body in ("quiet", "loud")
    )
    reports = [
        social.report_comment(session, comment_id=c.id, profile_id=who, reason=reason)
        for c, who, reason in (
            (loud, ben, ReportReason.SPAM),
            (quiet, ben, ReportReason.ABUSE),
            (loud, cat, ReportReason.SPAM),
        )
    ]
    for i, report in enumerate(reports):
        report.created_at = start + timedelta(minutes=i)
    session.commit()

    page = moderation.reported_comments(session)
    assert page.total == 2
    assert [(e.comment.body, len(e.reports)) for e in page.items] == [("loud", 2), ("quiet", 1)]
    assert page.items[0].reasons == {ReportReason.SPAM: 2}
    assert [r.profile_id for r in page.items[0].reports] == [cat, ben]  # newest first
    assert page.items[0].title.id == title.id

    assert moderation.dismiss_reports(session, comment_id=loud.id) == 2
    session.commit()
    assert [e.comment.body for e in moderation.reported_comments(session).items] == ["quiet"]
    resolved = moderation.reported_comments(session, state=social.ReportState.RESOLVED)
    assert [(e.comment.body, e.open) for e in resolved.items] == [("loud", False)]
    both = moderation.reported_comments(session, state=social.ReportState.ALL, limit=1)
    assert both.total == 2 and len(both.items) == 1
