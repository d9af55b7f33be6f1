"""The ad decision: whether a viewer gets an ad at a break of a video, and which.

A break is the pre-roll or a mid-roll at one of the video's chapter starts
(:func:`kinema.catalog.services.ads.midroll_points`, the list the playback response
gives the player); any other point is refused (422 ``not_a_break_point``).

Only entitlements decide (:attr:`Entitlements.ads`): a viewer without ads gets None
(the route answers 204) before anything else is read. Otherwise one active creative is
drawn by weight among those with a rendition the viewer's plan may stream, and the VAST
names it with URLs signed for this decision (:mod:`kinema_api.ads.services.tokens`).
"""

from __future__ import annotations

import math
import random
import time
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from kinema.catalog.models import AdCreative, utcnow
from kinema.catalog.services import ads, titles
from kinema_api.accounts.services.auth import Viewer
from kinema_api.ads.schemas import AdEvent
from kinema_api.ads.services import tokens, vast
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, NotFoundError
from kinema_api.viewing.services.playback import midrolls

ADS_PREFIX = "/api/v1/ads"
# Pixels fired by the player: every tracking event except the impression.
LINEAR_EVENTS = tuple(e for e in AdEvent if e is not AdEvent.IMPRESSION)
_draw = random.SystemRandom()
# A mid-roll point matches the playback response's to the millisecond.
POINT_TOLERANCE_S = 0.001


class NotABreakPoint(ApiError):
    status_code, code = 422, "not_a_break_point"


def ads_root(ctx: AppContext) -> str:
    """Like playback URLs: the configured public URL, else relative to the API's origin
    (never the request's Host header)."""
    return f"{(ctx.settings.public_url or '').rstrip('/')}{ADS_PREFIX}"


def _fits(creative: AdCreative, cap: int) -> bool:
    renditions = creative.video.renditions
    return not renditions or any(r.height <= cap for r in renditions)


def decide(
    ctx: AppContext,
    session: Session,
    *,
    viewer: Viewer,
    video_id: uuid.UUID,
    break_s: float | None = None,
    now: datetime | None = None,
    rand: float | None = None,
) -> str | None:
    """The VAST document for the pre-roll before ``video_id`` (``break_s`` None) or
    its mid-roll at ``break_s``, the empty VAST when no creative is active, or None
    when this viewer's plan has no ads."""
    if not viewer.entitlements.ads:
        return None
    content = titles.get_video(session, video_id=video_id)
    check_visible(viewer, content.title)
    if ads.is_ad_video(session, video_id=content.id):
        raise NotFoundError(f"no video {video_id}")
    if break_s is not None:
        points = midrolls(ctx, content)
        matched = [p for p in points if abs(p - break_s) <= POINT_TOLERANCE_S]
        if not matched:
            raise NotABreakPoint(
                f"{break_s:g} s is not a mid-roll point of video {video_id} "
                f"(its points: {', '.join(f'{p:g}' for p in points) or 'none'})"
            )
        break_s = matched[0]
    cap = viewer.entitlements.max_height
    now = now or utcnow()
    candidates = [c for c in ads.active(session, now=now) if _fits(c, cap)]
    creative = ads.pick(
        [(c, c.weight) for c in candidates], rand=_draw.random() if rand is None else rand
    )
    if creative is None:
        return vast.empty()
    return vast.inline(
        _linear(ctx, creative, viewer=viewer, content_id=content.id, cap=cap, break_s=break_s)
    )


def _linear(
    ctx: AppContext,
    creative: AdCreative,
    *,
    viewer: Viewer,
    content_id: uuid.UUID,
    cap: int,
    break_s: float | None,
) -> vast.LinearAd:
    video = creative.video
    length = video.duration_s or 0.0
    decision_id = uuid.uuid4()
    # Long enough for the whole ad to play (and its complete pixel to fire) after a
    # slow start; short enough that a VAST found later opens nothing.
    expires = int(time.time()) + ctx.settings.playback_url_ttl_s + math.ceil(length)
    grant = tokens.AdGrant(
        decision_id=decision_id,
        creative_id=creative.id,
        ad_video_id=video.id,
        generation=video.generation,
        content_video_id=content_id,
        profile_id=viewer.profile.id,
        max_height=cap,
        expires_at=expires,
        break_s=break_s,
    )
    token = tokens.sign(grant, tokens.ad_key(ctx.playback_key))
    root = ads_root(ctx)
    fitting = [r for r in video.renditions if r.height <= cap]
    top = max(fitting, key=lambda r: r.height) if fitting else None
    media = vast.MediaFile(
        url=f"{root}/media/{token}/{video.hls_path}",
        width=top.width if top else 0,
        height=top.height if top else 0,
        bitrate_kbps=top.bitrate // 1000 if top and top.bitrate else None,
    )
    return vast.LinearAd(
        ad_id=creative.id.hex,
        serving_id=decision_id.hex,
        title=video.title.name,
        duration_s=length,
        impression_url=f"{root}/track/{token}/{AdEvent.IMPRESSION.value}",
        tracking={e.value: f"{root}/track/{token}/{e.value}" for e in LINEAR_EVENTS},
        media=(media,),
    )
