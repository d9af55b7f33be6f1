"""Playback: entitlement (plan, maturity, concurrent streams), signed URLs, and the
plan-filtered manifests and guarded files behind them.

A stream token is short-lived and bound to the login session that asked for it. The
player renews it while it plays (:func:`renew_playback`, which re-checks everything
:func:`start_playback` checks and keeps the stream lease alive). Every manifest request
re-checks the session, the plan's cap and the title's visibility through
:func:`session_state`, cached for a few seconds per session, so logging out, a downgrade
or an unpublish takes effect at the next manifest; segments only check the signature, so
they stay cheap.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kinema.catalog.models import AuthSession, Maturity, Role, TrackKind, Video, utcnow
from kinema.catalog.services import accounts, ads, titles
from kinema.storage import ObjectNotFound, join_key, normalize_key
from kinema.storage.errors import InvalidKey
from kinema_api.accounts.services.auth import Viewer, list_sessions
from kinema_api.artwork.services import assign
from kinema_api.cache import CacheUnavailable
from kinema_api.catalog.services.viewer import check_visible, load_progress
from kinema_api.catalog.services.views import playable
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, Gone, NotFoundError, Unauthorized
from kinema_api.viewing.schemas import (
    Chapters,
    PlaybackPublic,
    PlaybackRenewal,
    RenditionPublic,
    SubtitlePublic,
)
from kinema_api.viewing.services import cloudfront, manifests
from kinema_api.viewing.services import streams as stream_service
from kinema_api.viewing.services.signing import InvalidToken, PlaybackGrant, sign, verify

STREAM_PREFIX = "/api/v1/stream"
# How long a manifest request may act on a session's state read earlier: the longest a
# logout on another replica, a downgrade or a profile switch goes unnoticed.
SESSION_STATE_TTL_S = 10


@dataclass(frozen=True, slots=True)
class Grant:
    """What a viewer may stream of one video right now, and the token saying so."""

    video: Video
    cap: int
    token: str
    expires: int
    cookies: list[cloudfront.Cookie]

    @property
    def renew_after_s(self) -> int:
        # Half the lifetime: a renewal that fails once still has time to be retried.
        return max(30, (self.expires - int(time.time())) // 2)


def _grant(ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID) -> Grant:
    """Check visibility, readiness, the plan's cap and profile count, and the stream
    limit (taking or refreshing this device's lease); then sign a token for this login
    session."""
    video = titles.get_video(session, video_id=video_id)
    check_visible(viewer, video.title)
    if ads.is_ad_video(session, video_id=video.id):
        # Ad creatives play only through an ad decision, never as a title (admins too).
        raise NotFoundError(f"no video {video.id}")
    if not playable(video):
        raise Forbidden(f"video {video.id} is not ready to play (status: {video.status})")
    allowed = viewer.entitlements.plan
    cap = allowed.max_height
    if video.renditions and not any(r.height <= cap for r in video.renditions):
        raise Forbidden(
            f"no rendition of this video fits the {allowed.name} plan "
            f"(up to {cap}p); lowest is {min(r.height for r in video.renditions)}p"
        )
    viewer.require_selectable_profile()
    stream_service.take(session, viewer=viewer, video=video)
    session.commit()
    expires = int(time.time()) + ctx.settings.playback_url_ttl_s
    grant = PlaybackGrant(video.id, cap, expires, video.generation, viewer.session.id)
    cookies: list[cloudfront.Cookie] = []
    if ctx.settings.cloudfront_enabled:
        cookies = cdn_cookies(ctx, video, max_height=cap, expires=expires)
    return Grant(video, cap, sign(grant, ctx.playback_key), expires, cookies)


def midrolls(ctx: AppContext, video: Video) -> list[float]:
    """Where mid-rolls may play in ``video`` (its chapter starts, spaced)."""
    return ads.midroll_points(
        ads.chapter_starts(video),
        duration_s=video.duration_s,
        spacing_s=ctx.settings.ads_midroll_spacing_s,
    )


def stream_root(ctx: AppContext, token: str) -> str:
    """Where media URLs start: the caching edge when there is one, else the configured
    public URL, else a path relative to the API's origin. Never the request's Host
    header, which any client can set."""
    base = ctx.settings.edge_url or ctx.settings.public_url or ""
    return f"{base.rstrip('/')}{STREAM_PREFIX}/{token}"


def start_playback(
    ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID
) -> tuple[PlaybackPublic, list[cloudfront.Cookie]]:
    """The playback response, and the CloudFront cookies to set (none without CloudFront).

    With CloudFront the manifests still come from the API (filtered to the plan) and
    point at CloudFront; every other URL is on CloudFront, readable with the cookies.
    """
    grant = _grant(ctx, session, viewer=viewer, video_id=video_id)
    video, cap = grant.video, grant.cap
    # A play of a title whose card this profile was shown: a take for its artwork variant.
    if assign.in_tests(viewer) and assign.record_take(
        session, profile_id=viewer.profile.id, title_id=video.title_id
    ):
        session.commit()
    root = stream_root(ctx, grant.token)
    media_root = cdn_base_url(ctx, video) if ctx.settings.cloudfront_enabled else root
    resume = load_progress(ctx, session, profile_id=viewer.profile.id, video_id=video.id)
    public = PlaybackPublic(
        video_id=video.id,
        title=stream_service.video_label(video),
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
            for r in video.renditions
            if r.height <= cap
        ],
        max_height=cap,
        resume_position_s=0.0 if resume is None or resume.completed else resume.position_s,
        duration_s=video.duration_s,
        chapters=Chapters.of(video),
        expires_at=datetime.fromtimestamp(grant.expires, tz=UTC),
        token=grant.token,
        renew_after_s=grant.renew_after_s,
        ads=viewer.entitlements.ads,
        ad_breaks=midrolls(ctx, video) if viewer.entitlements.ads else [],
        ad_break_spacing_s=ctx.settings.ads_midroll_spacing_s if viewer.entitlements.ads else 0,
    )
    return public, grant.cookies


def renew_playback(
    ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID
) -> tuple[PlaybackRenewal, list[cloudfront.Cookie]]:
    """A new token for a playback in progress, after the same checks as starting it."""
    grant = _grant(ctx, session, viewer=viewer, video_id=video_id)
    renewal = PlaybackRenewal(
        token=grant.token,
        expires_at=datetime.fromtimestamp(grant.expires, tz=UTC),
        renew_after_s=grant.renew_after_s,
        max_height=grant.cap,
    )
    return renewal, grant.cookies


@dataclass(frozen=True, slots=True)
class SessionState:
    """What a login session may stream now: read on manifest requests, cached briefly."""

    user_id: uuid.UUID
    max_height: int
    max_maturity: Maturity
    is_admin: bool

    def dumps(self) -> str:
        return json.dumps(
            [self.user_id.hex, self.max_height, self.max_maturity.value, self.is_admin]
        )

    @classmethod
    def loads(cls, text: str) -> SessionState:
        user, height, maturity, admin = json.loads(text)
        return cls(uuid.UUID(hex=user), int(height), Maturity(maturity), bool(admin))


def _state_key(session_id: uuid.UUID) -> str:
    return f"playback-session:{session_id.hex}"


def forget_session(ctx: AppContext, session_id: uuid.UUID) -> None:
    """Drop a session's cached state (logout, revoke, plan or profile change), so the
    next manifest request reads it afresh."""
    with contextlib.suppress(CacheUnavailable):
        ctx.cache.delete(_state_key(session_id))


def forget_user_sessions(ctx: AppContext, session: Session, *, user_id: uuid.UUID) -> None:
    for row in list_sessions(session, user_id=user_id):
        forget_session(ctx, row.id)


def session_state(
    ctx: AppContext, session: Session, *, session_id: uuid.UUID
) -> SessionState | None:
    """The session's plan cap and profile limits, or None when it was logged out,
    revoked, expired, or its account disabled."""
    key = _state_key(session_id)
    try:
        cached = ctx.cache.get(key)
    except CacheUnavailable:
        cached = None
    if cached is not None:
        return None if cached == "-" else SessionState.loads(cached)
    row = session.get(AuthSession, session_id)
    state: SessionState | None = None
    if (
        row is not None
        and row.revoked_at is None
        and row.expires_at > utcnow()
        and row.user.is_active
    ):
        allowed = accounts.account_plan(
            session, user_id=row.user_id, grace=ctx.settings.billing_grace
        ).entitlements
        profiles = accounts.list_profiles(session, user_id=row.user_id)
        profile = next((p for p in profiles if p.id == row.profile_id), None)
        profile = profile or accounts.fallback_profile(
            accounts.selectable_profiles(profiles, allowed=allowed.profiles)
        )
        state = SessionState(
            user_id=row.user_id,
            max_height=allowed.max_height,
            max_maturity=profile.max_maturity,
            is_admin=row.user.role is Role.ADMIN and not profile.is_kids,
        )
    with contextlib.suppress(CacheUnavailable):
        ctx.cache.set(key, state.dumps() if state else "-", ttl_s=SESSION_STATE_TTL_S)
    return state


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
MANIFEST_SUFFIXES = (".m3u8", ".mpd")


def resolve_stream(
    ctx: AppContext, session: Session, *, token: str, path: str, edge_cap: int | None = None
) -> StreamTarget:
    """Check a streaming request against its token; raises Unauthorized, Forbidden, Gone
    or NotFound, whose messages name the requested path and never a server path.

    Paths are compared case-folded: on a case-insensitive filesystem (``kinema up`` on
    macOS or Windows) ``MASTER.M3U8`` opens the master, and must get the filtered one.
    ``edge_cap`` (the caching edge's ``X-Kinema-Edge-Cap``) can only lower the height
    manifests are filtered to, so anyone may send it.
    """
    try:
        grant = verify(token, ctx.playback_key)
    except InvalidToken as exc:
        raise Forbidden(f"{exc}") from exc
    video = session.get(Video, grant.video_id)
    if video is None or not video.output_prefix:
        raise NotFoundError("no such video")
    if video.generation != grant.generation:
        raise Gone("this video was re-processed; request a new playback URL")
    return resolve_file(
        ctx,
        video,
        path=path,
        cap=grant.max_height,
        manifest_cap=lambda: min(
            check_session(ctx, session, grant=grant, video=video),
            edge_cap if edge_cap is not None else grant.max_height,
        ),
    )


def resolve_file(
    ctx: AppContext,
    video: Video,
    *,
    path: str,
    cap: int,
    manifest_cap: Callable[[], int] | None = None,
    cdn: bool = True,
) -> StreamTarget:
    """What to send for ``path`` of ``video``'s output to a holder of a token capped at
    ``cap``: manifests filtered to the cap (lowered further by ``manifest_cap``, called on
    manifest requests only), files of refused rungs refused, private files hidden. With
    ``cdn`` (and CloudFront configured) manifests point at CloudFront."""
    cdn = cdn and ctx.settings.cloudfront_enabled
    if not video.output_prefix:
        raise NotFoundError("no such video")
    try:
        rel = normalize_key(path)
    except InvalidKey as exc:
        raise NotFoundError(f"no file {path!r}") from exc
    folded = rel.casefold()
    if folded.endswith(PRIVATE_SUFFIXES) or folded.startswith(PRIVATE_FOLDERS):
        # kinema.json, records.json, probe.json and chunk reports are for the operator and
        # the API: they name the source and its storage, which viewers have no use for.
        raise NotFoundError(f"no file {path!r}")
    if folded.endswith(MANIFEST_SUFFIXES) and manifest_cap is not None:
        cap = min(cap, manifest_cap())
    key = join_key(video.output_prefix, rel)
    try:
        if folded == (video.hls_path or "").casefold():
            master = ctx.store.get_bytes(key).decode()
            text = manifests.filter_master(master, cap)
            if cdn:
                text = cloudfront.absolute_master(
                    text, master_path=video.hls_path or rel, base_url=cdn_base_url(ctx, video)
                )
            return StreamTarget(key, text, "application/vnd.apple.mpegurl", cacheable=False)
        if folded == (video.dash_path or "").casefold():
            mpd = ctx.store.get_bytes(key).decode()
            text = manifests.filter_mpd(mpd, cap)
            if cdn:
                text = cloudfront.with_base_url(
                    text, mpd_path=video.dash_path or rel, base_url=cdn_base_url(ctx, video)
                )
            return StreamTarget(key, text, "application/dash+xml", cacheable=False)
    except ObjectNotFound as exc:
        raise NotFoundError(f"no file {path!r}") from exc
    if folded in forbidden_for(ctx, video, cap):
        raise Forbidden(f"{path!r} belongs to a rendition above your plan's {cap}p limit")
    return StreamTarget(key, cacheable=not folded.endswith(MANIFEST_SUFFIXES))


def check_session(ctx: AppContext, session: Session, *, grant: PlaybackGrant, video: Video) -> int:
    """On a manifest request: the session behind the token still exists and may still
    watch this title; returns the height its plan allows now."""
    if grant.session_id is None:
        raise Forbidden("this playback token names no session; request a new playback URL")
    state = session_state(ctx, session, session_id=grant.session_id)
    if state is None:
        raise Unauthorized("the session that started this playback has ended; sign in again")
    title = video.title
    if not title.published and not state.is_admin:
        raise Forbidden("this title is no longer available")
    if title.maturity.level > state.max_maturity.level:
        raise Forbidden("this title is above the current profile's maturity limit")
    return state.max_height


def forbidden_for(ctx: AppContext, video: Video, max_height: int) -> frozenset[str]:
    """Output paths (case-folded) reachable only through rungs above ``max_height``."""
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
    denied = frozenset(
        f.casefold() for f in manifests.forbidden_files(master_path, master, media, max_height)
    )
    if len(ctx.forbidden_cache) > 10_000:
        ctx.forbidden_cache.clear()
    ctx.forbidden_cache[cache_key] = denied
    return denied
