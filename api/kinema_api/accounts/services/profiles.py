"""Profiles inside an account: each change in one transaction, which of them the plan
lets be picked, and the limit on wrong PIN guesses (counted in the cache, per profile)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import AuthSession, Maturity, Profile
from kinema.catalog.services import accounts
from kinema_api.accounts.schemas import ProfilePublic
from kinema_api.accounts.services.auth import Viewer
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext
from kinema_api.errors import TooManyRequests
from kinema_api.viewing.services.playback import forget_session

# PIN guesses per locked profile in PIN_WINDOW_S: a 4-digit PIN takes months to guess.
PIN_TRIES = 10
PIN_WINDOW_S = 300


def listing(session: Session, *, viewer: Viewer) -> list[ProfilePublic]:
    """Every profile of the account, oldest first, each saying whether the plan lets it
    be picked (``/auth/me``'s ``entitlements.profiles`` says how many may)."""
    profiles = accounts.list_profiles(session, user_id=viewer.user.id)
    selectable = accounts.selectable_profiles(profiles, allowed=viewer.entitlements.profiles)
    return [public(p, selectable=p in selectable) for p in profiles]


def public(profile: Profile, *, selectable: bool) -> ProfilePublic:
    return ProfilePublic.model_validate(profile).model_copy(update={"selectable": selectable})


def public_one(session: Session, *, viewer: Viewer, profile: Profile) -> ProfilePublic:
    return next(p for p in listing(session, viewer=viewer) if p.id == profile.id)


def create(
    session: Session,
    *,
    viewer: Viewer,
    name: str,
    is_kids: bool,
    max_maturity: Maturity | None,
    avatar: str | None,
) -> Profile:
    viewer.require_account_holder()
    profile = accounts.create_profile(
        session,
        user_id=viewer.user.id,
        name=name,
        is_kids=is_kids,
        max_maturity=max_maturity,
        avatar=avatar,
    )
    session.commit()
    return profile


def update(
    session: Session,
    *,
    viewer: Viewer,
    profile_id: uuid.UUID,
    name: str | None,
    max_maturity: Maturity | None,
    avatar: str | None,
) -> Profile:
    viewer.require_account_holder()
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    accounts.update_profile(
        session, profile=profile, name=name, max_maturity=max_maturity, avatar=avatar
    )
    session.commit()
    return profile


def delete(ctx: AppContext, session: Session, *, viewer: Viewer, profile_id: uuid.UUID) -> None:
    """Delete a profile (not the last, nor the last adult one); its streams end, and the
    sessions watching as it (this one included) fall back to another profile at once."""
    viewer.require_account_holder()
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    watching = list(
        session.scalars(select(AuthSession.id).where(AuthSession.profile_id == profile.id))
    )
    accounts.delete_profile(session, profile=profile)
    session.commit()
    for session_id in watching:
        forget_session(ctx, session_id)


def count_pin_attempt(ctx: AppContext, *, profile_id: uuid.UUID) -> None:
    """Refused (429) after too many PIN guesses for one profile within the window; an
    unavailable cache counts nothing rather than locking everyone out."""
    try:
        tries = ctx.cache.hit(f"rl:pin:{profile_id.hex}", window_s=PIN_WINDOW_S)
    except CacheUnavailable:
        tries = 0
    if tries > PIN_TRIES:
        raise TooManyRequests(
            "too many PIN attempts for this profile; wait a few minutes",
            headers={"Retry-After": str(PIN_WINDOW_S)},
        )
