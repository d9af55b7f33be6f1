"""FastAPI dependencies, as ``Annotated`` aliases routes declare in their signatures.

Database sessions: a request has one :class:`Session`, shared by every dependency that
asks for one, so what the viewer lookup loaded is what a route modifies (logging out
revokes ``viewer.session``). Its transactions are short and of two kinds:

- the viewer is looked up in a read-only transaction that ends before the route runs;
- a route that declares ``ReadSessionDep`` reads in read-only transactions (on SQLite a
  deferred ``BEGIN``: a page view never waits for the writer); one that declares
  ``SessionDep`` writes in transactions that wait at most ``db_write_timeout_s`` for
  SQLite's write lock, after which the client gets a 503 with ``Retry-After``
  (``errors.py``), never a hang that parks a worker thread.

Client addresses (rate-limit keys): the TCP peer, unless it is one of the configured
reverse proxies, in which case ``X-Forwarded-For`` is read from the right, past the
trusted hops, to the first address a proxy did not vouch for (:func:`forwarded_client`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kinema.catalog.db import begin_readonly, engine_variant
from kinema.settings import Settings
from kinema.storage import ObjectStore
from kinema_api import identity
from kinema_api.accounts.services.auth import Viewer, resolve_token, token_hash
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, TooManyRequests, Unauthorized

COOKIE_NAME = identity.COOKIE.decode()

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login")
_cookie = APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="The web app's session")


# Dependencies that do no I/O are ``async``: FastAPI runs a sync one on a worker
# thread, and under load every such hop waits for the GIL behind busy request threads.
async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


async def get_settings(ctx: ContextDep) -> Settings:
    return ctx.settings


async def get_store(ctx: ContextDep) -> ObjectStore:
    return ctx.store


def _request_session(ctx: ContextDep) -> Iterator[Session]:
    """The request's one session; by default its transactions may write, waiting at most
    ``db_write_timeout_s`` for the write lock."""
    write_engine = engine_variant(ctx.engine, lock_timeout_s=ctx.settings.db_write_timeout_s)
    with ctx.sessions(bind=write_engine) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


RequestSession = Annotated[Session, Depends(_request_session)]


async def get_session(session: RequestSession) -> Session:
    return session


async def get_read_session(ctx: ContextDep, session: RequestSession) -> Session:
    """The request's session, every later transaction of which is read-only."""
    session.bind = engine_variant(ctx.engine, readonly=True)
    return session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session)]


def _token(bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie or None


def _resolve(ctx: AppContext, session: Session, token: str) -> Viewer:
    """Look the token up in a read-only transaction, ended before the route runs so a
    write route's own transaction starts with the write lock (never by upgrading a read,
    which SQLite refuses when another write committed in between). The session keeps the
    loaded rows (it does not expire them on commit). The profile's maturity limit is left
    for the browse fast path (:mod:`kinema_api.identity`)."""
    seen_at = identity.generation()
    grace = ctx.settings.billing_grace
    if session.in_transaction():  # a dependency before this one already began one
        viewer = resolve_token(session, token=token, grace=grace)
    else:
        begin_readonly(session)
        try:
            viewer = resolve_token(session, token=token, grace=grace)
        except BaseException:
            session.rollback()
            raise
        session.commit()
    principal = identity.Principal(
        user_id=viewer.user.id,
        session_id=viewer.session.id,
        profile_id=viewer.profile.id,
        limit=viewer.profile.max_maturity,
        is_admin=viewer.is_admin,
    )
    ctx.identities.remember(token_hash(token), principal, seen_at=seen_at)
    return viewer


async def get_token(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str:
    """The caller's token, not yet checked (401 when there is none)."""
    token = _token(bearer, cookie)
    if token is None:
        raise Unauthorized(
            "log in first: send 'Authorization: Bearer <token>' or the session cookie",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token


# For a route that checks the token itself, in bulk (the progress writer).
CurrentToken = Annotated[str, Depends(get_token)]


def get_viewer(ctx: ContextDep, session: RequestSession, token: CurrentToken) -> Viewer:
    return _resolve(ctx, session, token)


def get_optional_viewer(
    ctx: ContextDep,
    session: RequestSession,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Viewer | None:
    token = _token(bearer, cookie)
    if token is None:
        return None
    try:
        return _resolve(ctx, session, token)
    except Unauthorized:
        return None


CurrentViewer = Annotated[Viewer, Depends(get_viewer)]
OptionalViewer = Annotated[Viewer | None, Depends(get_optional_viewer)]


def get_admin(viewer: CurrentViewer) -> Viewer:
    viewer.require_account_holder()  # 403 kids_profile: the admin area is not for kids
    if not viewer.is_admin:
        raise Forbidden("this needs an admin account")
    return viewer


AdminViewer = Annotated[Viewer, Depends(get_admin)]


def rate_limit(ctx: AppContext, key: str, per_minute: int) -> None:
    """Refuse (429) the request past ``per_minute`` for ``key`` in a minute."""
    try:
        count = ctx.cache.hit(key, window_s=60)
    except CacheUnavailable:
        return  # fail open: a cache outage must not lock everyone out
    if count > per_minute:
        raise TooManyRequests(
            f"too many requests; at most {per_minute} a minute, retry shortly",
            headers={"Retry-After": "60"},
        )


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_client(peer: str, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The client's address: ``peer`` (the TCP peer), unless it is a trusted proxy; then
    the ``X-Forwarded-For`` entries (every header line, in order) are walked from the
    right, each trusted hop skipped, and the first address no trusted proxy added is the
    client. Entries left of it were written by the client and prove nothing. An entry
    that is not an address ends the walk at the last trusted hop, which is then the
    client as far as anyone can tell.
    """
    hop = _address(peer)
    if hop is None or not any(hop in net for net in trusted):
        return peer
    entries = [part for line in forwarded_for for part in line.split(",")]
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            break
        if not any(address in net for net in trusted):
            return str(address)
        hop = address
    return str(hop)


def client_ip(request: Request) -> str:
    """The address rate limits are keyed by (see :func:`forwarded_client`)."""
    peer = request.client.host if request.client else "unknown"
    settings: Settings = request.app.state.ctx.settings
    return forwarded_client(
        peer, request.headers.getlist("x-forwarded-for"), settings.trusted_proxy_networks
    )


def auth_rate_limit(request: Request, ctx: ContextDep) -> None:
    rate_limit(ctx, f"rl:auth:{client_ip(request)}", ctx.settings.auth_rate_limit_per_min)


def write_rate_limit(request: Request, ctx: ContextDep, viewer: CurrentViewer) -> None:
    rate_limit(ctx, f"rl:write:{viewer.user.id.hex}", ctx.settings.write_rate_limit_per_min)


AuthRateLimit = Depends(auth_rate_limit)
WriteRateLimit = Depends(write_rate_limit)
