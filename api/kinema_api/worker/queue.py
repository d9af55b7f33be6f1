"""A background thread that works through a queue kept in the database: it frees the
claims an earlier process on this host left, then runs one item at a time, and sleeps
until woken (or ``poll_s``) when there is nothing to do. Clip previews and auto-tagging
are such queues; subclasses say how to free claims and how to run one item."""

from __future__ import annotations

import logging
import os
import socket
import threading
from abc import ABC, abstractmethod

from sqlalchemy.orm import Session, sessionmaker

from kinema.settings import Settings
from kinema.storage import ObjectStore

log = logging.getLogger("kinema.worker")


class QueueWorker(ABC):
    """Subclasses set ``name`` (the thread's and the claim identity's suffix)."""

    name: str

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        store: ObjectStore,
        wake: threading.Event | None = None,
        poll_s: float = 5.0,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.wake = wake or threading.Event()
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.host = socket.gethostname()
        # Claims carry who made them; a restart on this host frees its own (prefix match).
        self.identity = f"{self.host}:{os.getpid()}/{self.name}"

    @abstractmethod
    def _release(self, session: Session, *, prefix: str) -> int:
        """Free the items whose claim starts with ``prefix``; how many."""

    def release_claims(self) -> int:
        """Free the items an earlier process on this host claimed; how many."""
        with self.sessions() as session:
            freed = self._release(session, prefix=f"{self.host}:")
            session.commit()
        return freed

    @abstractmethod
    def run_once(self) -> object:
        """Run one queued item; falsy when there was none."""

    def start(self) -> None:
        freed = self.release_claims()
        if freed:
            log.info("%s: re-queued %d interrupted item(s)", self.name, freed)
        self._thread = threading.Thread(target=self._loop, name=f"kinema-{self.name}", daemon=True)
        self._thread.start()
        self.wake.set()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = bool(self.run_once())
            except Exception:  # a bug in one item must not end the thread
                log.exception("%s: an item failed unexpectedly", self.name)
                worked = False
            if not worked:
                self.wake.wait(self.poll_s)
                self.wake.clear()
