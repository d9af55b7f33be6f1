"""The FastAPI application: routers under ``/api/v1``, error handlers, the web app.

``create_app`` takes a ready :class:`AppContext` (tests, ``kinema up``) or builds one
from settings at start-up. It refuses to start on a database whose migrations are not
at head: migrations run before start (``kinema migrate``), never inside a request.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Message, Scope

from kinema import __version__
from kinema.catalog import migrate
from kinema.catalog.errors import MigrationError
from kinema.catalog.models import utcnow
from kinema.settings import Settings
from kinema_api import errors, health, logs, metrics
from kinema_api.accounts.routes import auth, devices, profiles
from kinema_api.admin.routes import uploads as admin_uploads
from kinema_api.admin.routes import users as admin_users
from kinema_api.admin.routes import videos as admin_videos
from kinema_api.ads import routes as ads
from kinema_api.analytics.routes import dashboard as analytics
from kinema_api.analytics.services import business as analytics_business
from kinema_api.artwork import routes as artwork
from kinema_api.billing.routes import admin as admin_billing
from kinema_api.billing.routes import billing
from kinema_api.billing.routes import webhook as billing_webhook
from kinema_api.catalog import routes as browse
from kinema_api.catalog.fastpath import HotPath
from kinema_api.clips import routes as clips
from kinema_api.clips.routes import page as clip_page
from kinema_api.context import AppContext, build_context
from kinema_api.discovery import routes as discovery
from kinema_api.downloads.routes import grants as download_grants
from kinema_api.downloads.routes import media as download_media
from kinema_api.headers import SecurityHeaders, content_security_policy, origin_of
from kinema_api.party import routes as party
from kinema_api.social import routes as social
from kinema_api.tagging import routes as tagging
from kinema_api.viewing.fastpath import ProgressPath
from kinema_api.viewing.routes import edge as edge_check
from kinema_api.viewing.routes import events as playback_events
from kinema_api.viewing.routes import playback
from kinema_api.viewing.routes import progress as viewing

log = logging.getLogger("kinema.api")
API_PREFIX = "/api/v1"
WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module in (
        health,
        auth,
        devices,
        profiles,
        browse,
        discovery,
        viewing,
        playback_events,
        playback,
        edge_check,
        admin_uploads,
        admin_videos,
        billing,
        billing_webhook,
        admin_billing,
        admin_users,
        download_grants,
        download_media,
    ):
        router.include_router(module.router)
    router.include_router(social.router)
    router.include_router(ads.router)
    router.include_router(party.router)
    router.include_router(clips.router)
    router.include_router(analytics.router)
    router.include_router(tagging.router)
    router.include_router(artwork.router)
    return router


def create_app(
    settings: Settings | None = None,
    *,
    context: AppContext | None = None,
    web_dist: Path | None = WEB_DIST,
    prepare_routes: bool = False,
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
        if prepare_routes:
            await _prepare_routes(app)
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
    logs.install()
    configured = context.settings if context is not None else settings or Settings()
    # Innermost of ours: their answers get the security headers and are counted.
    app.add_middleware(ProgressPath)
    app.add_middleware(HotPath)
    # Browsers PUT upload parts straight to the S3 endpoint (presigned URLs).
    app.add_middleware(
        SecurityHeaders,
        csp=content_security_policy(
            origin_of(configured.s3_endpoint_url), media_origins=origin_of(configured.edge_url)
        ),
    )
    app.add_middleware(metrics.RequestMetrics, prefix=API_PREFIX)
    app.include_router(api_router())
    _add_metrics(app)
    if web_dist is not None and (web_dist / "index.html").is_file():
        _mount_web(app, web_dist)
    return app


# Precompressed siblings the web build writes next to each asset (see web/vite.config.ts),
# best first. Only the web app's /assets are served this way: media segments are already
# compressed and must keep exact byte ranges, so nothing else is ever content-encoded.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
# Vite names every asset `<name>-<8+ char content hash>.<ext>`: such a URL never changes
# content, so browsers and CDNs may keep it for a year without revalidating.
_HASHED = re.compile(r"-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_IMMUTABLE = "public, max-age=31536000, immutable"
# Hashed assets up to this size are answered from memory once read: their bytes never
# change, and one send beats streaming the file through worker threads while the same
# process answers the page's API and media requests (a cold watch page's Shaka chunk).
_IN_MEMORY_MAX = 4 * 1024 * 1024
# The web app's watch page, /watch/<video id> (the router's pattern).
_WATCH_PAGE = re.compile(r"^watch/(?P<id>[0-9A-Fa-f-]{8,64})/?$")


async def _prepare_routes(app: FastAPI) -> None:
    """FastAPI prepares a route's request handling the first time a request is matched
    against it, and a web page's path is matched against every route: the first page
    after a start waited for all of them (about 300 ms on 2 cores). One request that no
    route answers, made at start-up through the whole stack, prepares them all. It is
    not counted (``metrics.START_UP_REQUEST``) and its answer goes nowhere. The servers
    (``kinema up``, ``kinema api``) ask for it; tests, which build an app per test,
    do not."""
    path = f"{API_PREFIX}/.start-up"
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
        "state": {},
        metrics.START_UP_REQUEST: True,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    started = time.perf_counter()
    await app(scope, receive, send)
    log.debug("routes prepared in %.0f ms", (time.perf_counter() - started) * 1000)


def watch_shell(html: str, video_id: str) -> str:
    """The watch page's shell with its playback request preloaded: the browser asks for
    it while it parses the HTML, before any script ran (the boot script's ``fetch`` of
    the same URL then takes that answer). ``video_id`` matched ``_WATCH_PAGE``: hex
    digits and dashes only."""
    link = f'<link rel="preload" as="fetch" crossorigin href="/api/v1/playback/{video_id}">'
    return html.replace("</head>", f"  {link}\n  </head>", 1)


def accepted_encodings(header: str | None) -> set[str]:
    """Content codings an Accept-Encoding header allows (q > 0), lower-cased; ``*`` stands
    for any coding not named."""
    accepted: set[str] = set()
    refused: set[str] = set()
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        (accepted if q > 0 else refused).add(name)
    if "*" in accepted:
        accepted |= {coding for coding, _ in _ENCODINGS if coding not in refused}
    return accepted


class WebAssets(StaticFiles):
    """The built app's hashed assets: a precompressed sibling (``.br``, ``.gz``) when the
    client accepts it, ``Vary: Accept-Encoding`` wherever a sibling exists, and long
    immutable caching for hashed names. A Range request always gets the plain bytes.
    Hashed files (up to ``_IN_MEMORY_MAX``) are kept in memory after their first read."""

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        # file -> its bytes and the validators of the read that kept them
        self._memory: dict[Path, tuple[bytes, dict[str, str]]] = {}

    def _remembered(self, response: FileResponse) -> bytes:
        """``response``'s file, read on first use; ``response`` gets that read's length
        and validators (so a file replaced on disk never mixes two versions)."""
        file = Path(response.path)
        kept = self._memory.get(file)
        if kept is None:
            body = file.read_bytes()
            validators = {k: response.headers[k] for k in ("etag", "last-modified")}
            kept = self._memory[file] = (body, {**validators, "content-length": str(len(body))})
        response.headers.update(kept[1])
        return kept[0]

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        request_headers = Headers(scope=scope)
        path = Path(full_path)
        siblings = [
            (coding, path.with_name(path.name + suffix))
            for coding, suffix in _ENCODINGS
            if path.suffix not in (".br", ".gz")
        ]
        siblings = [(coding, file) for coding, file in siblings if file.is_file()]
        accepted = accepted_encodings(request_headers.get("accept-encoding"))
        chosen = None
        if "range" not in request_headers:
            chosen = next(((c, f) for c, f in siblings if c in accepted), None)
        if chosen is not None:
            coding, file = chosen
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            response = FileResponse(
                file, status_code=status_code, stat_result=file.stat(), media_type=media_type
            )
            response.headers["content-encoding"] = coding
            # Byte ranges of the encoded body are not what a Range client means.
            del response.headers["accept-ranges"]
        else:
            response = FileResponse(path, status_code=status_code, stat_result=stat_result)
        if siblings:
            response.headers["vary"] = "Accept-Encoding"
        hashed = _HASHED.search(path.name) is not None
        if hashed:
            response.headers["cache-control"] = _IMMUTABLE
        size = int(response.headers["content-length"])
        body = None
        if hashed and "range" not in request_headers and size <= _IN_MEMORY_MAX:
            body = self._remembered(response)
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        if body is not None:
            return Response(body, status_code=response.status_code, headers=response.headers)
        return response


def _add_metrics(app: FastAPI) -> None:
    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        """Prometheus exposition (see :mod:`kinema_api.metrics`)."""
        ctx: AppContext = request.app.state.ctx
        authorization = request.headers.get("authorization")
        if not metrics.token_matches(ctx.settings.metrics_token, authorization):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})

        def streams() -> int:
            with ctx.sessions() as session:
                return analytics_business.watching_now(session, now=utcnow())

        body, content_type = metrics.exposition(active_streams=streams)
        return Response(body, media_type=content_type)


def _mount_web(app: FastAPI, dist: Path) -> None:
    """Serve the built web app; unknown non-API paths get index.html (client routing)."""
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", WebAssets(directory=assets), name="assets")
    index = dist / "index.html"
    # A clip's link: the same shell, with its OpenGraph/Twitter card in the head.
    app.include_router(clip_page.page_router(index))

    # A watch page's shell also names the player's chunks (modulepreload), so a cold load
    # fetches them beside the main bundle (see web/vite.config.ts).
    watch = dist / "watch.html"

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        if path.startswith("api/"):
            return Response(status_code=404)
        # The shell names the current hashed assets: always revalidate it.
        headers = {"Cache-Control": "no-cache"}
        page = _WATCH_PAGE.match(path)
        if page and watch.is_file():
            html = watch_shell(watch.read_text(encoding="utf-8"), page["id"])
            return Response(html, media_type="text/html", headers=headers)
        return FileResponse(index, headers=headers)


def web_available(web_dist: Path | None = WEB_DIST) -> bool:
    return web_dist is not None and (web_dist / "index.html").is_file()
