"""Profiles inside an account: each change in one transaction, and the limit on wrong
PIN guesses (counted in the cache, per profile)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kinema.catalog.models import Maturity, Profile
from kinema.catalog.services import accounts
from kinema_api.accounts.services.auth import Viewer
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext
from kinema_api.errors import TooManyRequests

# PIN guesses per locked profile in PIN_WINDOW_S: a 4-digit PIN takes months to guess.
PIN_TRIES = 10
PIN_WINDOW_S = 300


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


def delete(session: Session, *, viewer: Viewer, profile_id: uuid.UUID) -> None:
    viewer.require_account_holder()
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    accounts.delete_profile(session, profile=profile)
    session.commit()


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
