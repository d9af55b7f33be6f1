"""Playback: entitlement (plan, maturity, concurrent streams), signed URLs, and the
plan-filtered manifests and guarded files behind them."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kinema.catalog.models import TrackKind, Video
from kinema.catalog.services import titles, viewing
from kinema.storage import ObjectNotFound, join_key, normalize_key
from kinema.storage.errors import InvalidKey
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, Gone, NotFoundError, TooManyRequests
from kinema_api.schemas.playback import (
    Chapters,
    PlaybackPublic,
    RenditionPublic,
    SubtitlePublic,
)
from kinema_api.services import cloudfront, manifests
from kinema_api.services.auth import Viewer
from kinema_api.services.signing import InvalidToken, PlaybackGrant, sign, verify
from kinema_api.services.viewer import check_visible, load_progress
from kinema_api.services.views import playable

STREAM_PREFIX = "/api/v1/stream"


def start_playback(
    ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID, base_url: str
) -> tuple[PlaybackPublic, list[cloudfront.Cookie]]:
    """The playback response, and the CloudFront cookies to set (none without CloudFront).

    With CloudFront the manifests still come from the API (filtered to the plan) and
    point at CloudFront; every other URL is on CloudFront, readable with the cookies.
    """
    video = titles.get_video(session, video_id=video_id)
    check_visible(viewer, video.title)
    if not playable(video):
        raise Forbidden(f"video {video.id} is not ready to play (status: {video.status})")
    cap = viewer.plan.max_height
    allowed = [r for r in video.renditions if r.height <= cap]
    if video.renditions and not allowed:
        raise Forbidden(
            f"no rendition of this video fits the {viewer.plan.name} plan "
            f"(up to {cap}p); lowest is {min(r.height for r in video.renditions)}p"
        )
    lease = viewing.open_stream(
        session,
        user_id=viewer.user.id,
        profile_id=viewer.profile.id,
        video_id=video.id,
        limit=viewer.plan.concurrent_streams,
    )
    if lease is None:
        session.rollback()
        raise TooManyRequests(
            f"the {viewer.plan.name} plan allows {viewer.plan.concurrent_streams} stream(s) "
            "at once; stop playback on another device first"
        )
    session.commit()
    expires = int(time.time()) + ctx.settings.playback_url_ttl_s
    token = sign(PlaybackGrant(video.id, cap, expires, video.generation), ctx.playback_key)
    root = f"{base_url.rstrip('/')}{STREAM_PREFIX}/{token}"
    media_root, cookies = root, []
    if ctx.settings.cloudfront_enabled:
        media_root = cdn_base_url(ctx, video)
        cookies = cdn_cookies(ctx, video, max_height=cap, expires=expires)
    resume = load_progress(ctx, session, profile_id=viewer.profile.id, video_id=video.id)
    public = PlaybackPublic(
        video_id=video.id,
        title=video.title.name
        if video.name == video.title.name
        else f"{video.title.name}: {video.name}",
        hls_url=f"{root}/{video.hls_path}",
        dash_url=f"{root}/{video.dash_path}" if video.dash_path else None,
        thumbnails_url=f"{media_root}/{video.thumbnails_path}" if video.thumbnails_path else None,
        poster_url=f"{media_root}/{video.poster_path}" if video.poster_path else None,
        subtitles=[
            SubtitlePublic(
                language=t.language, label=t.label or t.language, url=f"{media_root}/{t.path}"
            )
            for t in video.tracks
            if t.kind is TrackKind.SUBTITLE and t.path
        ],
        renditions=[
            RenditionPublic(
                name=r.name, width=r.width, height=r.height, bitrate=r.bitrate, codec=r.codec
            )
            for r in allowed
        ],
        max_height=cap,
        resume_position_s=0.0 if resume is None or resume.completed else resume.position_s,
        duration_s=video.duration_s,
        chapters=Chapters.of(video),
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
    )
    return public, cookies


def cdn_path(ctx: AppContext, key: str) -> str:
    """Where a store key is on CloudFront (its origin is the bucket): the key with the
    store's own prefix, without the bucket."""
    uri = ctx.store.uri(key)
    if uri.startswith("s3://"):
        return uri.removeprefix("s3://").partition("/")[2]
    return key


def cdn_base_url(ctx: AppContext, video: Video) -> str:
    return f"https://{ctx.settings.cloudfront_domain}/{cdn_path(ctx, video.output_prefix or '')}"


def cdn_cookies(
    ctx: AppContext, video: Video, *, max_height: int, expires: int
) -> list[cloudfront.Cookie]:
    """Cookie sets covering only what ``max_height`` allows of ``video``'s output."""
    settings = ctx.settings
    assert settings.cloudfront_private_key is not None  # noqa: S101 - cloudfront_enabled
    folders, files = cloudfront.readable_scopes(
        allowed=[r.path for r in video.renditions if r.height <= max_height and r.path],
        denied=[r.path for r in video.renditions if r.height > max_height and r.path],
        shared_files=[video.thumbnails_path, video.poster_path],
    )
    return cloudfront.signed_cookies(
        domain=settings.cloudfront_domain or "",
        base_path=cdn_path(ctx, video.output_prefix or ""),
        folders=folders,
        files=files,
        expires=expires,
        key_pair_id=settings.cloudfront_key_pair_id or "",
        private_key_pem=settings.cloudfront_private_key.get_secret_value(),
    )


@dataclass(frozen=True, slots=True)
class StreamTarget:
    """What the stream route should send for one request."""

    key: str  # store key
    rewritten: str | None = None  # a filtered manifest to send instead of the stored file
    content_type: str | None = None
    cacheable: bool = True


PRIVATE_SUFFIXES = (".json",)
PRIVATE_FOLDERS = ("chunks/",)


def resolve_stream(ctx: AppContext, session: Session, *, token: str, path: str) -> StreamTarget:
    """Check a streaming request against its token; raises Forbidden/Gone/NotFound."""
    try:
        grant = verify(token, ctx.playback_key)
    except InvalidToken as exc:
        raise Forbidden(f"{exc}") from exc
    video = session.get(Video, grant.video_id)
    if video is None or not video.output_prefix:
        raise NotFoundError("no such video")
    if video.generation != grant.generation:
        raise Gone("this video was re-processed; request a new playback URL")
    try:
        rel = normalize_key(path)
    except InvalidKey as exc:
        raise NotFoundError(f"no file {path!r}") from exc
    if rel.endswith(PRIVATE_SUFFIXES) or rel.startswith(PRIVATE_FOLDERS):
        # kinema.json, records.json, probe.json and chunk reports are for the operator and
        # the API: they name the source and its storage, which viewers have no use for.
        raise NotFoundError(f"no file {path!r}")
    key = join_key(video.output_prefix, rel)
    try:
        if rel == video.hls_path:
            master = ctx.store.get_bytes(key).decode()
            text = manifests.filter_master(master, grant.max_height)
            if ctx.settings.cloudfront_enabled:
                text = cloudfront.absolute_master(
                    text, master_path=rel, base_url=cdn_base_url(ctx, video)
                )
            return StreamTarget(key, text, "application/vnd.apple.mpegurl", cacheable=False)
        if rel == video.dash_path:
            mpd = ctx.store.get_bytes(key).decode()
            text = manifests.filter_mpd(mpd, grant.max_height)
            if ctx.settings.cloudfront_enabled:
                text = cloudfront.with_base_url(
                    text, mpd_path=rel, base_url=cdn_base_url(ctx, video)
                )
            return StreamTarget(key, text, "application/dash+xml", cacheable=False)
    except ObjectNotFound as exc:
        raise NotFoundError(f"no file {path!r}") from exc
    if rel in forbidden_for(ctx, video, grant.max_height):
        raise Forbidden(
            f"{path!r} belongs to a rendition above your plan's {grant.max_height}p limit"
        )
    return StreamTarget(key)


def forbidden_for(ctx: AppContext, video: Video, max_height: int) -> frozenset[str]:
    cache_key = (video.id.hex, video.generation, max_height)
    cached = ctx.forbidden_cache.get(cache_key)
    if cached is not None:
        return cached
    prefix = video.output_prefix or ""
    master_path = video.hls_path or "master.m3u8"
    try:
        master = ctx.store.get_bytes(join_key(prefix, master_path)).decode()
    except ObjectNotFound:
        return frozenset()
    media: dict[str, str] = {}
    for variant in manifests.variants(master):
        path = manifests.resolve(master_path, variant.uri)
        if path is None:
            continue
        try:
            media[path] = ctx.store.get_bytes(join_key(prefix, path)).decode()
        except (ObjectNotFound, InvalidKey):
            continue
    denied = manifests.forbidden_files(master_path, master, media, max_height)
    if len(ctx.forbidden_cache) > 10_000:
        ctx.forbidden_cache.clear()
    ctx.forbidden_cache[cache_key] = denied
    return denied
