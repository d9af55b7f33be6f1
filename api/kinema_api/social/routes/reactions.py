"""Timestamped reactions on a video and their density along it (the strip above the
seek bar). Open to kids profiles: a fixed set of emoji carries no one's words."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from kinema_api.common import ERRORS
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.social.schemas import DensityPublic, TimelineReactionCreate, TimelineReactionPublic
from kinema_api.social.services import reactions

router = APIRouter(tags=["reactions"], responses=ERRORS)


@router.post(
    "/videos/{video_id}/reactions",
    summary="React at a moment of a video",
    status_code=status.HTTP_201_CREATED,
    dependencies=[WriteRateLimit],
)
def react_at(
    video_id: uuid.UUID,
    body: TimelineReactionCreate,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> TimelineReactionPublic:
    return reactions.react_at(
        ctx, session, viewer=viewer, video_id=video_id, emoji=body.emoji, position_s=body.position_s
    )


@router.get(
    "/videos/{video_id}/reactions/density", summary="Reactions along a video, in equal buckets"
)
def density(
    video_id: uuid.UUID,
    viewer: CurrentViewer,
    session: ReadSessionDep,
    buckets: Annotated[int, Query(ge=1, le=500, description="How many slices")] = 100,
) -> DensityPublic:
    return reactions.density(session, viewer=viewer, video_id=video_id, buckets=buckets)
