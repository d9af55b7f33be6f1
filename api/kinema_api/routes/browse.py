"""Home rows, title listing and detail, genres, search, and posters."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from kinema.catalog.models import Genre, Maturity, TitleKind, Video
from kinema.catalog.search import SearchFilters
from kinema.catalog.services import titles
from kinema.storage import ObjectNotFound, join_key
from kinema_api.context import AppContext
from kinema_api.deps import ContextDep, CurrentViewer, OptionalViewer, SessionDep
from kinema_api.errors import NotFoundError
from kinema_api.schemas.common import ERRORS
from kinema_api.schemas.titles import GenrePublic, HomePublic, SearchPublic, TitleCard, TitleDetail
from kinema_api.services import viewer as viewer_service
from kinema_api.services.auth import Viewer

router = APIRouter(tags=["browse"], responses=ERRORS)

# Signed-in viewers get their profile's maturity limit; anyone may browse.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}, {"APIKeyCookie": []}]}

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
GenreSlug = Annotated[str | None, Query(max_length=63, pattern=r"^[a-z0-9-]+$")]
Year = Annotated[int | None, Query(ge=1870, le=2200)]


def _filters(
    viewer: Viewer | None,
    *,
    genre: str | None,
    year: int | None,
    kind: TitleKind | None,
    maturity: Maturity | None,
) -> SearchFilters:
    limit = viewer_service.max_maturity(viewer)
    if maturity is not None and maturity.level < limit.level:
        limit = maturity
    return SearchFilters(genre=genre, year=year, kind=kind, max_maturity=limit)


@router.get("/browse/home", summary="Rows for the home page")
def home(viewer: CurrentViewer, session: SessionDep) -> HomePublic:
    return viewer_service.home(session, viewer=viewer)


@router.get("/titles", summary="Published titles, newest first", openapi_extra=OPTIONAL_AUTH)
def list_titles(
    viewer: OptionalViewer,
    session: SessionDep,
    genre: GenreSlug = None,
    year: Year = None,
    type: Annotated[TitleKind | None, Query()] = None,
    maturity: Annotated[Maturity | None, Query()] = None,
    limit: Limit = 24,
    offset: Offset = 0,
) -> list[TitleCard]:
    filters = _filters(viewer, genre=genre, year=year, kind=type, maturity=maturity)
    return viewer_service.list_titles(
        session, viewer=viewer, filters=filters, limit=limit, offset=offset
    )


@router.get(
    "/titles/{title_id}",
    summary="A title with its seasons and episodes",
    openapi_extra=OPTIONAL_AUTH,
)
def title_detail(
    title_id: uuid.UUID, viewer: OptionalViewer, ctx: ContextDep, session: SessionDep
) -> TitleDetail:
    return viewer_service.title_detail(ctx, session, viewer=viewer, title_id=title_id)


@router.get(
    "/titles/{title_id}/poster",
    summary="The title's poster image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def title_poster(title_id: uuid.UUID, ctx: ContextDep, session: SessionDep) -> Response:
    title = titles.get_title(session, title_id=title_id)
    if not title.published:
        raise NotFoundError(f"no title {title_id}")
    keys: list[str] = [title.poster_key] if title.poster_key else []
    keys += [_video_poster_key(v) for v in title.videos if _video_poster_key(v)]
    return _first_image(ctx, keys, missing=f"title {title_id} has no poster yet")


@router.get(
    "/videos/{video_id}/poster",
    summary="The poster frame chosen for one video (an episode's own still)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def video_poster(video_id: uuid.UUID, ctx: ContextDep, session: SessionDep) -> Response:
    video = titles.get_video(session, video_id=video_id)
    if not video.title.published:
        raise NotFoundError(f"no video {video_id}")
    key = _video_poster_key(video)
    return _first_image(ctx, [key] if key else [], missing=f"video {video_id} has no poster yet")


def _video_poster_key(video: Video) -> str:
    if video.poster_path and video.output_prefix:
        return join_key(video.output_prefix, video.poster_path)
    return ""


def _first_image(ctx: AppContext, keys: list[str], *, missing: str) -> Response:
    for key in keys:
        try:
            data = ctx.store.get_bytes(key)
        except ObjectNotFound:
            continue
        media = "image/png" if key.endswith(".png") else "image/jpeg"
        return Response(data, media_type=media, headers={"Cache-Control": "public, max-age=300"})
    raise NotFoundError(missing)


@router.get("/genres", summary="All genres")
def genres(session: SessionDep) -> list[GenrePublic]:
    return [
        GenrePublic.model_validate(g) for g in session.scalars(select(Genre).order_by(Genre.name))
    ]


@router.get("/search", summary="Search titles by text, with filters", openapi_extra=OPTIONAL_AUTH)
def search(
    viewer: OptionalViewer,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    genre: GenreSlug = None,
    year: Year = None,
    type: Annotated[TitleKind | None, Query()] = None,
    maturity: Annotated[Maturity | None, Query()] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchPublic:
    filters = _filters(viewer, genre=genre, year=year, kind=type, maturity=maturity)
    items = viewer_service.search(session, query=q, filters=filters, limit=limit, offset=offset)
    return SearchPublic(query=q, items=items, limit=limit, offset=offset)
