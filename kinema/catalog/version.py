"""The catalog's version: one number that goes up with every committed change to what
browse shows, whoever makes it (the API, the operator, the embedded worker).

Caches shared between requests key their entries by it (``kinema_api.catalog.services.hot``),
so a publish, a metadata edit or a Video becoming ready is seen by every API process at
its next request, with no message between processes and no cache to purge. The bump
happens inside the writer's own transaction, just before it commits, from hooks on every
ORM :class:`~sqlalchemy.orm.Session` in the process (:func:`install`), so no write path
can forget it. Bulk ``update()``/``delete()`` statements on these tables bypass the hook; the
services issue none (and :func:`bump` is there for one that would).

What does not bump it: a Video's transcode ``progress`` and ``updated_at`` (they change
many times a minute and browse does not show them), and everything outside the catalog's
own tables (views, ratings, progress). Rows that depend on those (Trending) are cached for
a short TTL instead.

On PostgreSQL the bump takes the version row's lock as the transaction's last write, so
catalog writes queue behind each other only while one commits; they are rare next to
reads.

A process may keep the version it read for a moment rather than read it at every request
(the API's hot path does, for half a second): :func:`local_changes` counts the changes
this process committed, so such a copy is dropped at once after a change made here, and
only other processes' changes wait for the copy to age.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    AdCreative,
    CatalogVersion,
    Genre,
    Rendition,
    Season,
    Tag,
    Title,
    Track,
    Video,
)

ROW_ID = 1
WATCHED = (Title, Video, Season, Rendition, Track, Genre, Tag, AdCreative)
# Columns whose changes browse never shows.
QUIET: dict[type, frozenset[str]] = {
    Video: frozenset({"progress", "updated_at"}),
    Title: frozenset({"updated_at"}),
}


def current(session: Session) -> int:
    """The committed version as this session sees it (0 before the first change)."""
    value = session.scalar(select(CatalogVersion.value).where(CatalogVersion.id == ROW_ID))
    return int(value or 0)


def bump(connection: Connection) -> None:
    """Count one change, in the caller's transaction."""
    done = connection.execute(
        update(CatalogVersion)
        .where(CatalogVersion.id == ROW_ID)
        .values(value=CatalogVersion.value + 1)
    )
    if done.rowcount == 0:
        connection.execute(insert(CatalogVersion).values(id=ROW_ID, value=1))


def _changed(obj: object) -> bool:
    quiet = QUIET.get(type(obj), frozenset())
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key not in quiet)


FLAG = "kinema_catalog_changed"
BUMPED = "kinema_catalog_bumped"
_local_changes = 0
_local_lock = threading.Lock()


def local_changes() -> int:
    """How many catalog changes this process has committed (see the module's note)."""
    return _local_changes


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched = any(isinstance(o, WATCHED) for o in (*session.new, *session.deleted)) or any(
        isinstance(o, WATCHED) and _changed(o) for o in session.dirty
    )
    if touched:
        session.info[FLAG] = True


def _before_commit(session: Session) -> None:
    # Once per transaction, as its last write: the version row's lock is then the last
    # one the transaction takes, held only while it commits, so two writers can never
    # wait for each other through it.
    session.flush()
    if session.info.pop(FLAG, False):
        bump(session.connection())
        session.info[BUMPED] = True


def _after_commit(session: Session) -> None:
    global _local_changes
    if session.info.pop(BUMPED, False):
        with _local_lock:
            _local_changes += 1


def _after_rollback(session: Session) -> None:
    session.info.pop(FLAG, None)
    session.info.pop(BUMPED, None)


_installed = False


def install() -> None:
    """Hook every ORM session of this process (idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _installed = True
