"""The hot cache: browse answers every viewer shares, computed once per catalog version.

Home rows for one maturity limit, a page of ``/titles``, the genre list and the shared
part of a title page are the same for every viewer who may see them, and they are most
of what a browsing crowd asks. Each is kept in the cache (Redis in a cluster, so every
API replica shares one copy; the process's own memory embedded) under a key that holds
the catalog's version (:mod:`kinema.catalog.version`): a publish, a metadata edit or a
Video becoming ready changes the version, and every process computes afresh. Entries
also end after ``KINEMA_HOT_CACHE_TTL_S`` (30 s), which bounds how stale what the version
does not count (Trending's view counts) can be. Nothing per viewer is ever kept here:
progress, My List, ratings of one's own and Continue Watching are added per request.

Three layers keep a hit cheap (each :class:`HotStore` belongs to one :class:`AppContext`):

- **The version** is read from the database at most every ``VERSION_POLL_S`` (0.5 s) by
  a process, and at once after a catalog change this process committed
  (:func:`kinema.catalog.version.local_changes`): another replica's change is seen
  within half a second, this process's own at its next request.
- **Entries are kept as JSON** (and, in the process, also as the value they hold): an
  answer made of shared parts is served as the bytes that were cached, never parsed and
  serialized again.
- **Whole answers** that are the same for everyone with one maturity limit are indexed
  by their request (path, query string, limit) for the fast path
  (:mod:`kinema_api.catalog.fastpath`), which serves them without routing, a database
  session or a thread.

A cache that cannot be reached is a miss (the answer is computed), never an error.

A miss is computed once per process: the requests that miss the same entry meanwhile
wait for that computation and read its answer, instead of all computing it at once
(after a publish, or when an entry ends, a crowd of requests misses together; on a
shared core each computation then takes the others' time too, and none finishes).
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from kinema_api.cache import CacheUnavailable
from kinema_api.hotstore import VERSION_POLL_S, Shared

__all__ = ["VERSION_POLL_S", "Found", "Shared", "cached", "entry", "remember_answer"]

if TYPE_CHECKING:
    from kinema_api.context import AppContext

T = TypeVar("T")
PREFIX = "hot"
# Striped locks: one computation of a key at a time in this process (a fixed number of
# locks, so memory does not grow with keys; two keys may share one and wait in turn).
_LOCKS = [threading.Lock() for _ in range(64)]


def _lock(key: str) -> threading.Lock:
    return _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]


@dataclass(frozen=True)
class Found(Generic[T]):
    """An entry: its JSON, its value (shared between requests: copy it, never change
    it), and the catalog version it was computed at (None with the cache off)."""

    shared: Shared
    value: T
    version: int | None
    expires: float = 0.0  # on time.monotonic()'s clock


def answer_key(version_value: int, path: str, query: bytes, limit: str) -> str:
    """Where a whole shared answer to ``GET path?query`` for ``limit`` is indexed."""
    return f"answer:{version_value}:{limit}:{path}?{query.decode('latin-1')}"


def _from_cache(
    ctx: AppContext, full: str, adapter: TypeAdapter[T]
) -> tuple[Shared, T, float] | None:
    """An entry another process (or this one) wrote: its JSON, value, and how long it
    has left, from the wall-clock end written ahead of it (``<end>\\n<json>``)."""
    try:
        raw = ctx.cache.get(full)
    except CacheUnavailable:
        return None
    if raw is None:
        return None
    end, _, text = raw.partition("\n")
    body = text.encode()
    try:
        left = float(end) - time.time()
        return Shared.of(body), adapter.validate_json(body), left
    except (ValueError, ValidationError):
        return None  # written by an older release: recompute and replace it


def entry(
    ctx: AppContext,
    session: Session,
    *,
    key: str,
    adapter: TypeAdapter[T],
    compute: Callable[[], T],
) -> Found[T]:
    """``compute()``'s answer for ``key`` at the catalog's current version.

    The version is read before anything is computed, so an entry never holds data older
    than its key says (a change committed meanwhile leaves a newer answer under the older
    version, which the next request replaces)."""
    ttl = ctx.settings.hot_cache_ttl_s
    if ttl <= 0:
        value = compute()
        return Found(Shared.of(adapter.dump_json(value)), value, None)
    store = ctx.hot
    at = store.version(session)
    full = f"{PREFIX}:{at}:{key}"
    local = store.get(full)
    if local is not None:
        return Found(local.shared, local.value, at, local.expires)
    with _lock(full):
        # Another request may have computed it while this one waited.
        local = store.get(full)
        if local is not None:
            return Found(local.shared, local.value, at, local.expires)
        found = _from_cache(ctx, full, adapter)
        if found is not None and found[2] > 0:
            shared, value, left = found
        else:
            left = float(ttl)
            value = compute()
            shared = Shared.of(adapter.dump_json(value))
            with contextlib.suppress(CacheUnavailable):
                end = f"{time.time() + left:.3f}"
                ctx.cache.set(full, end + "\n" + shared.body.decode(), ttl_s=ttl)
        expires = time.monotonic() + min(left, ttl)
        store.put(full, shared, value, expires=expires)
        return Found(shared, value, at, expires)


def cached(
    ctx: AppContext,
    session: Session,
    *,
    key: str,
    adapter: TypeAdapter[T],
    compute: Callable[[], T],
) -> T:
    """The value of :func:`entry` (shared between requests: copy it, never change it)."""
    return entry(ctx, session, key=key, adapter=adapter, compute=compute).value


def remember_answer(
    ctx: AppContext, found: Found[Any], *, path: str, query: bytes, limit: str
) -> None:
    """Index ``found`` as the whole answer to ``GET path?query`` for every viewer with
    ``limit``, under the version it was computed at, for the fast path."""
    if found.version is None:
        return
    ctx.hot.put(
        answer_key(found.version, path, query, limit), found.shared, None, expires=found.expires
    )
