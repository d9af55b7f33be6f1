"""Media for a download grant: signed URLs that live as long as the grant, checked
against the grant's row on every request.

A download token is signed like a playback token but under a key of its own (derived
from the playback key), and says so (``"k": "download"``): neither kind opens the other's
door. Unlike a playback token, which lives minutes and is checked against the database
only on manifest requests, a download token lives as long as its grant (days), so every
request, segments included, re-reads the grant: a revoked or expired grant stops a
download in progress at its next segment. Manifest requests also re-check the account's
plan (downloads still allowed, its height cap) and the title's visibility.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kinema.catalog.models import DownloadGrant, Profile, Video, utcnow
from kinema.catalog.services import accounts
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, Gone, NotFoundError
from kinema_api.viewing.services.playback import StreamTarget, resolve_file
from kinema_api.viewing.services.signing import InvalidToken, sign_payload, verify_payload

OFFLINE_PREFIX = "/api/v1/offline"
KIND = "download"


def download_key(ctx: AppContext) -> bytes:
    return hmac.new(ctx.playback_key, b"kinema:download", hashlib.sha256).digest()


@dataclass(frozen=True, slots=True)
class DownloadToken:
    grant_id: uuid.UUID
    video_id: uuid.UUID
    height: int
    generation: int
    expires_at: int  # unix seconds


def sign(ctx: AppContext, token: DownloadToken) -> str:
    return sign_payload(
        {
            "k": KIND,
            "d": token.grant_id.hex,
            "v": token.video_id.hex,
            "h": token.height,
            "g": token.generation,
            "e": token.expires_at,
        },
        download_key(ctx),
    )


def verify(ctx: AppContext, text: str, *, now: float | None = None) -> DownloadToken:
    try:
        data = verify_payload(text, download_key(ctx))
    except InvalidToken as exc:
        raise Forbidden(f"download {exc}") from exc
    try:
        if data.get("k") != KIND:
            raise ValueError("not a download token")
        token = DownloadToken(
            grant_id=uuid.UUID(hex=str(data["d"])),
            video_id=uuid.UUID(hex=str(data["v"])),
            height=int(str(data["h"])),
            generation=int(str(data["g"])),
            expires_at=int(str(data["e"])),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise Forbidden("malformed download token") from exc
    if token.expires_at < (time.time() if now is None else now):
        raise Forbidden("this download's grant expired; renew it or download again")
    return token


def media_root(ctx: AppContext, grant: DownloadGrant, video: Video) -> str:
    token = DownloadToken(
        grant_id=grant.id,
        video_id=video.id,
        height=grant.height,
        generation=video.generation,
        expires_at=int(grant.expires_at.timestamp()),
    )
    return f"{(ctx.settings.public_url or '').rstrip('/')}{OFFLINE_PREFIX}/{sign(ctx, token)}"


def resolve(ctx: AppContext, session: Session, *, token: str, path: str) -> StreamTarget:
    """Check a download's media request: the token, then its grant (not revoked, not
    expired, same video), the video (same generation), and on manifests the plan."""
    claims = verify(ctx, token)
    grant = session.get(DownloadGrant, claims.grant_id)
    if grant is None or grant.video_id != claims.video_id:
        raise NotFoundError("no such download")
    if grant.revoked_at is not None:
        raise Forbidden("this download was revoked")
    if grant.expires_at <= utcnow():
        raise Forbidden("this download's grant expired; renew it or download again")
    video = session.get(Video, claims.video_id)
    if video is None or not video.output_prefix:
        raise NotFoundError("no such video")
    if video.generation != claims.generation:
        raise Gone("this video was re-processed; download it again")

    def manifest_cap() -> int:
        allowed = accounts.account_plan(
            session, user_id=grant.user_id, grace=ctx.settings.billing_grace
        ).entitlements
        if not allowed.downloads:
            raise Forbidden(f"the {allowed.plan.name} plan does not include downloads")
        title = video.title
        if not title.published:
            raise Forbidden("this title is no longer available")
        profile = session.get(Profile, grant.profile_id)
        if profile is None or title.maturity.level > profile.max_maturity.level:
            raise Forbidden("this title is above the profile's maturity limit")
        return allowed.max_height

    return resolve_file(
        ctx, video, path=path, cap=claims.height, manifest_cap=manifest_cap, cdn=False
    )
