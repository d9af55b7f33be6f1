"""Home rows, title listing and detail, genres, search, and posters.

Every route here only reads: they use read-only sessions (``ReadSessionDep``), so on
SQLite a page view never waits for the writer. Posters obey the same maturity limit as
the listings that link to them; a poster above the viewer's limit is a 404 that does
not name the title.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kinema.catalog.models import Maturity, TitleKind
from kinema.catalog.search import SearchFilters
from kinema_api.accounts.services.auth import Viewer
from kinema_api.catalog.schemas import GenrePublic, HomePublic, SearchPublic, TitleCard, TitleDetail
from kinema_api.catalog.services import posters, title_page
from kinema_api.catalog.services import viewer as viewer_service
from kinema_api.common import ERRORS
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


@router.get("/browse/home", summary="Rows for the home page")
def home(viewer: CurrentViewer, ctx: ContextDep, session: ReadSessionDep) -> HomePublic:
    return viewer_service.home(ctx, session, viewer=viewer)


@router.get("/titles", summary="Published titles, newest first", openapi_extra=OPTIONAL_AUTH)
def list_titles(
    viewer: OptionalViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
    genre: GenreSlug = None,
    year: Year = None,
    type: Annotated[TitleKind | None, Query()] = None,
    maturity: Annotated[Maturity | None, Query()] = None,
    limit: Limit = 24,
    offset: Offset = 0,
) -> list[TitleCard]:
    filters = _filters(viewer, genre=genre, year=year, kind=type, maturity=maturity)
    return viewer_service.list_titles(ctx, session, filters=filters, limit=limit, offset=offset)


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


@router.get("/genres", summary="All genres")
def genres(ctx: ContextDep, session: ReadSessionDep) -> list[GenrePublic]:
    return viewer_service.genres(ctx, session)


@router.get("/search", summary="Search titles by text, with filters", openapi_extra=OPTIONAL_AUTH)
def search(
    viewer: OptionalViewer,
    session: ReadSessionDep,
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
