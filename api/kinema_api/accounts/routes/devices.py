"""Devices signed in to this account: list, rename, stop playback on, sign out.

A device is one login session. Every route here is the account holder's: a kids profile
gets 403 ``kids_profile``, another account's device 404.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from kinema_api.accounts.schemas import DevicePublic, DeviceUpdate
from kinema_api.accounts.services import devices as device_service
from kinema_api.common import ERRORS
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit

router = APIRouter(prefix="/devices", tags=["devices"], responses=ERRORS)


@router.get("", summary="Devices signed in to this account, and what each is streaming")
def list_devices(viewer: CurrentViewer, session: ReadSessionDep) -> list[DevicePublic]:
    return device_service.list_devices(session, viewer=viewer)


@router.patch("/{device_id}", summary="Rename a device", dependencies=[WriteRateLimit])
def rename_device(
    device_id: uuid.UUID, body: DeviceUpdate, viewer: CurrentViewer, session: SessionDep
) -> DevicePublic:
    return device_service.rename(session, viewer=viewer, device_id=device_id, name=body.name)


@router.post(
    "/{device_id}/stop-playback",
    summary="End a device's stream, freeing its slot",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def stop_playback(device_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> None:
    """The device's next renewal is refused (429 when another device took the slot);
    the stream token it already holds plays until it expires (a few minutes at most)."""
    device_service.stop_playback(session, viewer=viewer, device_id=device_id)


@router.delete(
    "/{device_id}",
    summary="Sign a device out",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def sign_out(
    device_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> None:
    """Its next request answers 401, its stream ends, and its player's next manifest
    request is refused (within seconds)."""
    device_service.sign_out(ctx, session, viewer=viewer, device_id=device_id)
