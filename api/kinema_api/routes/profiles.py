"""Profiles inside an account, and choosing which one this session watches as."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from kinema.catalog.services import accounts
from kinema_api.deps import CurrentViewer, SessionDep, WriteRateLimit
from kinema_api.schemas.auth import ProfileCreate, ProfilePublic, ProfileUpdate
from kinema_api.schemas.common import ERRORS, Message
from kinema_api.services import auth as auth_service

router = APIRouter(prefix="/profiles", tags=["profiles"], responses=ERRORS)


@router.get("", summary="Profiles of this account")
def list_profiles(viewer: CurrentViewer, session: SessionDep) -> list[ProfilePublic]:
    return [
        ProfilePublic.model_validate(p)
        for p in accounts.list_profiles(session, user_id=viewer.user.id)
    ]


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[WriteRateLimit])
def create_profile(
    body: ProfileCreate, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    profile = accounts.create_profile(
        session,
        user_id=viewer.user.id,
        name=body.name,
        is_kids=body.is_kids,
        max_maturity=body.max_maturity,
        avatar=body.avatar,
    )
    session.commit()
    return ProfilePublic.model_validate(profile)


@router.patch("/{profile_id}", dependencies=[WriteRateLimit])
def update_profile(
    profile_id: uuid.UUID, body: ProfileUpdate, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    accounts.update_profile(
        session, profile=profile, name=body.name, max_maturity=body.max_maturity, avatar=body.avatar
    )
    session.commit()
    return ProfilePublic.model_validate(profile)


@router.delete("/{profile_id}", dependencies=[WriteRateLimit])
def delete_profile(profile_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep) -> Message:
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    accounts.delete_profile(session, profile=profile)
    session.commit()
    return Message(message="profile deleted")


@router.post("/{profile_id}/select", summary="Watch as this profile in this session")
def select_profile(
    profile_id: uuid.UUID, viewer: CurrentViewer, session: SessionDep
) -> ProfilePublic:
    return ProfilePublic.model_validate(
        auth_service.select_profile(session, viewer=viewer, profile_id=profile_id)
    )
