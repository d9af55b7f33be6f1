"""Signup, login, logout and the sessions behind cookies and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kinema.catalog.db import write_briefly
from kinema.catalog.models import AuthSession, Plan, Profile, Role, User, utcnow
from kinema.catalog.services import accounts, streams
from kinema.entitlements import DEFAULT_GRACE, Entitlements
from kinema.errors import ConfigError
from kinema_api.accounts.services.passwords import hash_password, needs_rehash, verify_password
from kinema_api.errors import Forbidden, Unauthorized

TOUCH_EVERY = timedelta(minutes=5)


class KidsProfile(Forbidden):
    """An account-level action (plan, devices, profiles, admin) from a kids profile."""

    code = "kids_profile"


class PinRequired(Forbidden):
    code = "pin_required"


class WrongPin(Forbidden):
    code = "wrong_pin"


class WrongPassword(Forbidden):
    code = "wrong_password"


class ProfileOverPlan(Forbidden):
    """A profile beyond the plan's profile count (after a downgrade) was picked, or is
    the one this session was watching as."""

    code = "profile_over_plan"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller: account, login session, selected profile, and the
    account's plan with what it entitles to now."""

    user: User
    session: AuthSession
    profile: Profile
    account: accounts.AccountPlan
    # False when ``profile`` is beyond the plan's profile count (chosen before a
    # downgrade): readable, but playback asks to pick another profile.
    profile_selectable: bool = True

    @property
    def plan(self) -> Plan:
        """The plan subscribed to (the free plan when none, or when it lapsed)."""
        return self.account.plan

    @property
    def entitlements(self) -> Entitlements:
        """What the account may do now; every check reads this, never ``plan``."""
        return self.account.entitlements

    @property
    def is_admin(self) -> bool:
        """Admin powers need an admin account AND a profile that is not a kids profile:
        the role is for the admin area, never for what a child may watch or do."""
        return self.user.role is Role.ADMIN and not self.profile.is_kids

    def require_selectable_profile(self) -> None:
        """Refuse watching as a profile the plan no longer lets be picked."""
        if not self.profile_selectable:
            raise ProfileOverPlan(
                f"the {self.entitlements.plan.name} plan allows "
                f"{self.entitlements.profiles} profile(s), and {self.profile.name!r} is not "
                "one of them; pick another profile or change plan"
            )

    def require_account_holder(self) -> None:
        """Refuse account-level actions (plan, devices, profiles, PINs) on a kids profile."""
        if self.profile.is_kids:
            raise KidsProfile(
                "this is a kids profile; switch to an adult profile to manage the account"
            )


@dataclass(frozen=True, slots=True)
class IssuedSession:
    token: str
    row: AuthSession


def signup(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str = "",
    role: Role = Role.VIEWER,
) -> User:
    user = accounts.create_user(
        session,
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        role=role,
    )
    session.commit()
    return user


def authenticate(session: Session, *, email: str, password: str) -> User:
    user = accounts.find_user_by_email(session, email=email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("wrong email or password")
    if not user.is_active:
        raise Forbidden("this account is disabled")
    if needs_rehash(user.password_hash):
        accounts.set_password_hash(session, user=user, password_hash=hash_password(password))
    return user


def issue_session(
    session: Session,
    *,
    user: User,
    kind: str,
    ttl_s: int,
    device_id: str | None = None,
    device_name: str = "",
    user_agent: str = "",
) -> IssuedSession:
    token = secrets.token_urlsafe(32)
    row = AuthSession(
        user_id=user.id,
        token_hash=token_hash(token),
        kind=kind,
        device_id=device_id,
        device_name=device_name[:120],
        user_agent=user_agent[:400],
        expires_at=utcnow() + timedelta(seconds=ttl_s),
        profile_id=user.profiles[0].id if user.profiles else None,
    )
    session.add(row)
    session.commit()
    return IssuedSession(token, row)


def resolve_token(session: Session, *, token: str, grace: timedelta = DEFAULT_GRACE) -> Viewer:
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    return resolve_session(session, row, grace=grace)


def resolve_session(
    session: Session, row: AuthSession | None, *, grace: timedelta, record_seen: bool = True
) -> Viewer:
    """The viewer of a login session row (refused as :func:`resolve_token` refuses);
    ``record_seen=False`` leaves its last-seen time to the caller (one already writing)."""
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at < now:
        raise Unauthorized("the session is invalid or expired; log in again")
    user = row.user
    if not user.is_active:
        raise Unauthorized("this account is disabled")
    account = accounts.account_plan(session, user_id=user.id, grace=grace)
    profiles = accounts.list_profiles(session, user_id=user.id)
    selectable = accounts.selectable_profiles(profiles, allowed=account.entitlements.profiles)
    profile = next((p for p in profiles if p.id == row.profile_id), None)
    profile = profile or accounts.fallback_profile(selectable)
    if record_seen and now - row.last_seen_at > TOUCH_EVERY:
        # Bookkeeping must not cost a page view the write lock: it is recorded in its own
        # short transaction (the caller's is read-only), and skipped when the lock is busy
        # (a later request records it).
        touch = (
            update(AuthSession)
            .where(AuthSession.id == row.id, AuthSession.last_seen_at < now - TOUCH_EVERY)
            .values(last_seen_at=now)
        )
        # Wait 50 ms at most: long enough for a typical write to finish, short enough
        # that a busy writer costs a page view nothing it would notice.
        if write_briefly(session.get_bind(), lambda conn: conn.execute(touch), lock_timeout_s=0.05):
            set_committed_value(row, "last_seen_at", now)
    return Viewer(user, row, profile, account, profile_selectable=profile in selectable)


def revoke(session: Session, *, row: AuthSession) -> None:
    """End a login session and its stream (the caller forgets its cached state)."""
    row.revoked_at = utcnow()
    streams.end_streams(session, session_id=row.id)
    session.commit()


def list_sessions(session: Session, *, user_id: uuid.UUID) -> list[AuthSession]:
    return list(
        session.scalars(
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
            .order_by(AuthSession.last_seen_at.desc())
        )
    )


def select_profile(
    session: Session, *, viewer: Viewer, profile_id: uuid.UUID, pin: str | None
) -> Profile:
    """Watch as ``profile_id`` in this login session; a locked profile needs its PIN."""
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    selectable = accounts.selectable_profiles(
        accounts.list_profiles(session, user_id=viewer.user.id),
        allowed=viewer.entitlements.profiles,
    )
    if profile not in selectable:
        raise ProfileOverPlan(
            f"the {viewer.entitlements.plan.name} plan allows {viewer.entitlements.profiles} "
            f"profile(s); {profile.name!r} stays readable but cannot be picked until you "
            "change plan or delete another profile"
        )
    if profile.pin_hash is not None and profile.id != viewer.profile.id:
        if pin is None:
            raise PinRequired(f"profile {profile.name!r} is locked; enter its PIN")
        if not verify_password(profile.pin_hash, pin):
            raise WrongPin(f"wrong PIN for profile {profile.name!r}")
    viewer.session.profile_id = profile.id
    session.commit()
    return profile


def set_profile_pin(
    session: Session, *, viewer: Viewer, profile_id: uuid.UUID, pin: str | None, password: str
) -> Profile:
    """Lock (``pin``) or unlock (None) a profile; the account password is required."""
    viewer.require_account_holder()
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    if not verify_password(viewer.user.password_hash, password):
        raise WrongPassword("the account password is wrong")
    profile.pin_hash = hash_password(pin) if pin is not None else None
    session.commit()
    return profile


def ensure_admin(session: Session, *, email: str, password: str | None) -> tuple[User, str | None]:
    """The admin account ``kinema up`` prints: created once, password reset only when
    one is given. Returns the user and the password when this call chose or set it.

    An existing viewer account with that email is never promoted here (its owner's
    password would become an admin's): that takes ``kinema admin promote EMAIL``.
    """
    accounts.ensure_sample_plans(session)
    user = accounts.find_user_by_email(session, email=email)
    if user is not None and user.role is not Role.ADMIN:
        raise ConfigError(
            f"KINEMA_ADMIN_EMAIL={email} belongs to an existing viewer account, which is "
            f"not made an admin automatically; run `kinema admin promote {email}` to make "
            "it one, or choose another KINEMA_ADMIN_EMAIL"
        )
    chosen = password or secrets.token_urlsafe(12)
    if user is None:
        user = accounts.create_user(
            session,
            email=email,
            password_hash=hash_password(chosen),
            display_name="Admin",
            role=Role.ADMIN,
            plan_slug="premium",
        )
        session.commit()
        return user, chosen
    changed = False
    if password is not None and not verify_password(user.password_hash, password):
        user.password_hash, changed = hash_password(password), True
    if changed:
        session.commit()
    return user, password if changed else None


def promote_admin(session: Session, *, email: str) -> User:
    """Give an existing account the admin role (``kinema admin promote``)."""
    user = accounts.find_user_by_email(session, email=email)
    if user is None:
        raise ConfigError(f"no account with email {email}; sign up first, then promote it")
    user.role = Role.ADMIN
    session.commit()
    return user
