"""Home rows, title listing and detail, genres, search, and posters.

Every route here only reads: they use read-only sessions (``ReadSessionDep``), so on
SQLite a page view never waits for the writer. Posters obey the same maturity limit as
the listings that link to them; a poster above the viewer's limit is a 404 that does
not name the title.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kinema.catalog.models import Maturity, TitleKind
from kinema.catalog.search import SearchFilters
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog import fastpath
from kinema_api.catalog.schemas import (
    GenrePublic,
    HomePublic,
    RowPublic,
    SearchPublic,
    TitleCard,
    TitleDetail,
)
from kinema_api.catalog.services import hot, posters, title_page
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.common import ERRORS
from kinema_api.context import AppContext
from kinema_api.deps import ContextDep, CurrentViewer, OptionalViewer, ReadSessionDep

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


def _shared(
    request: Request, ctx: AppContext, found: hot.Found[Any], viewer: Viewer | None
) -> Response:
    """An answer every viewer with this maturity limit shares, as the hot cache keeps it;
    indexed for the fast path (``kinema_api.catalog.fastpath``), which answers alike."""
    path = request.scope["path"]
    limit = fastpath.limit_key(path, viewer_service.max_maturity(viewer))
    hot.remember_answer(ctx, found, path=path, query=request.scope["query_string"], limit=limit)
    etag = found.shared.etag
    headers = {"ETag": etag, "Cache-Control": fastpath.CACHE_CONTROL.decode()}
    if fastpath.etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(found.shared.body, media_type="application/json", headers=headers)


@router.get("/browse/home", summary="Rows for the home page", response_model=HomePublic)
def home(
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    shared: Annotated[bool, Query()] = True,
) -> Response:
    """Continue Watching, My List, then the rows every viewer with this profile's maturity
    limit shares. ``shared=false`` leaves those out: fetch them from ``/browse/rows``,
    which is answered from the hot cache (the web app does both at once)."""
    body = viewer_service.home(ctx, session, viewer=viewer, shared=shared)
    return Response(body, media_type="application/json")


@router.get(
    "/browse/rows",
    summary="The home rows every viewer with this maturity limit shares",
    response_model=list[RowPublic],
    openapi_extra=OPTIONAL_AUTH,
)
def rows(
    request: Request, viewer: OptionalViewer, ctx: ContextDep, session: ReadSessionDep
) -> Response:
    """Recently Added, Trending and a row per genre, within the caller's maturity limit
    (a signed-in profile's own, else the anonymous one)."""
    limit = viewer_service.max_maturity(viewer)
    found = viewer_service.shared_rows(ctx, session, limit=limit)
    return _shared(request, ctx, found, viewer)


@router.get(
    "/titles",
    summary="Published titles, newest first",
    response_model=list[TitleCard],
    openapi_extra=OPTIONAL_AUTH,
)
def list_titles(
    request: Request,
    viewer: OptionalViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    genre: GenreSlug = None,
    year: Year = None,
    type: Annotated[TitleKind | None, Query()] = None,
    maturity: Annotated[Maturity | None, Query()] = None,
    limit: Limit = 24,
    offset: Offset = 0,
) -> Response:
    filters = _filters(viewer, genre=genre, year=year, kind=type, maturity=maturity)
    found = viewer_service.list_titles(ctx, session, filters=filters, limit=limit, offset=offset)
    return _shared(request, ctx, found, viewer)


@router.get(
    "/titles/{title_id}",
    summary="A title with its seasons and episodes",
    openapi_extra=OPTIONAL_AUTH,
)
def title_detail(
    title_id: uuid.UUID, viewer: OptionalViewer, ctx: ContextDep, session: ReadSessionDep
) -> TitleDetail:
    return title_page.title_detail(ctx, session, viewer=viewer, title_id=title_id)


@router.get(
    "/titles/{title_id}/poster",
    summary="The title's poster image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    openapi_extra=OPTIONAL_AUTH,
)
def title_poster(
    title_id: uuid.UUID, viewer: OptionalViewer, ctx: ContextDep, session: ReadSessionDep
) -> Response:
    image = posters.title_poster(ctx, session, viewer=viewer, title_id=title_id)
    return _image_response(image)


@router.get(
    "/videos/{video_id}/poster",
    summary="The poster frame chosen for one video (an episode's own still)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
    openapi_extra=OPTIONAL_AUTH,
)
def video_poster(
    video_id: uuid.UUID, viewer: OptionalViewer, ctx: ContextDep, session: ReadSessionDep
) -> Response:
    image = posters.video_poster(ctx, session, viewer=viewer, video_id=video_id)
    return _image_response(image)


def _image_response(image: posters.Image) -> Response:
    # Shared caches may keep only what anyone may see: a poster above the anonymous
    # limit is answered per viewer, so it must not be served to the next visitor.
    cache = f"{'public' if image.public else 'private'}, max-age=300"
    headers = {
        "Cache-Control": "private, no-cache" if image.per_profile else cache,
        "Vary": "Authorization, Cookie",
    }
    return Response(image.data, media_type=image.media_type, headers=headers)


@router.get("/genres", summary="All genres", response_model=list[GenrePublic])
def genres(request: Request, ctx: ContextDep, session: ReadSessionDep) -> Response:
    return _shared(request, ctx, viewer_service.genres(ctx, session), None)


@router.get(
    "/search",
    summary="Search titles by text, with filters",
    response_model=SearchPublic,
    openapi_extra=OPTIONAL_AUTH,
)
def search(
    request: Request,
    viewer: OptionalViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    genre: GenreSlug = None,
    year: Year = None,
    type: Annotated[TitleKind | None, Query()] = None,
    maturity: Annotated[Maturity | None, Query()] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    filters = _filters(viewer, genre=genre, year=year, kind=type, maturity=maturity)
    found = viewer_service.search(
        ctx, session, query=q, filters=filters, limit=limit, offset=offset
    )
    return _shared(request, ctx, found, viewer)
