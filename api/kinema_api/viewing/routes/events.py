"""Player analytics events: one at a time, or a batch (what a player sends on pagehide).

Validation at the edge (unknown kinds, implausible values: 422; clock skew: refused per
event) and the writing are :mod:`kinema_api.viewing.services.events`'s.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header

from kinema.catalog.models import utcnow
from kinema_api.common import ERRORS
from kinema_api.deps import CurrentViewer, SessionDep, WriteRateLimit
from kinema_api.viewing.schemas import (
    PlaybackEventBatch,
    PlaybackEventCreate,
    PlaybackEventsAccepted,
)
from kinema_api.viewing.services import events as playback_events

router = APIRouter(tags=["playback"], responses=ERRORS)
UserAgent = Annotated[str | None, Header(max_length=1024)]


@router.post(
    "/playback/{video_id}/events",
    summary="Report a player analytics event",
    status_code=202,
    dependencies=[WriteRateLimit],
)
def playback_event(
    video_id: uuid.UUID,
    body: PlaybackEventCreate,
    viewer: CurrentViewer,
    session: SessionDep,
    user_agent: UserAgent = None,
) -> PlaybackEventsAccepted:
    return playback_events.record(
        session,
        viewer=viewer,
        user_agent=user_agent,
        video_id=video_id,
        event=body,
        now=utcnow(),
    )


@router.post(
    "/playback/events",
    summary="Report a batch of player analytics events (up to 100)",
    status_code=202,
    dependencies=[WriteRateLimit],
)
def playback_events_batch(
    body: PlaybackEventBatch,
    viewer: CurrentViewer,
    session: SessionDep,
    user_agent: UserAgent = None,
) -> PlaybackEventsAccepted:
    """Events on unknown videos, and those whose ``client_time`` is off, are left out and
    counted in ``refused``."""
    return playback_events.record_batch(
        session,
        viewer=viewer,
        user_agent=user_agent,
        events=body.events,
        now=utcnow(),
    )
