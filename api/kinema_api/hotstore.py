"""What the hot cache keeps in the process (:mod:`kinema_api.catalog.services.hot`
computes and shares the entries; this is where one process keeps its copies).

One :class:`HotStore` per :class:`~kinema_api.context.AppContext`: the catalog version the
process read last (trusted for ``VERSION_POLL_S``, dropped at once after a catalog change
this process committed), and entries as JSON (:class:`Shared`) with their values, each
until its end, at most ``MAX_ENTRIES`` of them (the oldest go first).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kinema.catalog import version

# How long a process trusts the version it read (changes it made itself end it sooner).
VERSION_POLL_S = 0.5
# How many entries one process keeps (each a few tens of KB at most).
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class Shared:
    """A cached answer as JSON, with its entity tag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Shared:
        return cls(body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')


@dataclass(frozen=True)
class _Entry:
    shared: Shared
    value: Any
    expires: float


@dataclass(frozen=True)
class _Version:
    value: int
    read_at: float
    changes: int
    refreshing: bool = False  # a request is reading it afresh


class HotStore:
    """One context's copies: the version it last read, entries, whole answers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._version: _Version | None = None

    def fresh_version(self) -> int | None:
        """The version if it was read recently enough to trust, without any I/O.

        Once the copy is ``VERSION_POLL_S`` old, the first caller to ask is told None (it
        reads the version afresh through :meth:`version`), and the others keep the copy
        for another ``VERSION_POLL_S`` meanwhile, rather than a crowd reading it at once."""
        v = self._version
        if v is None or v.changes != version.local_changes():
            return None
        age = time.monotonic() - v.read_at
        if age < VERSION_POLL_S:
            return v.value
        if age >= 2 * VERSION_POLL_S:
            return None
        with self._lock:
            if self._version is v and not v.refreshing:
                self._version = _Version(v.value, v.read_at, v.changes, refreshing=True)
                return None
        return v.value

    def version(self, session: Session) -> int:
        """The version, read afresh once the copy is ``VERSION_POLL_S`` old."""
        v = self._version
        if (
            v is not None
            and v.changes == version.local_changes()
            and time.monotonic() - v.read_at < VERSION_POLL_S
        ):
            return v.value
        changes, read_at = version.local_changes(), time.monotonic()
        value = version.current(session)
        self._version = _Version(value, read_at, changes)
        return value

    def get(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            return None
        return entry

    def put(self, key: str, shared: Shared, value: Any, *, expires: float) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = _Entry(shared, value, expires)
            while len(self._entries) > MAX_ENTRIES:
                # Oldest first: dicts keep insertion order, and a re-put moves a key last.
                del self._entries[next(iter(self._entries))]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None
