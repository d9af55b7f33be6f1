"""Progress reports, written together: every player reports every 10 s, so a crowd of
viewers is a steady stream of small writes, and one transaction each would spend the
database (and, on SQLite, its one writer) on commits.

:class:`ProgressWriter` is a group commit. A request hands its report to the writer's
thread and waits; the thread takes every report waiting at that moment (up to
``MAX_BATCH``) and handles them in one transaction with a few queries for the lot,
whatever their number:

1. the login sessions of their tokens, each with its account and profile (one query):
   a token that is unknown, revoked or expired, or an account that is disabled, is
   refused (401) as the full check refuses it; a session with no usable profile is
   checked in full (:func:`kinema_api.accounts.services.auth.resolve_token`);
2. the per-account write rate limit, counted for the lot (429 past it);
3. the videos and their titles: each report is checked against its profile's maturity
   limit and the title being published (404/403 as a title page answers);
4. the progress and history rows (:func:`kinema.catalog.services.viewing.record_progress_many`),
   the stream leases the reports keep alive, the sessions' last-seen time;
5. one commit, and only then each request is answered.

So a write the client was told succeeded is committed: nothing acknowledged is lost when
the process dies, and a database that fails fails every request of the batch (503, as
any request). Reports that arrive while a batch commits wait for the next, which is what
makes batches grow with the load. The cache (Continue Watching, resume) is refreshed
after the commit, as before. Closing the writer handles what is queued before it stops.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinema.catalog.db import engine_variant
from kinema.catalog.errors import NotFound
from kinema.catalog.models import (
    AuthSession,
    Maturity,
    Profile,
    Role,
    StreamLease,
    Title,
    User,
    Video,
    utcnow,
)
from kinema.catalog.services import viewing
from kinema.catalog.services.streams import LEASE_TTL
from kinema.catalog.services.viewing import ProgressRecord, ProgressReport
from kinema_api.accounts.services.auth import TOUCH_EVERY, resolve_session
from kinema_api.cache import CacheUnavailable
from kinema_api.catalog.services.viewer import cache_progress, check_visible_for
from kinema_api.context import AppContext
from kinema_api.errors import TooManyRequests, Unauthorized

log = logging.getLogger("kinema.api.progress")
MAX_BATCH = 512
INVALID = "the session is invalid or expired; log in again"


@dataclass(frozen=True, slots=True)
class _Who:
    user_id: uuid.UUID
    session_id: uuid.UUID
    profile_id: uuid.UUID
    limit: Maturity
    is_admin: bool


@dataclass(slots=True)
class _Pending:
    token_hash: str
    video_id: uuid.UUID
    position_s: float
    duration_s: float | None
    at: datetime
    future: Future[ProgressRecord]


class ProgressWriter:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        # Committed batches and the reports they held (tests, and what a batch averages).
        self.batches = 0
        self.reports = 0

    def submit(
        self, *, token_hash: str, video_id: uuid.UUID, position_s: float, duration_s: float | None
    ) -> Future[ProgressRecord]:
        """Queue one report; the future ends once it is committed (or refused)."""
        future: Future[ProgressRecord] = Future()
        item = _Pending(token_hash, video_id, position_s, duration_s, utcnow(), future)
        with self._lock:
            if self._closed:
                raise RuntimeError("the progress writer is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kinema-progress", daemon=True
                )
                self._thread.start()
            self._queue.put(item)
        return future

    def close(self) -> None:
        """Handle every queued report, then stop."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is None:
                return
            self._queue.put(None)
        thread.join(60)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch = [] if first is None else [first]
            stop = first is None
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    continue
                batch.append(more)
            if batch:
                self._write(batch)
            if stop and self._queue.empty():
                return

    def _write(self, batch: list[_Pending]) -> None:
        ctx = self._ctx
        engine = engine_variant(ctx.engine, lock_timeout_s=ctx.settings.db_write_timeout_s)
        done: list[tuple[_Pending, uuid.UUID, ProgressRecord]] = []
        try:
            with ctx.sessions(bind=engine) as session:
                done = self._apply(session, batch)
                session.commit()
            self.batches += 1
            self.reports += len(batch)
        except BaseException as exc:  # the database failed: every request of the batch
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        records: dict[uuid.UUID, list[ProgressRecord]] = {}
        for _, profile_id, record in done:
            records.setdefault(profile_id, []).append(record)
        cache_progress(ctx, records)
        for item, _, record in done:
            item.future.set_result(record)

    def _apply(
        self, session: Session, batch: list[_Pending]
    ) -> list[tuple[_Pending, uuid.UUID, ProgressRecord]]:
        who = self._who(session, {item.token_hash for item in batch})
        live: list[tuple[_Pending, _Who]] = []
        for item in batch:
            found = who.get(item.token_hash)
            if found is None:
                item.future.set_exception(Unauthorized(INVALID))
            else:
                live.append((item, found))
        live = self._rate_limited(live)
        titles = {
            vid: (title_id, published, maturity)
            for vid, title_id, published, maturity in session.execute(
                select(Video.id, Title.id, Title.published, Title.maturity)
                .join(Title, Title.id == Video.title_id)
                .where(Video.id.in_({item.video_id for item, _ in live}))
            )
        }
        allowed: list[tuple[_Pending, _Who]] = []
        for item, w in live:
            title = titles.get(item.video_id)
            if title is None:
                item.future.set_exception(NotFound(f"no video {item.video_id}"))
                continue
            title_id, published, maturity = title
            try:
                check_visible_for(
                    w.is_admin, w.limit, title_id=title_id, published=published, maturity=maturity
                )
            except Exception as exc:  # refused: this request only
                item.future.set_exception(exc)
                continue
            allowed.append((item, w))
        reports = [
            ProgressReport(w.profile_id, item.video_id, item.position_s, item.duration_s, item.at)
            for item, w in allowed
        ]
        results = viewing.record_progress_many(session, reports)
        done: list[tuple[_Pending, uuid.UUID, ProgressRecord]] = []
        for (item, w), result in zip(allowed, results, strict=True):
            if isinstance(result, NotFound):
                item.future.set_exception(result)
            else:
                done.append((item, w.profile_id, result))
        now = utcnow()
        sessions = {w.session_id for item, w in allowed}
        if sessions:
            # A progress report is the playing device's heartbeat: it keeps its lease.
            session.execute(
                update(StreamLease)
                .where(
                    StreamLease.session_id.in_(sessions),
                    StreamLease.last_seen_at >= now - LEASE_TTL,
                )
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
            session.execute(
                update(AuthSession)
                .where(AuthSession.id.in_(sessions), AuthSession.last_seen_at < now - TOUCH_EVERY)
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
        return done

    def _who(self, session: Session, hashes: set[str]) -> dict[str, _Who]:
        """The valid login sessions among ``hashes``, each with its account and profile
        (one query); a session whose profile is unset or gone is checked in full."""
        now = utcnow()
        # Any: the outer join makes the profile's columns optional, which the row type
        # does not say.
        rows: Sequence[Any] = session.execute(
            select(
                AuthSession.token_hash,
                AuthSession.id,
                AuthSession.user_id,
                AuthSession.revoked_at,
                AuthSession.expires_at,
                User.is_active,
                User.role,
                Profile.id,
                Profile.max_maturity,
                Profile.is_kids,
            )
            .join(User, User.id == AuthSession.user_id)
            .outerjoin(
                Profile,
                (Profile.id == AuthSession.profile_id) & (Profile.user_id == AuthSession.user_id),
            )
            .where(AuthSession.token_hash.in_(hashes))
        ).all()
        found: dict[str, _Who] = {}
        for th, sid, uid, revoked, expires, active, role, pid, limit, kids in rows:
            if revoked is not None or expires < now or not active:
                continue
            if pid is None:
                full = self._full_check(session, th)
                if full is not None:
                    found[th] = full
                continue
            found[th] = _Who(uid, sid, pid, limit, role is Role.ADMIN and not kids)
        return found

    def _full_check(self, session: Session, th: str) -> _Who | None:
        row = session.scalar(select(AuthSession).where(AuthSession.token_hash == th))
        try:
            viewer = resolve_session(
                session, row, grace=self._ctx.settings.billing_grace, record_seen=False
            )
        except Unauthorized:
            return None
        return _Who(
            viewer.user.id,
            viewer.session.id,
            viewer.profile.id,
            viewer.profile.max_maturity,
            viewer.is_admin,
        )

    def _rate_limited(self, live: list[tuple[_Pending, _Who]]) -> list[tuple[_Pending, _Who]]:
        per_min = self._ctx.settings.write_rate_limit_per_min
        keys = [f"rl:write:{w.user_id.hex}" for _, w in live]
        try:
            counts = self._ctx.cache.hit_many(keys, window_s=60)
        except CacheUnavailable:
            return live  # fail open: a cache outage must not lock everyone out
        kept: list[tuple[_Pending, _Who]] = []
        for (item, w), count in zip(live, counts, strict=True):
            if count > per_min:
                item.future.set_exception(
                    TooManyRequests(
                        f"too many requests; at most {per_min} a minute, retry shortly",
                        headers={"Retry-After": "60"},
                    )
                )
            else:
                kept.append((item, w))
        return kept


_start_lock = threading.Lock()


def writer_of(ctx: AppContext) -> ProgressWriter:
    """The context's writer, made at its first report and closed with the context
    (before its database goes: what is queued is written)."""
    writer = ctx.progress_writer
    if not isinstance(writer, ProgressWriter):
        with _start_lock:
            writer = ctx.progress_writer
            if not isinstance(writer, ProgressWriter):
                writer = ProgressWriter(ctx)
                ctx.progress_writer = writer
                ctx.on_close.insert(0, writer.close)
    return writer
