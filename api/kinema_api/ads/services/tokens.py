"""Signed ad tokens (pure: no I/O, no clock unless one is passed in).

One token per ad decision authorizes its creative's media (``/ads/media/<token>/...``,
HLS relative URLs inherit it as the stream token does) and its tracking pixels
(``/ads/track/<token>/<event>``). It is ``<payload>.<signature>`` as playback tokens
are (:mod:`kinema_api.viewing.services.signing`), under a key of its own, so an ad
token never opens a title and a playback token never opens an ad.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from kinema_api.keys import derive_key

MAX_TOKEN = 512


class InvalidAdToken(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True, slots=True)
class AdGrant:
    decision_id: uuid.UUID  # one per decision: the VAST's AdServingId
    creative_id: uuid.UUID
    ad_video_id: uuid.UUID
    generation: int  # the ad video's: a re-transcode ends the token
    content_video_id: uuid.UUID  # the title video the ad runs before
    profile_id: uuid.UUID
    max_height: int
    expires_at: int  # unix seconds
    # Which break of the title: None for the pre-roll, else the mid-roll's chapter start.
    break_s: float | None = None


def ad_key(playback_key: bytes) -> bytes:
    """The ads' own key, derived from the playback key (itself from the secret)."""
    return derive_key(playback_key.hex(), "ads")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(grant: AdGrant, key: bytes) -> str:
    payload = json.dumps(
        {
            "d": grant.decision_id.hex,
            "c": grant.creative_id.hex,
            "v": grant.ad_video_id.hex,
            "g": grant.generation,
            "t": grant.content_video_id.hex,
            "p": grant.profile_id.hex,
            "h": grant.max_height,
            "e": grant.expires_at,
            "b": grant.break_s,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    body = _b64(payload)
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def verify(token: str, key: bytes, *, now: float | None = None) -> AdGrant:
    body, sep, mac = token.partition(".")
    if not sep or not body or not mac or len(token) > MAX_TOKEN or not token.isascii():
        raise InvalidAdToken("malformed ad token")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise InvalidAdToken("ad token signature does not match")
    try:
        data = json.loads(_unb64(body))
        grant = AdGrant(
            decision_id=uuid.UUID(hex=str(data["d"])),
            creative_id=uuid.UUID(hex=str(data["c"])),
            ad_video_id=uuid.UUID(hex=str(data["v"])),
            generation=int(data["g"]),
            content_video_id=uuid.UUID(hex=str(data["t"])),
            profile_id=uuid.UUID(hex=str(data["p"])),
            max_height=int(data["h"]),
            expires_at=int(data["e"]),
            break_s=None if data.get("b") is None else float(data["b"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidAdToken("malformed ad token payload") from exc
    if grant.expires_at < (time.time() if now is None else now):
        raise InvalidAdToken("ad token expired")
    return grant
