"""FastAPI dependencies, as ``Annotated`` aliases routes declare in their signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kinema.catalog.db import begin_readonly
from kinema.settings import Settings
from kinema.storage import ObjectStore
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden, TooManyRequests, Unauthorized
from kinema_api.services.auth import Viewer, resolve_token

COOKIE_NAME = "kinema_session"

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/login")
_cookie = APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="The web app's session")


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_settings(ctx: ContextDep) -> Settings:
    return ctx.settings


def get_store(ctx: ContextDep) -> ObjectStore:
    return ctx.store


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.sessions() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def get_read_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.sessions() as session:
        begin_readonly(session)
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session)]


def _token(bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie or None


def get_viewer(
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Viewer:
    token = _token(bearer, cookie)
    if token is None:
        raise Unauthorized(
            "log in first: send 'Authorization: Bearer <token>' or the session cookie",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return resolve_token(session, token=token)


def get_optional_viewer(
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Viewer | None:
    token = _token(bearer, cookie)
    if token is None:
        return None
    try:
        return resolve_token(session, token=token)
    except Unauthorized:
        return None


CurrentViewer = Annotated[Viewer, Depends(get_viewer)]
OptionalViewer = Annotated[Viewer | None, Depends(get_optional_viewer)]


def get_admin(viewer: CurrentViewer) -> Viewer:
    if not viewer.is_admin:
        raise Forbidden("this needs an admin account")
    return viewer


AdminViewer = Annotated[Viewer, Depends(get_admin)]


def _limit(ctx: AppContext, key: str, per_minute: int) -> None:
    try:
        count = ctx.cache.hit(key, window_s=60)
    except CacheUnavailable:
        return  # fail open: a cache outage must not lock everyone out
    if count > per_minute:
        raise TooManyRequests(
            f"too many requests; at most {per_minute} a minute, retry shortly",
            headers={"Retry-After": "60"},
        )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def auth_rate_limit(request: Request, ctx: ContextDep) -> None:
    _limit(ctx, f"rl:auth:{client_ip(request)}", ctx.settings.auth_rate_limit_per_min)


def write_rate_limit(request: Request, ctx: ContextDep, viewer: CurrentViewer) -> None:
    _limit(ctx, f"rl:write:{viewer.user.id.hex}", ctx.settings.write_rate_limit_per_min)


AuthRateLimit = Depends(auth_rate_limit)
WriteRateLimit = Depends(write_rate_limit)
