"""Player analytics events: recorded as they come, in one short write transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.services import viewing
from kinema_api.accounts.services.auth import Viewer
from kinema_api.viewing.schemas import PlaybackEventCreate


def record(
    session: Session, *, viewer: Viewer, video_id: uuid.UUID, event: PlaybackEventCreate
) -> None:
    viewing.record_playback_event(
        session,
        video_id=video_id,
        profile_id=viewer.profile.id,
        kind=event.kind.value,
        position_s=event.position_s,
        bitrate=event.bitrate,
        payload=dict(event.payload) if event.payload is not None else None,
    )
    session.commit()
