"""The caching edge's token checks (``auth_request`` subrequests; see docs/edge.md).

The edge asks before serving any stream file, cached or not: is this token good for
this path, and under which key may the answer be shared? The answer carries the video
and its output generation (segments are cached under those and the path, never the
token), for manifests the height they are filtered to and a tag naming the version of
the video's outputs (a republish changes it: the edge's key changes with it), and
``X-Accel-Expires``, how long nginx may reuse the answer for the token's other files in
the same folder. Refusals are 403, or 401 for a manifest whose login session ended;
nginx then lets the API itself answer the request, uncached, so the player sees the
same status and body (410 for a re-processed video, 404 for a private file) as without
the edge.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kinema.catalog.models import Video
from kinema.storage import normalize_key
from kinema.storage.errors import InvalidKey
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, Forbidden
from kinema_api.viewing.services.playback import (
    MANIFEST_SUFFIXES,
    PRIVATE_FOLDERS,
    PRIVATE_SUFFIXES,
    check_session,
    forbidden_for,
)
from kinema_api.viewing.services.signing import InvalidToken, verify

# How long the edge may reuse a refusal of the token itself (forged, expired, or for a
# re-processed video): none of those can become good again.
TOKEN_REFUSAL_TTL_S = 60
# The longest an allowed answer is reused (tokens expire sooner by default).
ALLOW_TTL_MAX_S = 3600


@dataclass(frozen=True, slots=True)
class EdgeAnswer:
    video: Video
    generation: int
    cap: int
    ttl_s: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Kinema-Video": self.video.id.hex,
            "X-Kinema-Generation": str(self.generation),
            "X-Kinema-Cap": str(self.cap),
            "X-Kinema-Tag": manifest_tag(self.video),
            "X-Accel-Expires": str(self.ttl_s),
        }


def manifest_tag(video: Video) -> str:
    """Names the version of a video's manifests: changes when it is republished (a new
    generation or a new ready time) or its subtitle tracks change."""
    parts = [
        video.output_prefix or "",
        str(video.generation),
        video.ready_at.isoformat() if video.ready_at else "",
        video.hls_path or "",
        video.dash_path or "",
        *sorted(f"{t.kind}:{t.language}:{t.path}" for t in video.tracks),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _refuse(detail: str, ttl_s: int, error: type[ApiError] = Forbidden) -> ApiError:
    return error(detail, headers={"X-Accel-Expires": str(ttl_s)})


def check(
    ctx: AppContext, session: Session, *, token: str, path: str, manifest: bool
) -> EdgeAnswer:
    """May the holder of ``token`` read ``path``? Raises 403 (or 401, for a manifest of
    an ended session) with ``X-Accel-Expires``; the same rules as the stream route."""
    try:
        grant = verify(token, ctx.playback_key)
    except InvalidToken as exc:
        raise _refuse(f"{exc}", TOKEN_REFUSAL_TTL_S) from exc
    video = session.get(Video, grant.video_id)
    if video is None or not video.output_prefix:
        raise _refuse("no such video", 0)
    if video.generation != grant.generation:
        raise _refuse("this video was re-processed", TOKEN_REFUSAL_TTL_S)
    try:
        folded = normalize_key(path).casefold()
    except InvalidKey as exc:
        raise _refuse(f"no file {path!r}", 0) from exc
    if folded.endswith(PRIVATE_SUFFIXES) or folded.startswith(PRIVATE_FOLDERS):
        raise _refuse(f"no file {path!r}", 0)
    # The edge routes by suffix (case-insensitive, as here): a manifest is never checked,
    # nor cached, as a segment.
    manifest = manifest or folded.endswith(MANIFEST_SUFFIXES)
    cap = grant.max_height
    if manifest:
        try:
            cap = min(cap, check_session(ctx, session, grant=grant, video=video))
        except ApiError as exc:
            exc.headers = {**(exc.headers or {}), "X-Accel-Expires": "0"}
            raise
    forbidden = forbidden_for(ctx, video, cap)
    if folded in forbidden:
        raise _refuse(f"{path!r} belongs to a rendition above your plan's {cap}p limit", 0)
    folder = posixpath.dirname(folded)
    mixed = any(posixpath.dirname(f) == folder for f in forbidden)
    left = grant.expires_at - int(time.time())
    ttl = 0 if manifest or mixed else max(0, min(left, ALLOW_TTL_MAX_S))
    return EdgeAnswer(video=video, generation=video.generation, cap=cap, ttl_s=ttl)
