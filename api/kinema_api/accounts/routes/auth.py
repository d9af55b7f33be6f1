"""Signup, login, logout, the current user and their login sessions (devices)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from kinema.catalog.services import accounts
from kinema.settings import Environment
from kinema_api.accounts.schemas import (
    DeviceFields,
    EntitlementsPublic,
    LoginRequest,
    PlanPublic,
    SessionPublic,
    SignupCreate,
    TokenPublic,
    UserPublic,
)
from kinema_api.accounts.services import auth as auth_service
from kinema_api.accounts.services import devices as device_service
from kinema_api.accounts.services import profiles as profile_service
from kinema_api.accounts.services.auth import IssuedSession, Viewer
from kinema_api.common import ERRORS, Message
from kinema_api.deps import (
    COOKIE_NAME,
    AuthRateLimit,
    ContextDep,
    CurrentViewer,
    SessionDep,
    WriteRateLimit,
)
from kinema_api.viewing.services import playback as playback_service

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)


def user_public(viewer: Viewer) -> UserPublic:
    return UserPublic(
        id=viewer.user.id,
        email=viewer.user.email,
        display_name=viewer.user.display_name,
        role=viewer.user.role,
        plan=PlanPublic.model_validate(viewer.plan),
        entitlements=EntitlementsPublic.of(viewer.entitlements),
        profile=profile_service.public(viewer.profile, selectable=viewer.profile_selectable),
    )


def _issue(
    ctx: ContextDep,
    session: SessionDep,
    request: Request,
    response: Response,
    user_id: uuid.UUID,
    device: DeviceFields,
) -> TokenPublic:
    user = accounts.get_user(session, user_id=user_id)
    user_agent = request.headers.get("user-agent", "")
    issued: IssuedSession = device_service.sign_in(
        ctx,
        session,
        user=user,
        kind="web" if "mozilla" in user_agent.lower() else "api",
        device_id=device.device_id,
        device_name_given=device.device_name or "",
        user_agent=user_agent,
    )
    response.set_cookie(
        COOKIE_NAME,
        issued.token,
        max_age=ctx.settings.session_ttl_s,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.environment is Environment.PRODUCTION,
        path="/",
    )
    viewer = auth_service.resolve_token(
        session, token=issued.token, grace=ctx.settings.billing_grace
    )
    return TokenPublic(
        access_token=issued.token, expires_at=issued.row.expires_at, user=user_public(viewer)
    )


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    dependencies=[AuthRateLimit],
    summary="Create a viewer account and log in",
)
def signup(
    body: SignupCreate,
    ctx: ContextDep,
    session: SessionDep,
    request: Request,
    response: Response,
) -> TokenPublic:
    user = auth_service.signup(
        session, email=body.email, password=body.password, display_name=body.display_name
    )
    return _issue(ctx, session, request, response, user.id, body)


@router.post("/login", dependencies=[AuthRateLimit], summary="Log in with email and password")
def login(
    body: LoginRequest,
    ctx: ContextDep,
    session: SessionDep,
    request: Request,
    response: Response,
) -> TokenPublic:
    user = auth_service.authenticate(session, email=body.email, password=body.password)
    return _issue(ctx, session, request, response, user.id, body)


@router.post("/logout", summary="End this session (cookie or token)")
def logout(
    viewer: CurrentViewer, ctx: ContextDep, session: SessionDep, response: Response
) -> Message:
    """This device's stream ends; playback started in this session stops at its next
    manifest request."""
    auth_service.revoke(session, row=viewer.session)
    playback_service.forget_session(ctx, viewer.session.id)
    response.delete_cookie(COOKIE_NAME, path="/")
    return Message(message="logged out")


@router.get("/me", summary="The current user, plan and profile")
def me(viewer: CurrentViewer) -> UserPublic:
    return user_public(viewer)


@router.get(
    "/sessions",
    summary="Login sessions of this account (see /devices for names and streams)",
)
def sessions(viewer: CurrentViewer, session: SessionDep) -> list[SessionPublic]:
    viewer.require_account_holder()
    rows = auth_service.list_sessions(session, user_id=viewer.user.id)
    out = []
    for row in rows:
        item = SessionPublic.model_validate(row)
        item.current = row.id == viewer.session.id
        out.append(item)
    return out


@router.delete("/sessions/{session_id}", summary="Log a device out", dependencies=[WriteRateLimit])
def revoke_session(
    session_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> Message:
    """The same as ``DELETE /devices/{id}``, answering a message."""
    device_service.sign_out(ctx, session, viewer=viewer, device_id=session_id)
    return Message(message="session revoked")


@router.get("/plans", summary="Subscription plans")
def plans(session: SessionDep) -> list[PlanPublic]:
    return [PlanPublic.model_validate(p) for p in accounts.ensure_sample_plans(session)]
