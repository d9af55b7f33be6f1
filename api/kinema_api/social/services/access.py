"""Who may see and write social things: one place for the rules every social service
applies before it reads or writes.

- Comments and reviews (other people's free text) are not for kids profiles: listing
  them answers 403 ``kids_profile`` (not an empty list, which would claim there are
  none), and so does writing, reacting to, reporting or voting on them. Ratings (a
  number) and timestamped reactions on a video (a fixed emoji set) stay available.
- A title the profile may not see is refused the way the rest of the API refuses it
  (:func:`check_visible`: 404 when unpublished, 403 above the maturity limit). Addressed
  by a comment's or review's own id, it is a 404 whatever the reason, so an id never
  confirms what is behind it.
- Writes are limited per profile (a fixed window in the cache, like the API's other
  rate limits; a cache outage lets writes through).
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import Comment, Review, Title, Video
from kinema.catalog.services import reviews as review_rows
from kinema.catalog.services import social, titles
from kinema_api.accounts.services.auth import KidsProfile, Viewer
from kinema_api.cache import CacheUnavailable
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, BadRequest, Forbidden, TooManyRequests


class NotAuthor(Forbidden):
    """Changing what another profile wrote."""

    code = "not_author"


class ReplyToReply(BadRequest):
    """Replies are one level deep."""

    code = "reply_to_reply"


class OwnComment(BadRequest):
    """Reporting one's own comment."""

    code = "own_comment"


class OwnReview(BadRequest):
    """Voting one's own review helpful."""

    code = "own_review"


def require_social(viewer: Viewer) -> None:
    if viewer.profile.is_kids:
        raise KidsProfile("comments and reviews are not available on a kids profile")


def visible_title(session: Session, *, viewer: Viewer, title_id: uuid.UUID) -> Title:
    title = titles.get_title(session, title_id=title_id)
    check_visible(viewer, title)
    return title


def visible_video(session: Session, *, viewer: Viewer, video_id: uuid.UUID) -> Video:
    video = titles.get_video(session, video_id=video_id)
    check_visible(viewer, video.title)
    return video


def _hidden(session: Session, viewer: Viewer, title_id: uuid.UUID) -> bool:
    title = session.get(Title, title_id)
    if title is None:
        return True
    try:
        check_visible(viewer, title)
    except (ApiError, NotFound):
        return True
    return False


def visible_comment(
    session: Session, *, viewer: Viewer, comment_id: uuid.UUID, deleted_ok: bool = False
) -> Comment:
    """A comment on a title the viewer may see, not deleted unless ``deleted_ok``."""
    comment = social.get_comment(session, comment_id=comment_id, deleted_ok=deleted_ok)
    if _hidden(session, viewer, comment.title_id):
        raise NotFound(f"no comment {comment_id}")
    return comment


def visible_review(session: Session, *, viewer: Viewer, review_id: uuid.UUID) -> Review:
    review = review_rows.get_review(session, review_id=review_id)
    if _hidden(session, viewer, review.title_id):
        raise NotFound(f"no review {review_id}")
    return review


def require_author(viewer: Viewer, profile_id: uuid.UUID, *, what: str) -> None:
    if profile_id != viewer.profile.id:
        raise NotAuthor(f"only its author may change this {what}")


def require_author_or_admin(viewer: Viewer, profile_id: uuid.UUID, *, what: str) -> None:
    if profile_id != viewer.profile.id and not viewer.is_admin:
        raise NotAuthor(f"only its author or an admin may delete this {what}")


def limit_rate(ctx: AppContext, *, key: str, per_minute: int, what: str) -> None:
    try:
        count = ctx.cache.hit(key, window_s=60)
    except CacheUnavailable:
        return  # fail open, as the API's other limits do
    if count > per_minute:
        raise TooManyRequests(
            f"too many {what}; at most {per_minute} a minute per profile, retry shortly",
            headers={"Retry-After": "60"},
        )


def limit_comments(ctx: AppContext, viewer: Viewer) -> None:
    limit_rate(
        ctx,
        key=f"rl:comment:{viewer.profile.id.hex}",
        per_minute=ctx.settings.comment_rate_limit_per_min,
        what="comments",
    )


def limit_reactions(ctx: AppContext, viewer: Viewer) -> None:
    limit_rate(
        ctx,
        key=f"rl:reaction:{viewer.profile.id.hex}",
        per_minute=ctx.settings.reaction_rate_limit_per_min,
        what="reactions",
    )
