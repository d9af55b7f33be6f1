"""Signup, login, logout and the sessions behind cookies and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import AuthSession, Plan, Profile, Role, User, utcnow
from kinema.catalog.services import accounts
from kinema_api.errors import Forbidden, Unauthorized
from kinema_api.services.passwords import hash_password, needs_rehash, verify_password

TOUCH_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller: account, login session, selected profile, plan."""

    user: User
    session: AuthSession
    profile: Profile
    plan: Plan

    @property
    def is_admin(self) -> bool:
        return self.user.role is Role.ADMIN


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
    device_name: str = "",
    user_agent: str = "",
) -> IssuedSession:
    token = secrets.token_urlsafe(32)
    row = AuthSession(
        user_id=user.id,
        token_hash=token_hash(token),
        kind=kind,
        device_name=device_name[:120],
        user_agent=user_agent[:400],
        expires_at=utcnow() + timedelta(seconds=ttl_s),
        profile_id=user.profiles[0].id if user.profiles else None,
    )
    session.add(row)
    session.commit()
    return IssuedSession(token, row)


def resolve_token(session: Session, *, token: str) -> Viewer:
    row = session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at < now:
        raise Unauthorized("the session is invalid or expired; log in again")
    user = row.user
    if not user.is_active:
        raise Unauthorized("this account is disabled")
    profiles = accounts.list_profiles(session, user_id=user.id)
    profile = next((p for p in profiles if p.id == row.profile_id), None) or profiles[0]
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    return Viewer(user, row, profile, accounts.active_plan(session, user_id=user.id))


def revoke(session: Session, *, row: AuthSession) -> None:
    row.revoked_at = utcnow()
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


def revoke_by_id(session: Session, *, user_id: uuid.UUID, session_id: uuid.UUID) -> bool:
    row = session.get(AuthSession, session_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    revoke(session, row=row)
    return True


def select_profile(session: Session, *, viewer: Viewer, profile_id: uuid.UUID) -> Profile:
    profile = accounts.get_profile(session, user_id=viewer.user.id, profile_id=profile_id)
    viewer.session.profile_id = profile.id
    session.commit()
    return profile


def ensure_admin(session: Session, *, email: str, password: str | None) -> tuple[User, str | None]:
    """The admin account ``kinema up`` prints: created once, password reset only when
    one is given. Returns the user and the password when this call chose or set it."""
    accounts.ensure_sample_plans(session)
    user = accounts.find_user_by_email(session, email=email)
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
    if user.role is not Role.ADMIN:
        user.role, changed = Role.ADMIN, True
    if password is not None and not verify_password(user.password_hash, password):
        user.password_hash, changed = hash_password(password), True
    if changed:
        session.commit()
    return user, password if changed else None
