"""Download grants: offered, granted, listed, renewed at online checks, shortened by
offline play, revoked.

Every write is checked here, on the server: the account's plan must allow downloads
(403 ``downloads_not_in_plan``), the profile must be selectable and may see the title,
the account holds at most its plan's ``download_limit`` active grants across its devices
(409 ``download_limit``), and the height never exceeds the plan's cap. A grant belongs to one
device (the client's ``device_id``) and one profile: only that device and profile renew
it or report its offline play. Revoking another device's grant, or all of a device's
from the Devices page, is the account holder's (403 ``kids_profile`` otherwise).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import AuthSession, DownloadGrant, TrackKind, Video, utcnow
from kinema.catalog.services import titles
from kinema.catalog.services.accounts import lock_account
from kinema.downloads import (
    Quality,
    Reason,
    Rung,
    Verdict,
    after_offline_play,
    decide,
    estimated_bytes,
    first_expiry,
    height_for,
    renewed_expiry,
)
from kinema_api.accounts.services.auth import Viewer
from kinema_api.accounts.services.user_agents import device_name
from kinema_api.catalog.services.viewer import check_visible
from kinema_api.catalog.services.views import playable
from kinema_api.context import AppContext
from kinema_api.downloads.schemas import (
    DownloadCheck,
    DownloadOption,
    DownloadOptions,
    DownloadPublic,
)
from kinema_api.downloads.services import media
from kinema_api.errors import ApiError, ConflictError, Forbidden, NotFoundError
from kinema_api.viewing.schemas import SubtitlePublic
from kinema_api.viewing.services.streams import video_label

MESSAGES = {
    Reason.REVOKED: "This download was removed from the account's devices.",
    Reason.PLAN: "The account's plan no longer includes downloads.",
    Reason.EXPIRED: "This download expired.",
    Reason.UNAVAILABLE: "This title is no longer available.",
}


class DownloadsNotInPlan(Forbidden):
    code = "downloads_not_in_plan"


class DownloadLimit(ConflictError):
    code = "download_limit"


def device_key(viewer: Viewer) -> str:
    """The device a grant belongs to: the client's stable id, else its login session."""
    return viewer.session.device_id or f"session:{viewer.session.id.hex}"


def _rungs(video: Video) -> list[Rung]:
    return [Rung(r.height, r.bitrate) for r in video.renditions]


def _require_plan(viewer: Viewer) -> None:
    allowed = viewer.entitlements
    if not allowed.downloads:
        raise DownloadsNotInPlan(
            f"the {allowed.plan.name} plan does not include downloads; change plan to "
            "download titles"
        )


def _active(now: datetime) -> list[object]:
    return [DownloadGrant.revoked_at.is_(None), DownloadGrant.expires_at > now]


def used(session: Session, *, user_id: uuid.UUID, now: datetime | None = None) -> int:
    now = now or utcnow()
    return int(
        session.scalar(
            select(func.count())
            .select_from(DownloadGrant)
            .where(DownloadGrant.user_id == user_id, *_active(now))  # type: ignore[arg-type]
        )
        or 0
    )


def _video(session: Session, *, viewer: Viewer, video_id: uuid.UUID) -> Video:
    video = titles.get_video(session, video_id=video_id)
    check_visible(viewer, video.title)
    if not playable(video):
        raise Forbidden(f"video {video.id} is not ready to play (status: {video.status})")
    return video


def options(
    ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID
) -> DownloadOptions:
    """What a Download button offers for ``video_id``: each quality within the plan (one
    entry when Standard and High are the same height) with its size."""
    video = _video(session, viewer=viewer, video_id=video_id)
    allowed = viewer.entitlements
    offered: list[DownloadOption] = []
    if allowed.downloads:
        for quality in (Quality.STANDARD, Quality.HIGH):
            height = height_for(quality, _rungs(video), cap=allowed.max_height)
            if height is None or any(o.height == height for o in offered):
                continue
            size = estimated_bytes(_rungs(video), height=height, duration_s=video.duration_s)
            offered.append(DownloadOption(quality=quality, height=height, estimated_bytes=size))
    return DownloadOptions(
        video_id=video.id,
        title=video_label(video),
        allowed=allowed.downloads,
        options=offered,
        limit=allowed.download_limit,
        used=used(session, user_id=viewer.user.id),
    )


def public(
    ctx: AppContext, grant: DownloadGrant, *, viewer: Viewer, with_urls: bool = False
) -> DownloadPublic:
    video = grant.video
    mine = grant.device == device_key(viewer)
    hls = dash = None
    subtitles: list[SubtitlePublic] = []
    if with_urls and mine and grant.revoked_at is None and grant.expires_at > utcnow():
        root = media.media_root(ctx, grant, video)
        hls = f"{root}/{video.hls_path}" if video.hls_path else None
        dash = f"{root}/{video.dash_path}" if video.dash_path else None
        subtitles = [
            SubtitlePublic(language=t.language, label=t.label or t.language, url=f"{root}/{t.path}")
            for t in video.tracks
            if t.kind is TrackKind.SUBTITLE and t.path
        ]
    session_row = grant.session
    return DownloadPublic(
        id=grant.id,
        video_id=video.id,
        title_id=video.title_id,
        title=video_label(video),
        height=grant.height,
        estimated_bytes=estimated_bytes(
            _rungs(video), height=grant.height, duration_s=video.duration_s
        ),
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        first_offline_play_at=grant.first_offline_play_at,
        revoked_at=grant.revoked_at,
        current_device=mine,
        device_name=(session_row.device_name or device_name(session_row.user_agent))
        if session_row is not None
        else None,
        hls_url=hls,
        dash_url=dash,
        subtitles=subtitles,
    )


def create(
    ctx: AppContext, session: Session, *, viewer: Viewer, video_id: uuid.UUID, quality: Quality
) -> DownloadPublic:
    """A grant for this device to store ``video_id`` at ``quality``. Downloading a title
    this device already holds replaces its grant (it does not count twice)."""
    _require_plan(viewer)
    viewer.require_selectable_profile()
    video = _video(session, viewer=viewer, video_id=video_id)
    cap = viewer.entitlements.max_height
    height = height_for(quality, _rungs(video), cap=cap)
    if height is None:
        raise Forbidden(f"no rendition of this video fits the plan's {cap}p limit")
    now = utcnow()
    device = device_key(viewer)
    # The account's other devices wait here: the count below and the insert are one step.
    lock_account(session, user_id=viewer.user.id)
    session.execute(
        update(DownloadGrant)
        .where(
            DownloadGrant.user_id == viewer.user.id,
            DownloadGrant.device == device,
            DownloadGrant.video_id == video.id,
            DownloadGrant.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    limit = viewer.entitlements.download_limit
    if used(session, user_id=viewer.user.id, now=now) >= limit:
        session.rollback()
        raise DownloadLimit(
            f"the {viewer.entitlements.plan.name} plan holds {limit} downloads at once across "
            "the account's devices; delete one (here or from the Devices page) to download "
            "another"
        )
    grant = DownloadGrant(
        user_id=viewer.user.id,
        profile_id=viewer.profile.id,
        device=device,
        session_id=viewer.session.id,
        video_id=video.id,
        height=height,
        created_at=now,
        renewed_at=now,
        expires_at=first_expiry(now, ttl=timedelta(days=ctx.settings.download_ttl_days)),
    )
    session.add(grant)
    session.commit()
    return public(ctx, grant, viewer=viewer, with_urls=True)


def list_grants(
    ctx: AppContext, session: Session, *, viewer: Viewer, account: bool = False
) -> list[DownloadPublic]:
    """This device's active grants for this profile, or (``account``, the account
    holder's view) every active grant of the account, newest first."""
    query = (
        select(DownloadGrant)
        .where(DownloadGrant.user_id == viewer.user.id, *_active(utcnow()))  # type: ignore[arg-type]
        .order_by(DownloadGrant.created_at.desc())
    )
    if account:
        viewer.require_account_holder()
    else:
        query = query.where(
            DownloadGrant.device == device_key(viewer),
            DownloadGrant.profile_id == viewer.profile.id,
        )
    return [
        public(ctx, grant, viewer=viewer, with_urls=not account) for grant in session.scalars(query)
    ]


def _mine(session: Session, *, viewer: Viewer, grant_id: uuid.UUID) -> DownloadGrant:
    """A grant of this device and profile; any other is not found from here."""
    grant = session.get(DownloadGrant, grant_id)
    if (
        grant is None
        or grant.user_id != viewer.user.id
        or grant.device != device_key(viewer)
        or grant.profile_id != viewer.profile.id
    ):
        raise NotFoundError(f"no download {grant_id} on this device")
    return grant


def _available(viewer: Viewer, grant: DownloadGrant) -> bool:
    try:
        check_visible(viewer, grant.video.title)
    except (ApiError, NotFound):
        return False
    return playable(grant.video) and grant.height <= viewer.entitlements.max_height


def check(
    ctx: AppContext, session: Session, *, viewer: Viewer, grant_id: uuid.UUID
) -> DownloadCheck:
    """The online check: renew the grant, or tell the device to delete its copy and why.
    A grant the plan no longer allows is revoked here too."""
    grant = _mine(session, viewer=viewer, grant_id=grant_id)
    now = utcnow()
    verdict, reason = decide(
        now=now,
        revoked=grant.revoked_at is not None,
        plan_allows=viewer.entitlements.downloads,
        expires_at=grant.expires_at,
        available=_available(viewer, grant),
    )
    if verdict is Verdict.KEEP:
        grant.expires_at = renewed_expiry(
            now,
            ttl=timedelta(days=ctx.settings.download_ttl_days),
            first_play=grant.first_offline_play_at,
            play_window=timedelta(hours=ctx.settings.download_play_window_h),
        )
        grant.renewed_at = now
    elif grant.revoked_at is None:
        grant.revoked_at = now
    session.commit()
    return DownloadCheck(
        verdict=verdict,
        reason=reason,
        message=MESSAGES[reason] if reason else None,
        download=public(ctx, grant, viewer=viewer, with_urls=verdict is Verdict.KEEP),
    )


def offline_play(
    ctx: AppContext, session: Session, *, viewer: Viewer, grant_id: uuid.UUID, played_at: datetime
) -> DownloadPublic:
    """Record the first offline play (reported when the device is next online): the
    grant then ends ``download_play_window_h`` after it. A later report changes nothing;
    a time in the future or before the grant counts as now or as its start."""
    grant = _mine(session, viewer=viewer, grant_id=grant_id)
    if grant.first_offline_play_at is None:
        played = min(max(played_at, grant.created_at), utcnow())
        grant.first_offline_play_at = played
        grant.expires_at = after_offline_play(
            grant.expires_at,
            played_at=played,
            play_window=timedelta(hours=ctx.settings.download_play_window_h),
        )
        session.commit()
    return public(ctx, grant, viewer=viewer)


def revoke(session: Session, *, viewer: Viewer, grant_id: uuid.UUID) -> None:
    """Revoke one grant: this device's own (any profile may delete what it stored), or
    another device's (the account holder)."""
    grant = session.get(DownloadGrant, grant_id)
    if grant is None or grant.user_id != viewer.user.id:
        raise NotFoundError(f"no download {grant_id} in this account")
    if grant.device != device_key(viewer) or grant.profile_id != viewer.profile.id:
        viewer.require_account_holder()
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        session.commit()


def revoke_device(session: Session, *, viewer: Viewer, device_id: uuid.UUID) -> int:
    """Revoke every download of one of the account's devices (``device_id`` is the
    Devices page's id: a login session, signed in or not). Returns how many."""
    viewer.require_account_holder()
    row = session.get(AuthSession, device_id)
    if row is None or row.user_id != viewer.user.id:
        raise NotFoundError(f"no device {device_id} in this account")
    device = row.device_id or f"session:{row.id.hex}"
    now = utcnow()
    result = session.execute(
        update(DownloadGrant)
        .where(
            DownloadGrant.user_id == viewer.user.id,
            DownloadGrant.device == device,
            DownloadGrant.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
