"""The embedded recommender training loop: ``kinema up`` retrains every
``KINEMA_RECOMMEND_INTERVAL_S`` in a background thread (clusters run the same
:func:`train_once` and :func:`write_notes` as a CronJob through ``kinema
train-recommender``).

Training reads and writes the catalog in one transaction; a failure is logged and the
previous lists stay served until the next run. With ``KINEMA_ANTHROPIC_API_KEY`` set, each
run then asks Claude for the "why you may like it" notes the new top picks lack (one
request a profile, within the monthly cost cap); a failed request is logged and counted,
and the picks are shown without a note.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.services import why_notes
from kinema.catalog.services.recommendations import TrainReport, train
from kinema.catalog.services.subtitle_text import SubtitleReader
from kinema.catalog.services.tagging import month_cost
from kinema.recommend import why
from kinema.recommend.model import Config
from kinema.settings import Settings
from kinema.tagging.claude import Claude, ClaudeFailed, Usage, first_line
from kinema_api.worker.periodic import Periodic

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


@dataclass(frozen=True, slots=True)
class NotesReport:
    profiles: int = 0
    notes: int = 0
    failed: int = 0
    cost_usd: float = 0.0


def write_notes(
    settings: Settings, sessions: sessionmaker[Session], *, claude: Claude | None = None
) -> NotesReport:
    """Ask Claude for the notes the profiles' top picks lack; nothing without a key."""
    if settings.anthropic_api_key is None:
        return NotesReport()
    with sessions() as session:
        todo = why_notes.wanted(session, languages=why.LANGUAGES)
    if not todo:
        return NotesReport()

    def spent() -> float:
        with sessions() as session:
            return month_cost(session)

    client = claude or Claude(settings, spent_this_month=spent)
    profiles = notes = failed = 0
    cost = 0.0
    try:
        for item in todo:
            failure: ClaudeFailed | None = None
            usage = Usage()
            lines: dict[str, dict[str, str]] = {}
            try:
                text, usage = client.ask(why.SYSTEM, why.request_content(item.watched, item.picks))
                lines = why.parse_notes(text, item.picks)
            except ClaudeFailed as exc:
                failure, usage = exc, exc.usage
            except ValueError as exc:
                failure = ClaudeFailed(f"Claude's answer is not valid: {first_line(exc)}", usage)
            cost += usage.cost_usd
            with sessions() as session:
                if usage.input_tokens or usage.output_tokens:
                    why_notes.record_call(
                        session,
                        input_tokens=usage.input_tokens,
                        output_tokens=usage.output_tokens,
                        cost_usd=usage.cost_usd,
                        error=failure.reason if failure else None,
                    )
                if failure is None:
                    notes += why_notes.save(session, profile_id=item.profile_id, notes=lines)
                    profiles += 1
                session.commit()
            if failure is not None:
                failed += 1
                log.warning(
                    "recommend: no notes for profile %s: %s", item.profile_id, failure.reason
                )
                if failure.capped:
                    break
    finally:
        if claude is None:
            client.close()
    log.info("recommend: %d note(s) for %d profile(s), %d failed, USD %.4f",
             notes, profiles, failed, cost)  # fmt: skip
    return NotesReport(profiles, notes, failed, cost)


@dataclass
class TrainingLoop(Periodic):
    thread_name: ClassVar[str] = "kinema-recommend"
    settings: Settings
    sessions: sessionmaker[Session]
    stopping: threading.Event
    subtitles: SubtitleReader | None = None
    first_delay_s: float = FIRST_RUN_DELAY_S
    runs: int = 0

    def once(self) -> None:
        try:
            train_once(self.settings, self.sessions, self.subtitles)
            self.runs += 1
            write_notes(self.settings, self.sessions)
        except (SQLAlchemyError, ValueError, ArithmeticError) as exc:
            log.warning("recommend: training failed (%s); serving the previous lists", exc)

    def delay_s(self) -> float:
        return float(self.settings.recommend_interval_s)


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
