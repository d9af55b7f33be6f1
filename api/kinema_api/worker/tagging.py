"""The embedded tagging worker: auto-tags titles once they are published, off the
request path (docs/auto-tagging.md).

Each pass queues a run for every published title with a ready video and none yet
(however it was published: the admin API, ``kinema up``'s ingest, a cluster's
catalog sync), then works through the queued runs one at a time. A run reads the
description, the stored subtitle tracks and a few keyframes (the transcoder's poster
and thumbnail sheets), asks Claude when ``KINEMA_ANTHROPIC_API_KEY`` is set and the
local classifier otherwise, and stores suggestions for an admin. A failure leaves the
title published and untagged, with the reason in the run.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.models import SuggestionSource, Title
from kinema.catalog.services import tagging as rows
from kinema.catalog.services.subtitle_text import SubtitleReader, read_text, ready_videos
from kinema.settings import Settings
from kinema.storage import ObjectStore, StorageError, join_key
from kinema.tagging import local
from kinema.tagging.claude import ClaudeFailed, ClaudeTagger
from kinema.tagging.types import Labelled, Suggested, TaggingInput
from kinema_api.worker.queue import QueueWorker

log = logging.getLogger("kinema.worker.tagging")
KEYFRAME_BYTES = 4 * 1024 * 1024
_IMAGE_REF = re.compile(r"^([^\s#]+\.jpe?g)(#xywh=[\d,]+)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Outcome:
    title_id: uuid.UUID
    source: SuggestionSource
    suggestions: list[Suggested]
    error: str | None


class TaggingWorker(QueueWorker):
    name = "tagging"

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        store: ObjectStore,
        wake: threading.Event | None = None,
    ) -> None:
        super().__init__(
            settings=settings,
            sessions=sessions,
            store=store,
            wake=wake,
            poll_s=settings.tagging_poll_s,
        )

    def _release(self, session: Session, *, prefix: str) -> int:
        return rows.release_claims(session, prefix=prefix)

    def run_once(self) -> Outcome | None:
        """Queue newly published titles, then tag one; None when none was queued."""
        with self.sessions() as session:
            rows.queue_published(session)
            run = rows.claim(session, worker=self.identity)
            if run is None:
                session.commit()
                return None
            title = session.get(Title, run.title_id)
            inp = self._input(title) if title is not None else None
            labelled = rows.catalog(session) if inp is not None else []
            session.commit()
        if inp is None:
            return None
        try:
            outcome = self.tag(inp, labelled)
        except Exception as exc:  # a bug must not leave the run "running" for ever
            log.exception("auto-tagging title %s failed", inp.title_id)
            reason = f"tagging failed unexpectedly: {type(exc).__name__}: {exc}"[:500]
            source = (
                SuggestionSource.LOCAL
                if self.settings.anthropic_api_key is None
                else SuggestionSource.CLAUDE
            )
            self._finish(uuid.UUID(inp.title_id), source, [], error=reason)
            return Outcome(uuid.UUID(inp.title_id), source, [], reason)
        log.info(
            "title %s: %d suggestion(s) from %s%s", outcome.title_id, len(outcome.suggestions),
            outcome.source.value, f" ({outcome.error})" if outcome.error else "",
        )  # fmt: skip
        return outcome

    def tag(self, inp: TaggingInput, labelled: list[Labelled]) -> Outcome:
        title_id = uuid.UUID(inp.title_id)
        if self.settings.anthropic_api_key is None:
            found = local.suggest(inp, labelled)
            self._finish(title_id, SuggestionSource.LOCAL, found)
            return Outcome(title_id, SuggestionSource.LOCAL, found, None)
        tagger = ClaudeTagger(self.settings, spent_this_month=self._month_cost)
        try:
            result = tagger.suggest(inp)
        except ClaudeFailed as exc:
            self._finish(
                title_id, SuggestionSource.CLAUDE, [], error=exc.reason,
                input_tokens=exc.usage.input_tokens, output_tokens=exc.usage.output_tokens,
                cost_usd=exc.usage.cost_usd,
            )  # fmt: skip
            return Outcome(title_id, SuggestionSource.CLAUDE, [], exc.reason)
        finally:
            tagger.close()
        u = result.usage
        self._finish(
            title_id, SuggestionSource.CLAUDE, result.suggestions,
            input_tokens=u.input_tokens, output_tokens=u.output_tokens, cost_usd=u.cost_usd,
        )  # fmt: skip
        return Outcome(title_id, SuggestionSource.CLAUDE, result.suggestions, None)

    def _month_cost(self) -> float:
        with self.sessions() as session:
            return rows.month_cost(session)

    def _finish(
        self,
        title_id: uuid.UUID,
        source: SuggestionSource,
        found: list[Suggested],
        **kwargs: object,
    ) -> None:
        with self.sessions() as session:
            rows.finish(
                session, title_id=title_id, worker=self.identity, source=source,
                suggestions=found, **kwargs,  # type: ignore[arg-type]
            )  # fmt: skip
            session.commit()

    def drain(self, limit: int = 10_000) -> list[Outcome]:
        """Tag every title waiting (``kinema tag-titles``: a cluster's CronJob)."""
        done: list[Outcome] = []
        while len(done) < limit and (outcome := self.run_once()) is not None:
            done.append(outcome)
        return done

    # --- inputs --------------------------------------------------------------------
    def _input(self, title: Title) -> TaggingInput:
        ready = ready_videos(title)
        reader = SubtitleReader(self.store)
        keys: list[str] = []
        if title.poster_key:
            keys.append(title.poster_key)
        for video in ready:
            prefix = video.output_prefix or ""
            if video.poster_path:
                keys.append(join_key(prefix, video.poster_path))
            if video.thumbnails_path:
                keys.extend(self._sheets(prefix, video.thumbnails_path))
        frames = [f for f in (self._jpeg(k) for k in dict.fromkeys(keys)) if f]
        descriptions = [title.description] + [v.description for v in ready if v.description]
        return TaggingInput(
            str(title.id),
            title.name,
            " ".join(d for d in descriptions if d),
            [g.name for g in title.genres],
            [t.name for t in title.tags],
            title.maturity.value,
            reader.title_text(title),
            frames[: self.settings.tagging_keyframes],
        )

    def _sheets(self, prefix: str, thumbnails_path: str) -> list[str]:
        """The thumbnail sheet images ``thumbnails.vtt`` names, in order."""
        folder = thumbnails_path.rpartition("/")[0]
        found = []
        for line in read_text(self.store, join_key(prefix, thumbnails_path)).splitlines():
            m = _IMAGE_REF.match(line.strip())
            if m and "://" not in m.group(1):
                found.append(join_key(prefix, folder, m.group(1)))
        return list(dict.fromkeys(found))

    def _jpeg(self, key: str) -> bytes | None:
        try:
            data = self.store.get_bytes(key)
        except (StorageError, OSError):
            return None
        return data if data[:3] == b"\xff\xd8\xff" and len(data) <= KEYFRAME_BYTES else None
