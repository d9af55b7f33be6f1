"""Signed playback tokens (pure: no I/O, no clock unless one is passed in).

A token authorizes one login session to stream one video up to a rendition height until
an expiry: ``<payload>.<signature>``, both base64url, the signature an HMAC-SHA256 of the
payload under a key derived (``kinema_api.keys``) from the signing secret
(``KINEMA_SECRET_KEY``, or the one ``kinema up`` keeps in its data directory). Playback
URLs carry the token as a path segment (``/api/v1/stream/<token>/master.m3u8``) so every
relative URL inside HLS playlists and DASH manifests inherits it and every segment
request is checked.

Tokens live minutes, not hours: the player renews them while it plays. The session id
inside lets manifest requests check that the session still exists (see
``services/playback.py``), so logging out ends playback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True, slots=True)
class PlaybackGrant:
    video_id: uuid.UUID
    max_height: int
    expires_at: int  # unix seconds
    generation: int = 1
    # The login session (``AuthSession.id``) the token was issued to.
    session_id: uuid.UUID | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_payload(data: dict[str, object], key: bytes) -> str:
    """``<payload>.<signature>`` for any JSON object (download grants use it too, under
    a key of their own)."""
    payload = json.dumps(
        # A nonce: unique per issue, so a renewal within the same second is a new token.
        {**data, "n": secrets.token_hex(4)},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    body = _b64(payload)
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def verify_payload(token: str, key: bytes) -> dict[str, object]:
    """The JSON object a token signed under ``key`` carries (no expiry check)."""
    body, sep, mac = token.partition(".")
    if not sep or not body or not mac or len(token) > 512 or not token.isascii():
        raise InvalidToken("malformed token")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise InvalidToken("token signature does not match")
    try:
        data = json.loads(_unb64(body))
    except ValueError as exc:
        raise InvalidToken("malformed token payload") from exc
    if not isinstance(data, dict):
        raise InvalidToken("malformed token payload")
    return data


def sign(grant: PlaybackGrant, key: bytes) -> str:
    return sign_payload(
        {
            "v": grant.video_id.hex,
            "h": grant.max_height,
            "e": grant.expires_at,
            "g": grant.generation,
            "s": grant.session_id.hex if grant.session_id else None,
        },
        key,
    )


def verify(token: str, key: bytes, *, now: float | None = None) -> PlaybackGrant:
    try:
        data = verify_payload(token, key)
    except InvalidToken as exc:
        raise InvalidToken(f"{exc}".replace("token", "playback token", 1)) from exc
    try:
        grant = PlaybackGrant(
            video_id=uuid.UUID(hex=str(data["v"])),
            max_height=int(str(data["h"])),
            expires_at=int(str(data["e"])),
            generation=int(str(data.get("g", 1))),
            session_id=uuid.UUID(hex=str(data["s"])) if data.get("s") else None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken("malformed playback token payload") from exc
    if grant.expires_at < (time.time() if now is None else now):
        raise InvalidToken("playback token expired; request a new playback URL")
    return grant
