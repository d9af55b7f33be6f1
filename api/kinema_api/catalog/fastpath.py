"""The browse fast path: shared answers served straight from the process's hot store.

Home rows, title listings, the genre list and search results are the same for every
viewer with one maturity limit. When a route computes one, it indexes the whole answer
by its request (path, query string, limit) at the catalog version it was computed at
(:func:`kinema_api.catalog.services.hot.remember_answer`). This ASGI middleware answers
a later ``GET`` of the same request from that index, before routing: no dependency
resolution, no database session, no worker thread. It needs three things without I/O,
and any one missing sends the request on to its route as usual:

- the catalog version, read by this process within the last half second
  (:meth:`HotStore.fresh_version`);
- the caller's maturity limit: no credentials means the anonymous limit; a token must
  have passed a full check within the last seconds (:mod:`kinema_api.identity`);
  a token never checked, or refused, goes to the route, which answers as it always does;
- the answer, indexed under that version and limit.

Answers carry an ``ETag``; ``If-None-Match`` with it is answered 304. The route answers
with the same body and headers, so a client cannot tell which one served it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kinema.catalog.models import Maturity
from kinema_api import identity
from kinema_api.accounts.services.auth import token_hash
from kinema_api.asgi import MatchedRoute, send_json
from kinema_api.catalog.services import hot
from kinema_api.context import AppContext

# Path -> whether the answer depends on the caller's maturity limit.
SHARED_PATHS: dict[str, bool] = {
    "/api/v1/browse/rows": True,
    "/api/v1/titles": True,
    "/api/v1/genres": False,
    "/api/v1/search": True,
}
ANYONE = "any"
ANONYMOUS = Maturity.ADULT.value  # what a caller without credentials browses with
CACHE_CONTROL = b"private, no-cache"


def limit_key(path: str, limit: Maturity) -> str:
    """The limit an answer to ``path`` is indexed under."""
    return limit.value if SHARED_PATHS.get(path, True) else ANYONE


def _if_none_match(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    for name, value in headers:
        if name == b"if-none-match":
            return value
    return None


def etag_matches(header: bytes | str | None, etag: str) -> bool:
    if not header:
        return False
    text = header.decode("latin-1") if isinstance(header, bytes) else header
    return any(
        part.strip().removeprefix("W/") == etag or part.strip() == "*" for part in text.split(",")
    )


class HotPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] not in SHARED_PATHS
            or not await self._answer(scope, send)
        ):
            await self.app(scope, receive, send)

    @staticmethod
    def _limit(ctx: AppContext, path: str, headers: list[tuple[bytes, bytes]]) -> str | None:
        """The limit the caller's answer is indexed under; None: only the route knows."""
        if not SHARED_PATHS[path]:
            return ANYONE
        token = identity.credential(headers)
        if token is None:
            return ANONYMOUS
        return ctx.identities.limit_of(token_hash(token))

    async def _answer(self, scope: Scope, send: Send) -> bool:
        ctx: AppContext | None = getattr(scope["app"].state, "ctx", None)
        if ctx is None:
            return False
        at = ctx.hot.fresh_version()
        if at is None:
            return False
        path: str = scope["path"]
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        limit = self._limit(ctx, path, headers)
        if limit is None:
            return False
        found = ctx.hot.get(hot.answer_key(at, path, scope["query_string"], limit))
        if found is None:
            return False
        scope["route"] = MatchedRoute(path.removeprefix("/api/v1"))
        etag = found.shared.etag
        common = [(b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL)]
        if etag_matches(_if_none_match(headers), etag):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return True
        await send_json(send, found.shared.body, common)
        return True
