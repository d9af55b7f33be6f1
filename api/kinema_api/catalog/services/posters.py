"""Posters: a title's own image, else its videos' poster frames; a video's own frame.

Posters obey the same maturity limit as the listings that link to them; a poster above
the viewer's limit is a 404 that does not name the title.

While an artwork test runs on a title (docs/artwork.md), its poster URL answers each
profile with the variant assigned to it: title cards are shared by every viewer (the hot
cache), so the choice is made here, when the image is served, never in the card.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import ArtworkTest, Title, Video
from kinema.catalog.services import titles
from kinema.storage import ObjectNotFound, join_key
from kinema_api.accounts.services.auth import Viewer
from kinema_api.artwork.services import assign
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, NotFoundError


@dataclass(frozen=True, slots=True)
class Image:
    data: bytes
    media_type: str
    # Within the anonymous maturity limit: a shared cache may keep it.
    public: bool
    # One profile's variant in an artwork test: no cache may keep it for anyone else,
    # nor for this browser past the test (a profile switch, a winner).
    per_profile: bool = False


def title_poster(
    ctx: AppContext, session: Session, *, viewer: Viewer | None, title_id: uuid.UUID
) -> Image:
    title = titles.get_title(session, title_id=title_id)
    if not _poster_visible(viewer, title):
        raise NotFoundError(f"no title {title_id}")
    variant = _test_variant(ctx, session, viewer=viewer, title=title)
    if variant is not None:
        return variant
    keys: list[str] = [title.poster_key] if title.poster_key else []
    keys += [_video_poster_key(v) for v in title.videos if _video_poster_key(v)]
    return _first_image(ctx, keys, title, missing=f"title {title_id} has no poster yet")


def _test_variant(
    ctx: AppContext, session: Session, *, viewer: Viewer | None, title: Title
) -> Image | None:
    """The viewer's variant when the title's artwork is under test (None: the default)."""
    if viewer is None or not assign.in_tests(viewer):
        return None
    running = assign.running_test(session, title_id=title.id)
    if running is None:
        return None
    # The request's session only reads (a page of posters never waits for SQLite's
    # writer); a profile's first look under a test stores its assignment in a write
    # session of its own, taken only for titles under test.
    with ctx.sessions() as write:
        test = write.get(ArtworkTest, running.id)
        if test is None:
            return None
        variant = assign.variant_for(
            write,
            test=test,
            profile_id=viewer.profile.id,
            sticky_days=ctx.settings.artwork_sticky_days,
        )
        key = variant.key
    try:
        data = ctx.store.get_bytes(key)
    except ObjectNotFound:
        return None
    media = "image/png" if key.endswith(".png") else "image/jpeg"
    return Image(data=data, media_type=media, public=False, per_profile=True)


def video_poster(
    ctx: AppContext, session: Session, *, viewer: Viewer | None, video_id: uuid.UUID
) -> Image:
    video = titles.get_video(session, video_id=video_id)
    if not _poster_visible(viewer, video.title):
        raise NotFoundError(f"no video {video_id}")
    key = _video_poster_key(video)
    return _first_image(
        ctx, [key] if key else [], video.title, missing=f"video {video_id} has no poster yet"
    )


def _poster_visible(viewer: Viewer | None, title: Title) -> bool:
    """What the title page allows (published, within the viewer's maturity limit;
    anonymous visitors get the anonymous one), decided in one place."""
    try:
        viewer_service.check_visible(viewer, title)
    except (NotFound, Forbidden):
        return False
    return True


def _video_poster_key(video: Video) -> str:
    if video.poster_path and video.output_prefix:
        return join_key(video.output_prefix, video.poster_path)
    return ""


def _first_image(ctx: AppContext, keys: list[str], title: Title, *, missing: str) -> Image:
    public = title.maturity.level <= viewer_service.max_maturity(None).level
    for key in keys:
        try:
            data = ctx.store.get_bytes(key)
        except ObjectNotFound:
            continue
        media = "image/png" if key.endswith(".png") else "image/jpeg"
        return Image(data=data, media_type=media, public=public)
    raise NotFoundError(missing)
