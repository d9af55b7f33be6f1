"""Audience rollups, kept as events arrive (same transaction as the raw rows):

- plays, views and watch time per bucket, device (browser and operating system) and the
  other dimensions (``audience_rollups``; its hour rows make the heatmap);
- the profiles that played something per bucket (``profile_rollups``) and each profile's
  first play (``profile_first_plays``): new vs returning viewers;
- binge sessions, from each profile's current run of videos (``viewing_streaks``).

A **binge session** is a run of at least :data:`BINGE_VIDEOS` different videos played
one after another by a profile, each ``start`` less than :data:`BINGE_GAP` after the
profile's previous event (the report that ended the video before). It is counted once,
in the bucket of the play that makes it the third; that play adds 3 to ``binge_plays``
and each later video of the run 1. Playing the same video again within the gap keeps the
run going without adding to it. Runs are followed in the order events arrive: an event
older than the profile's latest one is counted in the other rollups but neither starts
nor extends a run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    AudienceRollup,
    ProfileFirstPlay,
    ProfileRollup,
    ViewingStreak,
)
from kinema.catalog.models.analytics import GRAINS
from kinema.catalog.services.rollup_upsert import bucket_of, insert_for, upsert_counts

if TYPE_CHECKING:
    from kinema.catalog.services.rollups import IngestEvent

BINGE_GAP = timedelta(minutes=30)
BINGE_VIDEOS = 3
AUDIENCE_COUNTS = ("plays", "views", "watched_ms", "binge_sessions", "binge_plays")
_IN_CHUNK = 500


@dataclass
class _Run:
    """A profile's run of videos (a viewing_streaks row)."""

    last_at: datetime
    last_video_id: uuid.UUID | None
    videos: int


def _watched_ms(event: IngestEvent) -> int:
    value = (event.payload or {}).get("watched_s")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return 0
    return max(0, round(float(value) * 1000))


def _load_runs(session: Session, profiles: Sequence[uuid.UUID]) -> dict[uuid.UUID, _Run]:
    """The profiles' runs, locked (PostgreSQL) until the batch commits."""
    runs: dict[uuid.UUID, _Run] = {}
    for start in range(0, len(profiles), _IN_CHUNK):
        chunk = profiles[start : start + _IN_CHUNK]
        rows = session.scalars(
            select(ViewingStreak)
            .where(ViewingStreak.profile_id.in_(chunk))
            .order_by(ViewingStreak.profile_id)
            .with_for_update()
        )
        for row in rows:
            runs[row.profile_id] = _Run(row.last_at, row.last_video_id, row.videos)
    return runs


def _binges(session: Session, events: Sequence[IngestEvent]) -> dict[int, tuple[int, int]]:
    """(binge sessions, binge plays) each event adds, by its index in ``events``; the
    profiles' runs are moved on and written back."""
    by_profile: dict[uuid.UUID, list[int]] = defaultdict(list)
    for i, event in enumerate(events):
        if event.profile_id is not None:
            by_profile[event.profile_id].append(i)
    if not by_profile:
        return {}
    runs = _load_runs(session, sorted(by_profile))
    out: dict[int, tuple[int, int]] = {}
    for profile_id, indexes in by_profile.items():
        run = runs.get(profile_id)
        for i in sorted(indexes, key=lambda i: events[i].at):
            event = events[i]
            if run is not None and event.at < run.last_at:
                continue  # arrived late: counted elsewhere, not in a run
            if event.kind == "start":
                close = run is not None and event.at - run.last_at < BINGE_GAP
                if run is None or not close:
                    run = _Run(event.at, event.video_id, 1)
                elif event.video_id != run.last_video_id:
                    run.videos += 1
                    run.last_video_id = event.video_id
                    if run.videos == BINGE_VIDEOS:
                        out[i] = (1, BINGE_VIDEOS)
                    elif run.videos > BINGE_VIDEOS:
                        out[i] = (0, 1)
            elif run is None:
                run = _Run(event.at, None, 0)
            run.last_at = event.at
        if run is not None:
            runs[profile_id] = run
    rows = [
        {
            "profile_id": p,
            "last_at": r.last_at,
            "last_video_id": r.last_video_id,
            "videos": r.videos,
        }
        for p, r in sorted(runs.items())
        if p in by_profile
    ]
    stmt = insert_for(session, ViewingStreak.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["profile_id"],
        set_={c: stmt.excluded[c] for c in ("last_at", "last_video_id", "videos")},
    )
    session.execute(stmt, rows)
    return out


def _first_plays(session: Session, firsts: Mapping[uuid.UUID, datetime]) -> None:
    """Keep each profile's earliest play (whatever order the events arrive in)."""
    if not firsts:
        return
    table = ProfileFirstPlay.__table__
    stmt = insert_for(session, table)
    earliest = func.least if session.get_bind().dialect.name == "postgresql" else func.min
    stmt = stmt.on_conflict_do_update(
        index_elements=["profile_id"],
        set_={"first_at": earliest(table.c.first_at, stmt.excluded.first_at)},
    )
    session.execute(stmt, [{"profile_id": p, "first_at": at} for p, at in sorted(firsts.items())])


def add_to_audience(
    session: Session, *, events: Sequence[IngestEvent], titles: Mapping[uuid.UUID, uuid.UUID]
) -> None:
    """Add ``events`` to the audience rollups (``titles``: each event's video's title)."""
    binges = _binges(session, events)
    audience: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    profiles: dict[tuple[Any, ...], int] = defaultdict(int)
    firsts: dict[uuid.UUID, datetime] = {}
    for i, event in enumerate(events):
        if event.kind == "start":
            facts = {"plays": 1}
        elif event.kind in ("end", "error"):
            facts = {"views": 1, "watched_ms": _watched_ms(event)}
        else:
            continue
        sessions, plays = binges.get(i, (0, 0))
        if sessions or plays:
            facts |= {"binge_sessions": sessions, "binge_plays": plays}
        d = event.dims
        for grain in GRAINS:
            key = (grain, bucket_of(event.at, grain), event.video_id, d.plan, d.browser, d.rung)
            row = audience[(*key, d.os)]
            for column, amount in facts.items():
                row[column] += amount
            if event.kind == "start" and event.profile_id is not None:
                profiles[(*key, event.profile_id)] += 1
        if event.kind == "start" and event.profile_id is not None:
            known = firsts.get(event.profile_id)
            firsts[event.profile_id] = event.at if known is None else min(known, event.at)
    names = ("grain", "bucket", "video_id", "plan", "browser", "rung")
    upsert_counts(
        session,
        AudienceRollup,
        [
            dict(zip((*names, "os"), key, strict=True))
            | {"title_id": titles[key[2]]}
            | {c: facts.get(c, 0) for c in AUDIENCE_COUNTS}
            for key, facts in audience.items()
        ],
        AUDIENCE_COUNTS,
    )
    upsert_counts(
        session,
        ProfileRollup,
        [
            dict(zip((*names, "profile_id"), key, strict=True))
            | {"title_id": titles[key[2]], "plays": n}
            for key, n in profiles.items()
        ],
        ("plays",),
    )
    _first_plays(session, firsts)
