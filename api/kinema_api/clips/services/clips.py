"""Clips: making one, reading one (signed in or out), listing one's own, deleting.

Rules, checked in this order before anything is written:

- kids profiles make no clips (403 ``kids_profile``), and open none above their
  maturity limit (403, as every title above it is refused);
- the video must be one the viewer may see (unpublished: 404; above the limit: 403),
  ready, and the range must lie within its duration (422 ``clip_out_of_range``);
- a profile makes at most ``clip_rate_limit_per_min`` clips a minute (429);
- a clip is deleted by the profile that made it, or by an admin (else 403
  ``not_author``), and its preview files go with it.

A clip grants nothing: the watch page plays it through ``/playback``, which checks the
viewer's plan, device limit and profile as for any title. Signed out, a clip shows its
card and preview, never a playback URL.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Clip, PreviewState, VideoStatus
from kinema.catalog.services import clips as clip_rows
from kinema.catalog.services import titles
from kinema_api.accounts.services.auth import KidsProfile, Viewer
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.catalog.services.views import episode_label
from kinema_api.clips.schemas import ClipCreate, ClipPreview, ClipPublic
from kinema_api.context import AppContext
from kinema_api.errors import InvalidResource
from kinema_api.social.services.access import limit_rate, require_author_or_admin

API = "/api/v1"
# A range may end this far past the stored duration (players round the last frame).
END_SLACK_S = 0.5


class ClipOutOfRange(InvalidResource):
    code = "clip_out_of_range"


class VideoNotReady(InvalidResource):
    code = "video_not_ready"


class ClipPreviewMissing(InvalidResource):
    status_code, code = 404, "preview_not_ready"


def preview_url(clip_id: uuid.UUID, name: str) -> str:
    return f"{API}/clips/{clip_id}/{name}"


def public(clip: Clip, *, viewer: Viewer | None) -> ClipPublic:
    ready = clip.preview_state is PreviewState.READY
    mine = viewer is not None and clip.profile_id == viewer.profile.id
    return ClipPublic(
        id=clip.id,
        url=f"/clip/{clip.id}",
        video_id=clip.video_id,
        title_id=clip.video.title_id,
        title=clip.video.title.name,
        episode=episode_label(clip.video),
        start_s=clip.start_s,
        end_s=clip.end_s,
        caption=clip.caption,
        created_at=clip.created_at,
        preview=ClipPreview(
            state=clip.preview_state,
            video_url=preview_url(clip.id, "preview.mp4") if ready else None,
            still_url=preview_url(clip.id, "still.jpg") if ready else None,
        ),
        mine=mine,
        can_delete=mine or (viewer is not None and viewer.is_admin),
        playable=viewer is not None,
    )


def create(ctx: AppContext, session: Session, *, viewer: Viewer, body: ClipCreate) -> ClipPublic:
    if viewer.profile.is_kids:
        raise KidsProfile("kids profiles cannot make clips")
    video = titles.get_video(session, video_id=body.video_id)
    check_visible(viewer, video.title)
    if video.status is not VideoStatus.READY or not video.output_prefix:
        raise VideoNotReady(f"video {video.id} is not ready to clip")
    duration = video.duration_s or 0.0
    if body.end_s > duration + END_SLACK_S:
        raise ClipOutOfRange(
            f"the clip ends at {body.end_s:.1f} s, after the video ({duration:.1f} s)"
        )
    limit_rate(
        ctx,
        key=f"rl:clip:{viewer.profile.id.hex}",
        per_minute=ctx.settings.clip_rate_limit_per_min,
        what="clips",
    )
    clip = clip_rows.add_clip(
        session,
        user_id=viewer.user.id,
        profile_id=viewer.profile.id,
        video_id=video.id,
        start_s=body.start_s,
        end_s=min(body.end_s, duration) if duration else body.end_s,
        caption=body.caption,
    )
    session.commit()
    ctx.clips_queued.set()
    return public(clip, viewer=viewer)


def visible_clip(session: Session, *, viewer: Viewer | None, clip_id: uuid.UUID) -> Clip:
    """The clip, when its title is one ``viewer`` (or anyone, signed out) may see."""
    clip = clip_rows.get_clip(session, clip_id=clip_id)
    check_visible(viewer, clip.video.title)
    return clip


def get(session: Session, *, viewer: Viewer | None, clip_id: uuid.UUID) -> ClipPublic:
    return public(visible_clip(session, viewer=viewer, clip_id=clip_id), viewer=viewer)


def mine(session: Session, *, viewer: Viewer) -> list[ClipPublic]:
    rows = clip_rows.clips_of(session, profile_id=viewer.profile.id)
    return [public(row, viewer=viewer) for row in rows]


def delete(ctx: AppContext, session: Session, *, viewer: Viewer, clip_id: uuid.UUID) -> None:
    clip = clip_rows.get_clip(session, clip_id=clip_id)
    require_author_or_admin(viewer, clip.profile_id, what="clip")
    prefix = clip.preview_prefix
    clip_rows.delete_clip(session, clip=clip)
    session.commit()
    ctx.store.delete_prefix(prefix)


def preview_key(session: Session, *, viewer: Viewer | None, clip_id: uuid.UUID, name: str) -> str:
    """The store key of a ready preview file (``preview.mp4`` or ``still.jpg``)."""
    clip = visible_clip(session, viewer=viewer, clip_id=clip_id)
    if clip.preview_state is not PreviewState.READY:
        raise ClipPreviewMissing(f"clip {clip_id} has no preview yet ({clip.preview_state})")
    return f"{clip.preview_prefix}/{name}"
