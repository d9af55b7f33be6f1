"""Ad creatives: marking videos as ads, the active set, and the weighted draw.

A creative's title is kept out of every viewer listing (browse rows, search, Continue
Watching) by :func:`ad_titles`, which those queries exclude, and is unpublished when its
video is marked, so title pages and playback refuse it as they refuse any unpublished
title. Only a movie's one video can be marked: marking an episode would hide its series.

:func:`pick` is pure (the caller passes the random number), so the draw is tested with
plain numbers; :func:`active` reads which creatives may be drawn at a moment.
:func:`midroll_points` (pure) is where a video's mid-roll breaks may be: its chapter
starts, as the playback response lists them and the decision accepts them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, contains_eager

from kinema.catalog.errors import Conflict, InvalidChange, NotFound
from kinema.catalog.models import AdCreative, Title, TitleKind, Video, VideoStatus

MAX_WEIGHT = 1000
# An ad is a short clip: a longer video (known once it is probed) is refused as a creative.
MAX_AD_S = 120.0
# No mid-roll this close to the start (that is the pre-roll's place) or to the end.
MIDROLL_HEAD_S = 1.0
MIDROLL_TAIL_S = 10.0
T = TypeVar("T")


def ad_titles() -> ColumnElement[bool]:
    """True for a title that holds an ad creative (for ``.where(~ad_titles())``)."""
    return exists(
        select(AdCreative.id)
        .join(Video, Video.id == AdCreative.video_id)
        .where(Video.title_id == Title.id)
    )


def is_ad_video(session: Session, *, video_id: uuid.UUID) -> bool:
    found = session.scalar(select(AdCreative.id).where(AdCreative.video_id == video_id))
    return found is not None


def _check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and starts_at >= ends_at:
        raise InvalidChange("an ad's window must start before it ends")


def _check_weight(weight: int) -> None:
    if not 1 <= weight <= MAX_WEIGHT:
        raise InvalidChange(f"an ad's weight must be between 1 and {MAX_WEIGHT}")


def mark(
    session: Session,
    *,
    video: Video,
    weight: int = 1,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> AdCreative:
    """Make ``video`` an ad creative (its title is unpublished). Conflict when it already
    is one; InvalidChange for an episode, a video longer than :data:`MAX_AD_S`, a bad
    weight or window."""
    _check_weight(weight)
    _check_window(starts_at, ends_at)
    if video.title.kind is not TitleKind.MOVIE:
        raise InvalidChange(
            f"video {video.id} is an episode; only a movie's video can be an ad creative"
        )
    if is_ad_video(session, video_id=video.id):
        raise Conflict(f"video {video.id} is already an ad creative")
    if video.duration_s is not None and video.duration_s > MAX_AD_S:
        raise InvalidChange(
            f"an ad creative runs at most {MAX_AD_S:g} s; video {video.id} runs "
            f"{video.duration_s:.0f} s"
        )
    creative = AdCreative(video=video, weight=weight, starts_at=starts_at, ends_at=ends_at)
    session.add(creative)
    video.title.published = False
    session.flush()
    return creative


def update(
    session: Session,
    *,
    creative: AdCreative,
    weight: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    clear_starts: bool = False,
    clear_ends: bool = False,
) -> AdCreative:
    """Change the weight or the window; ``clear_*`` opens that end of the window."""
    new_starts = None if clear_starts else (starts_at or creative.starts_at)
    new_ends = None if clear_ends else (ends_at or creative.ends_at)
    if weight is not None:
        _check_weight(weight)
    _check_window(new_starts, new_ends)
    if weight is not None:
        creative.weight = weight
    creative.starts_at, creative.ends_at = new_starts, new_ends
    session.flush()
    return creative


def unmark(session: Session, *, creative: AdCreative) -> None:
    """The video is no longer an ad; its title stays unpublished until an admin
    publishes it."""
    session.delete(creative)
    session.flush()


def get(session: Session, *, video_id: uuid.UUID) -> AdCreative:
    creative = session.scalar(select(AdCreative).where(AdCreative.video_id == video_id))
    if creative is None:
        raise NotFound(f"video {video_id} is not an ad creative")
    return creative


def listing(session: Session) -> list[AdCreative]:
    stmt = (
        select(AdCreative)
        .join(Video, Video.id == AdCreative.video_id)
        .join(Title, Title.id == Video.title_id)
        .options(contains_eager(AdCreative.video).contains_eager(Video.title))
        .order_by(AdCreative.created_at.desc(), AdCreative.id)
    )
    return list(session.scalars(stmt))


def active(session: Session, *, now: datetime) -> list[AdCreative]:
    """Creatives that may be shown at ``now``: ready, inside their window."""
    stmt = (
        select(AdCreative)
        .join(Video, Video.id == AdCreative.video_id)
        .where(
            Video.status == VideoStatus.READY,
            Video.hls_path.is_not(None),
            or_(AdCreative.starts_at.is_(None), AdCreative.starts_at <= now),
            or_(AdCreative.ends_at.is_(None), AdCreative.ends_at > now),
        )
        .options(contains_eager(AdCreative.video))
        .order_by(AdCreative.id)
    )
    return list(session.scalars(stmt))


def pick(items: Sequence[tuple[T, int]], *, rand: float) -> T | None:
    """The weighted draw: ``rand`` in [0, 1) picks an item with probability weight /
    total. None when there is nothing (or nothing with a positive weight) to draw."""
    total = sum(max(0, w) for _, w in items)
    if total <= 0:
        return None
    point = rand * total
    for item, weight in items:
        if weight <= 0:
            continue
        if point < weight:
            return item
        point -= weight
    return next(item for item, w in reversed(items) if w > 0)


def chapter_starts(video: Video) -> list[float]:
    """Where the video's chapters start: the intro (when it is not at the very start),
    the programme after the intro, and the end credits."""
    marks = (video.intro_start_s, video.intro_end_s, video.credits_start_s)
    return sorted({float(m) for m in marks if m is not None})


def midroll_points(
    starts: Sequence[float], *, duration_s: float | None, spacing_s: float
) -> list[float]:
    """The chapter starts a mid-roll may play at, in order: not at 0, not within the
    last :data:`MIDROLL_TAIL_S` seconds, one per point, and each at least ``spacing_s``
    after the one kept before it. (The player also waits ``spacing_s`` of the title
    played since the session started or its last break before it plays another.)"""
    kept: list[float] = []
    for at in sorted(set(starts)):
        if at < MIDROLL_HEAD_S:
            continue
        if duration_s is not None and at > duration_s - MIDROLL_TAIL_S:
            continue
        if kept and at - kept[-1] < spacing_s:
            continue
        kept.append(at)
    return kept
