"""The hot cache: browse answers every viewer shares, computed once per catalog version.

Home rows for one maturity limit, a page of ``/titles``, the genre list and the shared
part of a title page are the same for every viewer who may see them, and they are most
of what a browsing crowd asks. Each is kept in the cache (Redis in a cluster, so every
API replica shares one copy; the process's own memory embedded) under a key that holds
the catalog's version (:mod:`kinema.catalog.version`), read from the database at each
request: a publish, a metadata edit or a Video becoming ready changes the version, and
the next request of every process computes afresh. Entries also end after
``KINEMA_HOT_CACHE_TTL_S`` (30 s), which bounds how stale what the version does not
count (Trending's view counts) can be. Nothing per viewer is ever kept here: progress,
My List, ratings of one's own and Continue Watching are added per request.

A cache that cannot be reached is a miss (the answer is computed), never an error.

A miss is computed once per process: the requests that miss the same entry meanwhile
wait for that computation and read its answer, instead of all computing it at once
(after a publish, or when an entry ends, a crowd of requests misses together; on a
shared core each computation then takes the others' time too, and none finishes).
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Callable
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from kinema.catalog import version
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext

T = TypeVar("T")
PREFIX = "hot"
# Striped locks: one computation of a key at a time in this process (a fixed number of
# locks, so memory does not grow with keys; two keys may share one and wait in turn).
_LOCKS = [threading.Lock() for _ in range(64)]


def _lock(key: str) -> threading.Lock:
    return _LOCKS[zlib.crc32(key.encode()) % len(_LOCKS)]


def _read(ctx: AppContext, full: str, adapter: TypeAdapter[T]) -> T | None:
    try:
        raw = ctx.cache.get(full)
    except CacheUnavailable:
        return None
    if raw is None:
        return None
    try:
        return adapter.validate_json(raw)
    except ValidationError:
        return None  # written by an older release: recompute and replace it


def cached(
    ctx: AppContext,
    session: Session,
    *,
    key: str,
    adapter: TypeAdapter[T],
    compute: Callable[[], T],
) -> T:
    """``compute()``'s answer for ``key`` at the catalog's current version.

    The version is read before anything is computed, so an entry never holds data older
    than its key says (a change committed meanwhile leaves a newer answer under the older
    version, which the next request replaces)."""
    ttl = ctx.settings.hot_cache_ttl_s
    if ttl <= 0:
        return compute()
    full = f"{PREFIX}:{version.current(session)}:{key}"
    hit = _read(ctx, full, adapter)
    if hit is not None:
        return hit
    with _lock(full):
        # Another request may have computed it while this one waited.
        hit = _read(ctx, full, adapter)
        if hit is not None:
            return hit
        value = compute()
        with contextlib.suppress(CacheUnavailable):
            ctx.cache.set(full, adapter.dump_json(value).decode(), ttl_s=ttl)
        return value
