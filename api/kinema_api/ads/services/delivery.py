"""What an ad token opens: the creative's media files and its tracking pixels.

Media: the master playlist filtered to the height the decision allowed, the files of
the renditions within it, never the private files (reports, chunks) nor any other
video's. Tracking: each event of a decision is recorded once, as a player analytics
event on the creative's video (``ad_impression``, ``ad_first_quartile``, ...,
``ad_complete``) that names the creative, the decision, the title video and the break
(``preroll``, or ``midroll`` with its ``break_s``).
"""

from __future__ import annotations

import contextlib

from sqlalchemy.orm import Session

from kinema.catalog.models import Profile, Video
from kinema.catalog.services import viewing
from kinema.storage import ObjectNotFound, join_key, normalize_key
from kinema.storage.errors import InvalidKey
from kinema_api.ads.schemas import AdEvent
from kinema_api.ads.services import tokens
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, Gone, NotFoundError
from kinema_api.viewing.services import manifests
from kinema_api.viewing.services.playback import (
    MANIFEST_SUFFIXES,
    PRIVATE_FOLDERS,
    PRIVATE_SUFFIXES,
    StreamTarget,
    forbidden_for,
)

# A decision's events are counted once within this window (longer than any token).
DEDUP_WINDOW_S = 24 * 3600


def _grant(ctx: AppContext, token: str) -> tokens.AdGrant:
    try:
        return tokens.verify(token, tokens.ad_key(ctx.playback_key))
    except tokens.InvalidAdToken as exc:
        raise Forbidden(str(exc)) from exc


def resolve_media(ctx: AppContext, session: Session, *, token: str, path: str) -> StreamTarget:
    grant = _grant(ctx, token)
    video = session.get(Video, grant.ad_video_id)
    if video is None or not video.output_prefix:
        raise NotFoundError("no such ad")
    if video.generation != grant.generation:
        raise Gone("this ad was re-processed; ask for a new ad decision")
    try:
        rel = normalize_key(path)
    except InvalidKey as exc:
        raise NotFoundError(f"no file {path!r}") from exc
    folded = rel.casefold()
    if folded.endswith(PRIVATE_SUFFIXES) or folded.startswith(PRIVATE_FOLDERS):
        raise NotFoundError(f"no file {path!r}")
    key = join_key(video.output_prefix, rel)
    if folded == (video.hls_path or "").casefold():
        try:
            master = ctx.store.get_bytes(key).decode()
        except ObjectNotFound as exc:
            raise NotFoundError(f"no file {path!r}") from exc
        text = manifests.filter_master(master, grant.max_height)
        return StreamTarget(key, text, "application/vnd.apple.mpegurl", cacheable=False)
    if folded in forbidden_for(ctx, video, grant.max_height):
        raise Forbidden(f"{path!r} is above the height this ad was granted")
    return StreamTarget(key, cacheable=not folded.endswith(MANIFEST_SUFFIXES))


def track(ctx: AppContext, session: Session, *, token: str, event: AdEvent) -> bool:
    """Record ``event`` of the decision behind ``token``; False when it was already
    recorded (a pixel fired twice) or its profile is gone."""
    grant = _grant(ctx, token)
    with contextlib.suppress(CacheUnavailable):
        key = f"ad-event:{grant.decision_id.hex}:{event.value}"
        if ctx.cache.hit(key, window_s=DEDUP_WINDOW_S) > 1:
            return False
    if session.get(Profile, grant.profile_id) is None:
        return False
    viewing.record_playback_event(
        session,
        video_id=grant.ad_video_id,
        profile_id=grant.profile_id,
        kind=event.kind,
        payload={
            "creative": grant.creative_id.hex,
            "decision": grant.decision_id.hex,
            "content_video": grant.content_video_id.hex,
            "break": "preroll" if grant.break_s is None else "midroll",
            "break_s": grant.break_s,
        },
    )
    session.commit()
    return True
