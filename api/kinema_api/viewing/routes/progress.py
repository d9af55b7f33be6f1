"""Progress (the player reports every 10 s), history, My List and ratings.

Reads (progress, history, My List) use read-only sessions; only the routes that change
something take SQLite's write lock.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from kinema.catalog.services import titles
from kinema_api.accounts.services.auth import token_hash
from kinema_api.catalog.schemas import TitleCard
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.catalog.services.views import title_card, video_summary
from kinema_api.common import ERRORS, Message
from kinema_api.deps import (
    ContextDep,
    CurrentToken,
    CurrentViewer,
    ReadSessionDep,
    SessionDep,
    WriteRateLimit,
)
from kinema_api.errors import NotFoundError
from kinema_api.viewing.schemas import (
    HistoryItem,
    ProgressPublic,
    ProgressUpdate,
    RatingPublic,
    RatingUpdate,
)
from kinema_api.viewing.services import lists
from kinema_api.viewing.services.progress_writer import writer_of

router = APIRouter(tags=["viewing"], responses=ERRORS)


@router.put(
    "/progress/{video_id}",
    summary="Report the playback position",
    responses={429: {"description": "Past the account's write rate limit"}},
)
async def put_progress(
    video_id: uuid.UUID, body: ProgressUpdate, ctx: ContextDep, token: CurrentToken
) -> ProgressPublic:
    """Answered once the position is stored: reports that arrive together are written in
    one transaction (``viewing.services.progress_writer``), with the same checks as any
    write (the session, the account's write rate limit, the title's maturity)."""
    future = writer_of(ctx).submit(
        token_hash=token_hash(token),
        video_id=video_id,
        position_s=body.position_s,
        duration_s=body.duration_s,
    )
    rec = await asyncio.wrap_future(future)
    return ProgressPublic.model_validate(rec)


@router.get("/progress/{video_id}", summary="Where this profile is in a video")
def get_progress(
    video_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep
) -> ProgressPublic:
    rec = viewer_service.load_progress(
        ctx, session, profile_id=viewer.profile.id, video_id=video_id
    )
    if rec is None:
        titles.get_video(session, video_id=video_id)
        raise NotFoundError(f"no progress recorded for video {video_id}")
    return ProgressPublic.model_validate(rec)


@router.get("/history", summary="Watch history, most recent first")
def get_history(
    viewer: CurrentViewer,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[HistoryItem]:
    return [
        HistoryItem(
            title=title_card(h.video.title),
            video=video_summary(h.video),
            watched_at=h.watched_at,
            last_position_s=h.last_position_s,
            completed=h.completed,
        )
        for h in lists.history(session, viewer=viewer, limit=limit, offset=offset)
    ]


@router.delete("/history", summary="Clear this profile's history", dependencies=[WriteRateLimit])
def clear_history(viewer: CurrentViewer, session: SessionDep) -> Message:
    count = lists.clear_history(session, viewer=viewer)
    return Message(message=f"{count} entries removed")


@router.get("/my-list", summary="My List")
def get_my_list(viewer: CurrentViewer, session: ReadSessionDep) -> list[TitleCard]:
    return [title_card(t) for t in lists.my_list(session, viewer=viewer)]


@router.put("/my-list/{title_id}", summary="Add a title to My List", dependencies=[WriteRateLimit])
def add_to_my_list(title_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    added = lists.add_to_my_list(session, viewer=viewer, title_id=title_id)
    return Message(message="added" if added else "already in My List")


@router.delete(
    "/my-list/{title_id}", summary="Remove a title from My List", dependencies=[WriteRateLimit]
)
def remove_from_my_list(title_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    lists.remove_from_my_list(session, viewer=viewer, title_id=title_id)
    return Message(message="removed")


@router.put("/titles/{title_id}/rating", summary="Rate a title 1-5", dependencies=[WriteRateLimit])
def rate(
    title_id: uuid.UUID, body: RatingUpdate, viewer: CurrentViewer, session: SessionDep
) -> RatingPublic:
    avg, count = lists.rate(session, viewer=viewer, title_id=title_id, score=body.score)
    return RatingPublic(title_id=title_id, score=body.score, average=avg, count=count)
