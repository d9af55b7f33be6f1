"""Download grants: what a Download button offers, granting, listing, the online check,
offline play reports and revocation. See docs/downloads.md."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from kinema_api.common import ERRORS, ErrorPublic
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.downloads.schemas import (
    DownloadCheck,
    DownloadCreate,
    DownloadOptions,
    DownloadPublic,
    OfflinePlay,
    Revoked,
)
from kinema_api.downloads.services import grants

router = APIRouter(prefix="/downloads", tags=["downloads"], responses=ERRORS)

_CREATE: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorPublic,
        "description": "`downloads_not_in_plan`: the plan has no downloads; or the title, "
        "the profile (`profile_over_plan`) or the plan's height refuses it",
    },
    409: {
        "model": ErrorPublic,
        "description": "`download_limit`: the account holds the most downloads it may",
    },
}


@router.get("/options/{video_id}", summary="What a Download button offers for a video")
def download_options(
    video_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep
) -> DownloadOptions:
    return grants.options(ctx, session, viewer=viewer, video_id=video_id)


@router.post(
    "",
    summary="A grant to store a video on this device",
    status_code=status.HTTP_201_CREATED,
    responses=_CREATE,
    dependencies=[WriteRateLimit],
)
def create_download(
    body: DownloadCreate, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> DownloadPublic:
    """The answer's ``hls_url``/``dash_url`` are signed for the grant's lifetime and
    serve manifests filtered to its ``height``."""
    return grants.create(ctx, session, viewer=viewer, video_id=body.video_id, quality=body.quality)


@router.get("", summary="Active downloads: this device's, or the whole account's")
def list_downloads(
    viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep, account: bool = False
) -> list[DownloadPublic]:
    """``account=true`` (account holder only) lists every device's, for the Devices page."""
    return grants.list_grants(ctx, session, viewer=viewer, account=account)


@router.post(
    "/{grant_id}/renew",
    summary="Online check: renew a download, or learn why it must be deleted",
    dependencies=[WriteRateLimit],
)
def renew_download(
    grant_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> DownloadCheck:
    return grants.check(ctx, session, viewer=viewer, grant_id=grant_id)


@router.post(
    "/{grant_id}/offline-play",
    summary="Report a download's first offline play",
    dependencies=[WriteRateLimit],
)
def report_offline_play(
    grant_id: uuid.UUID,
    body: OfflinePlay,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> DownloadPublic:
    return grants.offline_play(
        ctx, session, viewer=viewer, grant_id=grant_id, played_at=body.played_at
    )


@router.delete(
    "/{grant_id}",
    summary="Revoke a download",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def revoke_download(grant_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> None:
    """This device's own, or (account holder) another device's: that device deletes its
    copy at its next online check, and its media URLs stop answering now."""
    grants.revoke(session, viewer=viewer, grant_id=grant_id)


@router.delete(
    "/devices/{device_id}",
    summary="Revoke every download of one of the account's devices",
    dependencies=[WriteRateLimit],
)
def revoke_device_downloads(
    device_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep
) -> Revoked:
    """``device_id`` is the Devices API's id. Account holder only."""
    return Revoked(revoked=grants.revoke_device(session, viewer=viewer, device_id=device_id))
