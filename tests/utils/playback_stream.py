"""A realistic generated stream of player events, for the analytics tests and benchmark.

Viewings spread over days with quiet hours (gaps); each is one of: an exit before video
start (an ``end`` report with no startup time), a start failure (``error`` before the first
frame), a playback failure (``error`` after it), or a normal viewing. Started viewings send
``start`` (startup time), then heartbeats, stalls, seeks and quality changes (raw-only
kinds), then the player's report. Some reports do not say how far they got.

Every number is an integer or has at most three decimals, so an independent computation in
the test is exact. :func:`expected` is that computation, written from the definitions in
``docs/analytics.md``; it shares no code with the service.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from kinema.catalog.services.rollups import Dimensions, IngestEvent

PLANS = ("free", "standard", "premium")
BROWSERS = ("chrome", "firefox", "safari")
RUNGS = ("480p", "720p", "1080p")


@dataclass(frozen=True)
class Viewing:
    """What the test knows about one viewing (the facts its events report)."""

    video_id: uuid.UUID
    at: datetime
    dims: Dimensions
    outcome: str  # ebvs | start_failure | playback_failure | ok
    startup_ms: int | None
    watched_ms: int
    rebuffer_ms: int
    rebuffer_count: int
    position_s: float | None  # the furthest point reached, when reported
    duration_s: float

    @property
    def reach(self) -> float | None:
        return None if self.position_s is None else min(self.position_s / self.duration_s, 1.0)


def viewings(
    rng: random.Random,
    *,
    videos: Sequence[tuple[uuid.UUID, float]],
    start: datetime,
    days: int,
    per_day: int,
) -> list[Viewing]:
    out = []
    for day in range(days):
        for _ in range(per_day):
            # Nobody watches between 03:00 and 07:00: whole hours with no rows at all.
            hour = rng.choice([h for h in range(24) if not 3 <= h < 7])
            at = start + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
            video_id, duration = rng.choice(videos)
            dims = Dimensions(rng.choice(PLANS), rng.choice(BROWSERS), rng.choice(RUNGS))
            roll = rng.random()
            if roll < 0.08:
                out.append(Viewing(video_id, at, dims, "ebvs", None, 0, 0, 0, None, duration))
                continue
            if roll < 0.12:
                failed = Viewing(video_id, at, dims, "start_failure", None, 0, 0, 0, None, duration)
                out.append(failed)
                continue
            startup = int(min(rng.lognormvariate(math.log(900), 0.6), 30_000))
            watched_ms = rng.randrange(1, int(duration * 1000))
            stalls = rng.choice([0, 0, 0, 1, 2, 5])
            stall_ms = sum(rng.randrange(200, 4000) for _ in range(stalls))
            position = None
            if rng.random() < 0.9:
                position = round(min(1.0, rng.betavariate(0.7, 0.5)) * duration, 3)
            outcome = "playback_failure" if roll > 0.95 else "ok"
            out.append(
                Viewing(
                    video_id,
                    at,
                    dims,
                    outcome,
                    startup,
                    watched_ms,
                    stall_ms,
                    stalls,
                    position,
                    duration,
                )
            )
    return out


def events_of(v: Viewing, rng: random.Random) -> Iterator[IngestEvent]:
    def event(kind: str, at: datetime, **extra: Any) -> IngestEvent:
        return IngestEvent(
            video_id=v.video_id, profile_id=None, kind=kind, at=at, dims=v.dims, **extra
        )

    report: dict[str, Any] = {
        "startup_ms": v.startup_ms,
        "rebuffer_count": v.rebuffer_count,
        "rebuffer_ms": v.rebuffer_ms,
        "bitrate_switches": v.rebuffer_count,
        "fatal_errors": 1 if "failure" in v.outcome else 0,
        "error_codes": "1001,6007" if v.outcome == "start_failure" else "",
        "watched_s": v.watched_ms / 1000,
        "average_bitrate": 2_000_000 + 1000 * v.rebuffer_count,
    }
    if v.outcome == "playback_failure":
        report["error_codes"] = rng.choice(["3016", "1002,4040"])
    duration, position = v.duration_s, v.position_s
    if position is not None:
        report["duration_s"] = duration
    t = v.at
    if v.startup_ms is not None:
        t += timedelta(milliseconds=v.startup_ms)
        yield event("start", t, payload={"startup_ms": v.startup_ms})
        for i in range(rng.randrange(0, 4)):
            yield event("heartbeat", t + timedelta(seconds=10 * (i + 1)), position_s=10.0 * i)
        for _ in range(v.rebuffer_count):
            yield event("stall", t + timedelta(seconds=5), payload={"ms": 100})
        if rng.random() < 0.3:
            yield event("seek", t + timedelta(seconds=7), position_s=rng.uniform(0, duration))
        yield event("quality_change", t + timedelta(seconds=8), bitrate=2_000_000)
    kind = "error" if "failure" in v.outcome else "end"
    end_at = t + timedelta(milliseconds=v.watched_ms)
    yield event(
        kind, min(end_at, v.at + timedelta(minutes=59)), position_s=position, payload=report
    )


def stream(vs: Iterable[Viewing], rng: random.Random) -> list[IngestEvent]:
    return [e for v in vs for e in events_of(v, rng)]


# --- the independent computation ------------------------------------------------------


def nearest_rank(values: Sequence[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def expected(vs: Sequence[Viewing]) -> dict[str, Any]:
    """Startup p50/p95 (10 ms resolution), rebuffer %, EBVS %, completion % and retention
    over ``vs``, from the definitions."""
    started = [v for v in vs if v.startup_ms is not None]
    startups = [v.startup_ms // 10 * 10 for v in started if v.startup_ms is not None]
    watched = sum(v.watched_ms for v in vs)
    stalled = sum(v.rebuffer_ms for v in vs)
    reached = [v.reach for v in vs if v.reach is not None]
    curve = []
    for pct in range(0, 101, 5):
        n = sum(1 for r in reached if min(int(r * 100) // 5 * 5, 100) >= pct)
        curve.append(round(n / len(reached) * 100, 4) if reached else 0.0)
    return {
        "plays": len(started),
        "views": len(vs),
        "startup_p50_ms": nearest_rank(startups, 50),
        "startup_p95_ms": nearest_rank(startups, 95),
        "rebuffer_pct": round(stalled / (watched + stalled) * 100, 4) if watched else None,
        "ebvs_pct": round(sum(v.outcome == "ebvs" for v in vs) / len(vs) * 100, 4),
        "start_failure_pct": round(
            sum(v.outcome == "start_failure" for v in vs) / len(vs) * 100, 4
        ),
        "completion_pct": (
            round(sum(r >= 0.9 for r in reached) / len(reached) * 100, 4) if reached else None
        ),
        "retention": curve,
    }


def expected_drop_offs(vs: Sequence[Viewing], top: int = 3) -> list[tuple[int, int, float]]:
    """The ``top`` largest falls of the retention curve over ``vs`` between consecutive
    5 % points, largest first (ties: the earlier point), as (from %, to %, share of the
    views lost, %): counted from how many views reach each point, from the definitions."""
    steps = [min(int(r * 100) // 5 * 5, 100) for r in (v.reach for v in vs) if r is not None]

    def reaching(pct: int) -> int:
        return sum(1 for s in steps if s >= pct)

    falls = [(reaching(p) - reaching(p + 5), p) for p in range(0, 100, 5)]
    ranked = sorted((f for f in falls if f[0] > 0), key=lambda f: (-f[0], f[1]))
    return [(p, p + 5, round(n / len(steps) * 100, 4)) for n, p in ranked[:top]]


# --- quality: bitrate and switches that vary apart from the stalls ----------------------

RUNG_BITRATE = {"480p": 1_200_000, "720p": 3_000_000, "1080p": 6_000_000}


def reports_bitrate(v: Viewing) -> bool:
    """Whether the viewing's report gives an average bitrate (Safari on 480p does not)."""
    return not (v.dims.browser == "safari" and v.dims.rung == "480p")


def bitrate_of(v: Viewing) -> int:
    """The average bitrate the viewing reports: its rung's, less 1 kb/s per stall."""
    return RUNG_BITRATE[v.dims.rung] - 1000 * v.rebuffer_count


def switches_of(v: Viewing) -> int:
    """The bitrate switches the viewing reports: one per 97 s watched, at most 3."""
    return min(v.watched_ms // 97_000, 3)


def quality_stream(vs: Iterable[Viewing], rng: random.Random) -> list[IngestEvent]:
    """:func:`stream`, the same events from the same ``rng``, with each report's average
    bitrate and switches given by :func:`bitrate_of` and :func:`switches_of`, and no
    average bitrate where :func:`reports_bitrate` says so."""
    out = []
    for v in vs:
        for e in events_of(v, rng):
            if e.kind in ("end", "error"):
                payload = dict(e.payload or {})
                payload["bitrate_switches"] = switches_of(v)
                payload["average_bitrate"] = bitrate_of(v)
                if not reports_bitrate(v):
                    del payload["average_bitrate"]
                e = replace(e, payload=payload)
            out.append(e)
    return out


def expected_quality(vs: Sequence[Viewing]) -> dict[str, Any]:
    """Average bitrate, bitrate switches per view, stalls per minute watched, and start and
    playback failures as % of views over ``vs`` sent by :func:`quality_stream`, from the
    definitions: the bitrate is weighted by watch time over the views that reported one
    (a view that watched nothing weighs nothing); switches are per view, started or not."""
    views = len(vs)
    watched = sum(v.watched_ms for v in vs)
    stalls = sum(v.rebuffer_count for v in vs)
    rated = [v for v in vs if reports_bitrate(v)]
    rated_ms = sum(v.watched_ms for v in rated)
    weighted = sum(bitrate_of(v) * v.watched_ms for v in rated)

    def pct(outcome: str) -> float | None:
        return round(sum(v.outcome == outcome for v in vs) / views * 100, 4) if views else None

    return {
        "views": views,
        "average_bitrate": round(weighted / rated_ms, 4) if rated_ms else None,
        "switches_per_view": round(sum(switches_of(v) for v in vs) / views, 4) if views else None,
        "rebuffer_per_minute": round(stalls / (watched / 60_000), 4) if watched else None,
        "start_failure_pct": pct("start_failure"),
        "playback_failure_pct": pct("playback_failure"),
    }
