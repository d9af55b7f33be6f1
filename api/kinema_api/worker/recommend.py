"""The embedded recommender training loop: ``kinema up`` retrains every
``KINEMA_RECOMMEND_INTERVAL_S`` in a background thread (clusters run the same
:func:`train_once` as a CronJob through ``kinema train-recommender``).

Training reads and writes the catalog in one transaction; a failure is logged and the
previous lists stay served until the next run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.services.recommendations import TrainReport, train
from kinema.catalog.services.subtitle_text import SubtitleReader
from kinema.recommend.model import Config
from kinema.settings import Settings

log = logging.getLogger("kinema.recommend")

# The first run waits a little, so `kinema up` is serving before training competes.
FIRST_RUN_DELAY_S = 5.0


def model_config(settings: Settings) -> Config:
    return Config(lam=settings.recommend_lambda, half_life=settings.recommend_half_life)


def train_once(
    settings: Settings, sessions: sessionmaker[Session], subtitles: SubtitleReader | None = None
) -> TrainReport:
    """One run; ``subtitles`` adds the titles' subtitle words to their content vectors
    (a loop passes the same reader each run, so a file is read once)."""
    with sessions() as session:
        report = train(session, config=model_config(settings), subtitles=subtitles)
        session.commit()
    log.info(
        "recommend: trained on %d interaction(s), %d profile(s), %d title(s): %d rows in %.2f s",
        report.interactions, report.profiles, report.titles, report.rows, report.seconds,
    )  # fmt: skip
    return report


@dataclass
class TrainingLoop:
    settings: Settings
    sessions: sessionmaker[Session]
    stopping: threading.Event
    subtitles: SubtitleReader | None = None
    first_delay_s: float = FIRST_RUN_DELAY_S
    runs: int = 0
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kinema-recommend", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = self.first_delay_s
        while not self.stopping.wait(delay):
            try:
                train_once(self.settings, self.sessions, self.subtitles)
                self.runs += 1
            except (SQLAlchemyError, ValueError, ArithmeticError) as exc:
                log.warning("recommend: training failed (%s); serving the previous lists", exc)
            delay = float(self.settings.recommend_interval_s)


def start_training(
    settings: Settings,
    sessions: sessionmaker[Session],
    stopping: threading.Event,
    subtitles: SubtitleReader | None = None,
) -> TrainingLoop | None:
    """Start the loop; None when ``KINEMA_RECOMMEND_INTERVAL_S`` is 0."""
    if settings.recommend_interval_s <= 0:
        return None
    loop = TrainingLoop(settings, sessions, stopping, subtitles)
    loop.start()
    return loop
