"""A title's page: what every viewer shares (from the hot cache) and what is theirs.

The shared part (names, seasons, episodes, genres, tags) is computed once per catalog
version for viewers who are not admins (:mod:`kinema_api.catalog.services.hot`). Each
request then checks the viewer may see the title (published, within the profile's
maturity limit) and adds what is theirs: resume positions, the episode to play next, My
List, their own rating, and the rating average (it changes with every rating, so it is
read each time). Admins see unpublished titles and videos that are not ready: their page
is never cached.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, TypeAdapter
from sqlalchemy.orm import Session

from kinema.catalog.models import MyListItem, Rating, Title, TitleKind, VideoStatus
from kinema.catalog.services import titles, viewing
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.schemas import SeasonPublic, TitleDetail, VideoSummary
from kinema_api.catalog.services import hot
from kinema_api.catalog.services.viewer import (
    check_visible,
    check_visible_as,
    load_progress,
    next_episode,
)
from kinema_api.catalog.services.views import poster_url, title_card, video_summary
from kinema_api.context import AppContext


class SharedPage(BaseModel):
    """What a title's page shows everyone who may see it, before anything of theirs."""

    published: bool
    detail: TitleDetail


SHARED = TypeAdapter(SharedPage)


def title_detail(
    ctx: AppContext, session: Session, *, viewer: Viewer | None, title_id: uuid.UUID
) -> TitleDetail:
    if viewer is not None and viewer.is_admin:
        title = titles.get_title(session, title_id=title_id)
        check_visible(viewer, title)
        page = _shared(title, include_unready=True)
    else:
        page = hot.cached(
            ctx,
            session,
            key=f"title:{title_id.hex}",
            adapter=SHARED,
            compute=lambda: _shared(titles.get_title(session, title_id=title_id)),
        )
        check_visible_as(
            viewer, title_id=title_id, published=page.published, maturity=page.detail.maturity
        )
    return _personal(ctx, session, viewer=viewer, page=page.detail)


def _shared(title: Title, *, include_unready: bool = False) -> SharedPage:
    ready = [v for v in title.videos if v.status is VideoStatus.READY or include_unready]
    seasons: list[SeasonPublic] = []
    if title.kind is TitleKind.SERIES:
        for season in title.seasons:
            episodes = [video_summary(v) for v in ready if v.season_number == season.number]
            if episodes:
                seasons.append(
                    SeasonPublic(number=season.number, name=season.name, episodes=episodes)
                )
    detail = TitleDetail(
        id=title.id,
        slug=title.slug,
        name=title.name,
        kind=title.kind,
        year=title.year,
        maturity=title.maturity,
        genres=title_card(title).genres,
        poster_url=poster_url(title),
        description=title.description,
        tags=[t.name for t in title.tags],
        created_at=title.created_at,
        video=video_summary(ready[0]) if ready else None,
        seasons=seasons,
        in_my_list=False,
        rating_average=None,
        rating_count=0,
        my_rating=None,
    )
    return SharedPage(published=title.published, detail=detail)


def _personal(
    ctx: AppContext, session: Session, *, viewer: Viewer | None, page: TitleDetail
) -> TitleDetail:
    avg, count = viewing.average_rating(session, title_id=page.id)
    if viewer is None:
        return page.model_copy(update={"rating_average": avg, "rating_count": count})
    episodes = [e for s in page.seasons for e in s.episodes]
    videos = episodes or ([page.video] if page.video else [])
    positions: dict[uuid.UUID, float] = {}
    for v in videos:
        rec = load_progress(ctx, session, profile_id=viewer.profile.id, video_id=v.id)
        if rec is not None:
            positions[v.id] = rec.position_s

    def placed(v: VideoSummary) -> VideoSummary:
        return v.model_copy(update={"position_s": positions.get(v.id)})

    seasons = [
        s.model_copy(update={"episodes": [placed(e) for e in s.episodes]}) for s in page.seasons
    ]
    main = page.video
    if main is not None and page.kind is TitleKind.SERIES and episodes:
        chosen = next_episode(session, viewer=viewer, ids=[e.id for e in episodes])
        main = next((e for e in episodes if e.id == chosen), main)
    rating = session.get(Rating, (viewer.profile.id, page.id))
    return page.model_copy(
        update={
            "video": placed(main) if main is not None else None,
            "seasons": seasons,
            "in_my_list": session.get(MyListItem, (viewer.profile.id, page.id)) is not None,
            "rating_average": avg,
            "rating_count": count,
            "my_rating": rating.score if rating else None,
        }
    )
