"""Tokens resolved lately, and the one thing the browse fast path needs of each: the
maturity limit its profile browses with.

A full sign-in check reads the login session, the account, its plan and profiles (four
queries). The answers every viewer with one maturity limit shares (home rows, title
listings, genres, search: :mod:`kinema_api.catalog.fastpath`) need only that limit, so
each check that succeeds leaves it here, under the token's hash (as the database keeps
it), for ``ttl_s`` (3 s), and the fast path serves
those answers without the database. Nothing else reads this memo: every other route,
and anything of one viewer's own, checks the token in full at each request.

A change this process commits to a login session, an account, a subscription or a
profile (signing out, picking a profile, a profile's new limit, a disabled account)
forgets every token at once (:func:`install` hooks every ORM session, as
:mod:`kinema.catalog.version` does). A change made through another API replica reaches
this one's listings within ``ttl_s`` + ``GRACE_S`` (5 s); all it can show meanwhile is
title cards within the limit the token had a moment ago, never data of a viewer or a
stream.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from kinema.catalog.models import AuthSession, Maturity, Profile, Subscription, User

COOKIE = b"kinema_session"  # the web app's session cookie (deps.COOKIE_NAME)
TTL_S = 3.0
# Past ``ttl_s``, one request checks the token again while the others keep the limit for
# at most this much longer (not every request of a busy viewer at once).
GRACE_S = 2.0
MAX_ENTRIES = 100_000
_WATCHED = (AuthSession, Profile, Subscription, User)
_FLAG = "kinema_identity_changed"
_generation = 0
_generation_lock = threading.Lock()


def generation() -> int:
    """How many identity changes this process has committed."""
    return _generation


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, _WATCHED) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


def _after_commit(session: Session) -> None:
    global _generation
    if session.info.pop(_FLAG, False):
        with _generation_lock:
            _generation += 1


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


_installed = False


def install() -> None:
    """Hook every ORM session of this process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True


@dataclass(frozen=True, slots=True)
class Principal:
    """What a full check found, as plain values: who, through which login session, as
    which profile, with what limit."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    profile_id: uuid.UUID
    limit: Maturity
    is_admin: bool


@dataclass(frozen=True, slots=True)
class _Known:
    principal: Principal
    expires: float
    generation: int
    refreshing: bool = False


def credential(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The token a request presents, read as the routes' check reads it: a bearer token
    (``Authorization: Bearer <token>``), else the session cookie."""
    cookie: str | None = None
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token:
                return token.decode("latin-1")
        elif name == b"cookie" and cookie is None:
            for part in value.split(b";"):
                key, _, found = part.strip().partition(b"=")
                if key == COOKIE and found:
                    cookie = found.decode("latin-1")
    return cookie


class IdentityMemo:
    def __init__(self, *, ttl_s: float = TTL_S) -> None:
        install()
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._known: dict[str, _Known] = {}

    def remember(self, token_hash: str, principal: Principal, *, seen_at: int) -> None:
        """Keep what the full check found, as of when :func:`generation` was ``seen_at``
        (read before the check: a change committed meanwhile voids it)."""
        with self._lock:
            self._known[token_hash] = _Known(principal, time.monotonic() + self.ttl_s, seen_at)
            if len(self._known) > MAX_ENTRIES:
                now = time.monotonic()
                self._known = {t: k for t, k in self._known.items() if k.expires > now}
                while len(self._known) > MAX_ENTRIES // 2:
                    del self._known[next(iter(self._known))]

    def fresh(self, token_hash: str) -> Principal | None:
        """What the last full check of the token found, if it was within ``ttl_s``."""
        known = self._known.get(token_hash)
        if known is None or known.generation != _generation:
            return None
        return known.principal if time.monotonic() < known.expires else None

    def limit_of(self, token_hash: str) -> str | None:
        """The token's maturity limit if it was checked within ``ttl_s`` (or, while one
        caller checks it again, ``GRACE_S`` longer), else None."""
        known = self._known.get(token_hash)
        if known is None or known.generation != _generation:
            return None
        now = time.monotonic()
        if now < known.expires:
            return known.principal.limit.value
        if now >= known.expires + GRACE_S:
            return None
        with self._lock:
            if self._known.get(token_hash) is known and not known.refreshing:
                self._known[token_hash] = _Known(
                    known.principal, known.expires, known.generation, refreshing=True
                )
                return None  # this caller checks the token again
        return known.principal.limit.value
