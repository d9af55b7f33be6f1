"""Raw playback events past the retention, deleted off the request path.

``kinema up`` runs :class:`PruneLoop`, a background thread that prunes every
:data:`PRUNE_INTERVAL_S`; a cluster runs :func:`prune_once` from a CronJob through
``kinema prune-events``. Either way the deletes go in batches of
:data:`kinema.catalog.services.rollups.PRUNE_BATCH` rows, one transaction each, so a
large backlog never holds a long transaction against the players' writes. The hourly and
daily rollups the dashboard reads are never pruned.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.models import utcnow
from kinema.catalog.services import rollups
from kinema.settings import Settings
from kinema_api.worker.periodic import Periodic

log = logging.getLogger("kinema.analytics")

PRUNE_INTERVAL_S = 3600.0
# The first run waits, so `kinema up` is serving before a backlog is deleted.
FIRST_RUN_DELAY_S = 60.0


def prune_once(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    batch: int = rollups.PRUNE_BATCH,
    stopping: threading.Event | None = None,
) -> int:
    """Delete the raw events older than ``analytics_event_retention_days``; how many."""
    before = utcnow() - timedelta(days=settings.analytics_event_retention_days)
    with sessions() as session:
        deleted = rollups.prune_events(
            session, before=before, batch=batch, stop=stopping.is_set if stopping else None
        )
    log.info("analytics: pruned %d raw event(s) older than %s", deleted, before.isoformat())
    return deleted


@dataclass
class PruneLoop(Periodic):
    thread_name: ClassVar[str] = "kinema-prune"
    settings: Settings
    sessions: sessionmaker[Session]
    stopping: threading.Event
    interval_s: float = PRUNE_INTERVAL_S
    first_delay_s: float = FIRST_RUN_DELAY_S
    runs: int = 0

    def once(self) -> None:
        try:
            prune_once(self.settings, self.sessions, stopping=self.stopping)
            self.runs += 1
        except SQLAlchemyError as exc:
            log.warning("analytics: pruning raw events failed (%s); next run retries", exc)

    def delay_s(self) -> float:
        return self.interval_s


def start_pruning(
    settings: Settings, sessions: sessionmaker[Session], stopping: threading.Event
) -> PruneLoop:
    loop = PruneLoop(settings, sessions, stopping)
    loop.start()
    return loop
