"""Profiles inside an account, and choosing which one this session watches as.

Managing profiles and their PINs is an account-level action, refused on a kids profile;
choosing a locked profile takes its PIN, with wrong guesses limited per profile. A plan
lets its first ``entitlements.profiles`` profiles (oldest first) be picked: the others,
left over from a bigger plan, stay listed with ``selectable: false``.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from kinema_api.accounts.schemas import (
    ProfileCreate,
    ProfilePinUpdate,
    ProfilePublic,
    ProfileSelect,
    ProfileUpdate,
)
from kinema_api.accounts.services import auth as auth_service
from kinema_api.accounts.services import profiles as profile_service
from kinema_api.common import ERRORS, Message
from kinema_api.deps import ContextDep, CurrentViewer, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.viewing.services import playback as playback_service

router = APIRouter(prefix="/profiles", tags=["profiles"], responses=ERRORS)


@router.get("", summary="Profiles of this account, oldest first")
def list_profiles(viewer: CurrentViewer, session: ReadSessionDep) -> list[ProfilePublic]:
    """How many profiles the plan lets be picked is ``entitlements.profiles`` in
    ``/auth/me``; each profile here says whether it is one of them (``selectable``)."""
    return profile_service.listing(session, viewer=viewer)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[WriteRateLimit])
def create_profile(
    body: ProfileCreate, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    profile = profile_service.create(
        session,
        viewer=viewer,
        name=body.name,
        is_kids=body.is_kids,
        max_maturity=body.max_maturity,
        avatar=body.avatar,
    )
    return profile_service.public_one(session, viewer=viewer, profile=profile)


@router.patch("/{profile_id}", dependencies=[WriteRateLimit])
def update_profile(
    profile_id: uuid.UUID, body: ProfileUpdate, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    profile = profile_service.update(
        session,
        viewer=viewer,
        profile_id=profile_id,
        name=body.name,
        max_maturity=body.max_maturity,
        avatar=body.avatar,
    )
    return profile_service.public_one(session, viewer=viewer, profile=profile)


@router.delete("/{profile_id}", dependencies=[WriteRateLimit])
def delete_profile(
    profile_id: uuid.UUID, viewer: CurrentViewer, ctx: ContextDep, session: SessionDep
) -> Message:
    """Refused (409) for the account's last profile and its last adult one. Sessions
    watching as the deleted profile, this one included, move to the first profile
    without a PIN (``/auth/me`` says which)."""
    profile_service.delete(ctx, session, viewer=viewer, profile_id=profile_id)
    return Message(message="profile deleted")


@router.post("/{profile_id}/select", summary="Watch as this profile in this session")
def select_profile(
    profile_id: uuid.UUID,
    viewer: CurrentViewer,
    ctx: ContextDep,
    session: SessionDep,
    body: ProfileSelect | None = None,
) -> ProfilePublic:
    """A locked profile answers 403 ``pin_required`` without ``pin`` and ``wrong_pin``
    with a wrong one; after too many wrong PINs, 429 for a few minutes. A profile beyond
    the plan's profile count answers 403 ``profile_over_plan``."""
    pin = body.pin if body is not None else None
    if pin is not None:
        profile_service.count_pin_attempt(ctx, profile_id=profile_id)
    profile = auth_service.select_profile(session, viewer=viewer, profile_id=profile_id, pin=pin)
    playback_service.forget_session(ctx, viewer.session.id)
    return profile_service.public(profile, selectable=True)


@router.put(
    "/{profile_id}/pin",
    summary="Lock a profile with a PIN, or unlock it",
    dependencies=[WriteRateLimit],
)
def set_pin(
    profile_id: uuid.UUID, body: ProfilePinUpdate, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    """Needs the account password; refused on a kids profile (403 ``kids_profile``)."""
    profile = auth_service.set_profile_pin(
        session, viewer=viewer, profile_id=profile_id, pin=body.pin, password=body.password
    )
    return profile_service.public_one(session, viewer=viewer, profile=profile)
