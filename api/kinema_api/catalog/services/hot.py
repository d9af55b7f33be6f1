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
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from kinema.catalog import version
from kinema_api.cache import CacheUnavailable
from kinema_api.context import AppContext

T = TypeVar("T")
PREFIX = "hot"


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
    try:
        raw = ctx.cache.get(full)
    except CacheUnavailable:
        raw = None
    if raw is not None:
        try:
            return adapter.validate_json(raw)
        except ValidationError:
            pass  # written by an older release: recompute and replace it
    value = compute()
    with contextlib.suppress(CacheUnavailable):
        ctx.cache.set(full, adapter.dump_json(value).decode(), ttl_s=ttl)
    return value
