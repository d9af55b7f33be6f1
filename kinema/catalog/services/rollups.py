"""Player events in, rollups out: a batch of validated events is written as raw rows and
added to the per-hour and per-day rollups in the same transaction.

What one event adds (the definitions are in ``docs/analytics.md``):

- ``start`` (sent at the first frame, with ``startup_ms``): a play, and its startup time
  into the sum and the 10 ms histogram.
- ``end`` and ``error`` (the player's report of one viewing): a view, with its watch time,
  stalls, bitrate, switches, how far it got, and what it ended as: an exit before video
  start (no first frame, no error), a video start failure (error before the first frame),
  a playback failure (error after it) or a success.
- Any other kind (heartbeat, stall, seek, quality change, ad events): the raw row only.

Rows are added to with ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``, which
PostgreSQL and SQLite both speak; a batch is summed in Python first, so one statement never
touches a row twice, and rows are written in key order, so concurrent batches take row
locks in the same order.

Raw events past the retention are deleted by :func:`prune_events` in batches, each its own
transaction (a scheduled job's work: ``kinema prune-events``, never a player's request).
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    ErrorRollup,
    PlaybackEvent,
    PlaybackRollup,
    RetentionRollup,
    StartupRollup,
    Video,
)
from kinema.catalog.models.analytics import GRAINS
from kinema.catalog.services import audience_rollups
from kinema.catalog.services.rollup_upsert import bucket_of, upsert_counts

# Startup times are kept to this resolution (and reported to it).
STARTUP_BUCKET_MS = 10
# Retention steps, in percent of the duration.
REACH_STEP_PCT = 5
# A view that got this far counts as completed.
COMPLETION_FRACTION = 0.9
SUMMARY_KINDS = frozenset({"end", "error"})


@dataclass(frozen=True)
class Dimensions:
    plan: str = "unknown"
    browser: str = "unknown"
    rung: str = "unknown"
    # The operating system family (audience rollups only; see audience_rollups).
    os: str = "unknown"


@dataclass(frozen=True)
class IngestEvent:
    """One event as the edge accepted it: ``at`` is the server's idea of when it happened."""

    video_id: uuid.UUID
    profile_id: uuid.UUID | None
    kind: str
    at: datetime
    position_s: float | None = None
    bitrate: int | None = None
    payload: Mapping[str, Any] | None = None
    dims: Dimensions = field(default_factory=Dimensions)


def _number(payload: Mapping[str, Any], key: str) -> float | None:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def error_code(payload: Mapping[str, Any]) -> str:
    """The code a failed view is counted under: the last (fatal) one the player gave."""
    codes = [c.strip() for c in str(payload.get("error_codes") or "").split(",") if c.strip()]
    return codes[-1][:32] if codes else "none"


def reach_of(event: IngestEvent) -> float | None:
    """How far a view got, as a fraction of the video (None when it did not say)."""
    payload = event.payload or {}
    duration = _number(payload, "duration_s")
    if event.position_s is None or duration is None or duration <= 0:
        return None
    return min(max(event.position_s / duration, 0.0), 1.0)


@dataclass
class _Sums:
    """What one batch adds, per table and key."""

    playback: dict[tuple[Any, ...], dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    startup: dict[tuple[Any, ...], float] = field(default_factory=lambda: defaultdict(float))
    errors: dict[tuple[Any, ...], float] = field(default_factory=lambda: defaultdict(float))
    retention: dict[tuple[Any, ...], float] = field(default_factory=lambda: defaultdict(float))


def outcome(event: IngestEvent) -> str:
    """What a view (an ``end``/``error`` report) ended as: ``ok``, ``ebvs`` (no first
    frame, no error), ``start_failure`` (error before the first frame) or
    ``playback_failure`` (error after it)."""
    payload = event.payload or {}
    started = _number(payload, "startup_ms") is not None
    failed = event.kind == "error" or (_number(payload, "fatal_errors") or 0) > 0
    if not started:
        return "start_failure" if failed else "ebvs"
    return "playback_failure" if failed else "ok"


def _facts(event: IngestEvent) -> dict[str, float]:
    """The playback_rollups columns one event adds to."""
    payload = event.payload or {}
    if event.kind == "start":
        startup = _number(payload, "startup_ms")
        out = {"plays": 1.0}
        if startup is not None:
            out["startup_ms_sum"] = float(round(startup))
        return out
    if event.kind not in SUMMARY_KINDS:
        return {}
    watched_ms = round((_number(payload, "watched_s") or 0.0) * 1000)
    out = {
        "views": 1.0,
        "watched_ms": float(watched_ms),
        "rebuffer_ms": float(round(_number(payload, "rebuffer_ms") or 0)),
        "rebuffer_count": float(round(_number(payload, "rebuffer_count") or 0)),
        "switches": float(round(_number(payload, "bitrate_switches") or 0)),
    }
    ended = outcome(event)
    if ended != "ok":
        out[{"ebvs": "ebvs", "start_failure": "start_failures"}.get(ended, "playback_failures")] = (
            1.0
        )
    bitrate = _number(payload, "average_bitrate")
    if bitrate is None and event.bitrate is not None:
        bitrate = float(event.bitrate)
    if bitrate is not None and watched_ms > 0:
        out["bitrate_ms"] = bitrate * watched_ms
        out["bitrate_watched_ms"] = float(watched_ms)
    reach = reach_of(event)
    if reach is not None:
        out["reach_views"] = 1.0
        if reach >= COMPLETION_FRACTION:
            out["completed"] = 1.0
    return out


def _summed(events: Iterable[IngestEvent], titles: Mapping[uuid.UUID, uuid.UUID]) -> _Sums:
    sums = _Sums()
    for event in events:
        facts = _facts(event)
        if not facts:
            continue
        payload = event.payload or {}
        dims = (event.dims.plan, event.dims.browser, event.dims.rung)
        for grain in GRAINS:
            key = (grain, bucket_of(event.at, grain), event.video_id, *dims)
            row = sums.playback[(*key, titles[event.video_id])]
            for column, amount in facts.items():
                row[column] += amount
            if "startup_ms_sum" in facts:
                ms = int(facts["startup_ms_sum"])
                sums.startup[(*key, ms - ms % STARTUP_BUCKET_MS)] += 1
            if "start_failures" in facts:
                sums.errors[(*key, "start", error_code(payload))] += 1
            elif "playback_failures" in facts:
                sums.errors[(*key, "playback", error_code(payload))] += 1
            reach = reach_of(event) if "reach_views" in facts else None
            if reach is not None:
                step = min(int(reach * 100) // REACH_STEP_PCT * REACH_STEP_PCT, 100)
                sums.retention[(*key, step)] += 1
    return sums


_KEY = ("grain", "bucket", "video_id", "plan", "browser", "rung")
# The additive columns of a playback rollup: what ingest adds up and queries sum.
COUNTS = (
    "plays",
    "startup_ms_sum",
    "views",
    "ebvs",
    "start_failures",
    "playback_failures",
    "watched_ms",
    "rebuffer_ms",
    "rebuffer_count",
    "bitrate_ms",
    "bitrate_watched_ms",
    "switches",
    "completed",
    "reach_views",
)


def _integer(column: str, value: float) -> float | int:
    return value if column == "bitrate_ms" else round(value)


def add_to_rollups(
    session: Session, *, events: Sequence[IngestEvent], titles: Mapping[uuid.UUID, uuid.UUID]
) -> None:
    """Add ``events`` to the rollups (``titles``: each event's video's title)."""
    sums = _summed(events, titles)
    playback = []
    for (*key, title_id), facts in sums.playback.items():
        row: dict[str, Any] = dict(zip(_KEY, key, strict=True)) | {"title_id": title_id}
        row |= {c: _integer(c, facts.get(c, 0.0)) for c in COUNTS}
        playback.append(row)
    upsert_counts(session, PlaybackRollup, playback, COUNTS)
    extras: tuple[tuple[Any, tuple[str, ...], dict[tuple[Any, ...], float]], ...] = (
        (StartupRollup, ("bucket_ms",), sums.startup),
        (ErrorRollup, ("phase", "code"), sums.errors),
        (RetentionRollup, ("reach_pct",), sums.retention),
    )
    for model, extra, sums_of in extras:
        rows = [
            dict(zip((*_KEY, *extra), key, strict=True))
            | {"title_id": titles[key[2]], "count": round(n)}
            for key, n in sums_of.items()
        ]
        upsert_counts(session, model, rows, ("count",))


def record_events(session: Session, *, events: Sequence[IngestEvent]) -> list[IngestEvent]:
    """Write a batch of events (raw rows and rollups; the caller commits). Events on videos
    that do not exist are left out; returns those written."""
    ids = {e.video_id for e in events}
    titles: dict[uuid.UUID, uuid.UUID] = {
        video_id: title_id
        for video_id, title_id in session.execute(
            select(Video.id, Video.title_id).where(Video.id.in_(ids))
        )
    }
    kept = [e for e in events if e.video_id in titles]
    if not kept:
        return []
    session.execute(
        insert(PlaybackEvent),
        [
            {
                "id": uuid.uuid4(),
                "video_id": e.video_id,
                "profile_id": e.profile_id,
                "kind": e.kind,
                "position_s": e.position_s,
                "bitrate": e.bitrate,
                "payload": dict(e.payload or {}) | _dims_payload(e.dims),
                "created_at": e.at,
            }
            for e in kept
        ],
    )
    add_to_rollups(session, events=kept, titles=titles)
    audience_rollups.add_to_audience(session, events=kept, titles=titles)
    return kept


def _dims_payload(dims: Dimensions) -> dict[str, str]:
    """The dimensions, kept on the raw row too (rebuilding rollups needs them)."""
    return {"_plan": dims.plan, "_browser": dims.browser, "_rung": dims.rung, "_os": dims.os}


# Raw events deleted per transaction when pruning: each batch's locks and undo are small,
# so a month of backlog never holds one long transaction against the players' writes.
PRUNE_BATCH = 5000


def prune_events(
    session: Session,
    *,
    before: datetime,
    batch: int = PRUNE_BATCH,
    stop: Callable[[], bool] | None = None,
) -> int:
    """Delete raw events older than ``before``, ``batch`` rows per transaction (each one
    committed here), until none is left or ``stop()`` says so; how many. The rollups
    keep their sums."""
    deleted = 0
    while stop is None or not stop():
        oldest = (
            select(PlaybackEvent.id)
            .where(PlaybackEvent.created_at < before)
            .order_by(PlaybackEvent.created_at)
            .limit(batch)
        )
        result = session.execute(delete(PlaybackEvent).where(PlaybackEvent.id.in_(oldest)))
        session.commit()
        n = int(getattr(result, "rowcount", 0) or 0)
        deleted += n
        if n < batch:
            break
    return deleted
