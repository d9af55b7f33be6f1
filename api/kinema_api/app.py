"""The FastAPI application: routers under ``/api/v1``, error handlers, the web app.

``create_app`` takes a ready :class:`AppContext` (tests, ``kinema up``) or builds one
from settings at start-up. It refuses to start on a database whose migrations are not
at head: migrations run before start (``kinema migrate``), never inside a request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from kinema import __version__
from kinema.catalog import migrate
from kinema.catalog.errors import MigrationError
from kinema.settings import Settings
from kinema_api import errors
from kinema_api.context import AppContext, build_context
from kinema_api.routes import (
    admin_uploads,
    admin_videos,
    auth,
    browse,
    health,
    playback,
    profiles,
    viewing,
)

log = logging.getLogger("kinema.api")
API_PREFIX = "/api/v1"
WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in (health, auth, profiles, browse, viewing, playback, admin_uploads, admin_videos):
        router.include_router(module.router)
    return router


def create_app(
    settings: Settings | None = None,
    *,
    context: AppContext | None = None,
    web_dist: Path | None = WEB_DIST,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = context is None
        ctx = context or build_context(settings or Settings())
        url = ctx.settings.resolved_database_url
        if not migrate.is_up_to_date(url):
            if owned:
                ctx.close()
            raise MigrationError(
                "the catalog database is not migrated to the current schema; "
                "run `kinema migrate` first"
            )
        app.state.ctx = ctx
        try:
            yield
        finally:
            if owned:
                ctx.close()

    app = FastAPI(
        title="Kinema API",
        version=__version__,
        summary="Browse, search, play and manage a Kinema catalog.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    if context is not None:
        # Available even to clients that skip lifespan events (some ASGI test transports).
        app.state.ctx = context
    errors.install(app)
    app.include_router(api_router())
    if web_dist is not None and (web_dist / "index.html").is_file():
        _mount_web(app, web_dist)
    return app


def _mount_web(app: FastAPI, dist: Path) -> None:
    """Serve the built web app; unknown non-API paths get index.html (client routing)."""
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    index = dist / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        if path.startswith("api/"):
            return Response(status_code=404)
        return FileResponse(index)


def web_available(web_dist: Path | None = WEB_DIST) -> bool:
    return web_dist is not None and (web_dist / "index.html").is_file()
