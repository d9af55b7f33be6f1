"""Raw playback events past the retention are deleted in batches, on both databases: the
old rows go, the newer ones stay, and the rollups the dashboard reads keep every sum."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import ErrorRollup, PlaybackEvent, PlaybackRollup, StartupRollup
from kinema.catalog.services import rollups
from tests.utils.factories import make_ready_video, make_title
from tests.utils.playback_stream import stream, viewings

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 1, tzinfo=UTC)


def _rollup_sums(session: Session) -> list[Any]:
    return [
        session.execute(
            select(func.count(), *(func.sum(getattr(PlaybackRollup, c)) for c in rollups.COUNTS))
        ).one(),
        session.execute(select(func.count(), func.sum(StartupRollup.count))).one(),
        session.execute(select(func.count(), func.sum(ErrorRollup.count))).one(),
    ]


def test_batched_pruning_keeps_newer_events_and_every_rollup(session: Session) -> None:
    title = make_title(session)
    video = make_ready_video(session, title=title)
    session.commit()
    rng = random.Random(15)  # noqa: S311 - test data, not security
    vs = viewings(rng, videos=[(video.id, 1800.0)], start=START, days=4, per_day=20)
    events = stream(vs, rng)
    for i in range(0, len(events), 50):
        rollups.record_events(session, events=events[i : i + 50])
        session.commit()
    before = START + timedelta(days=2)
    old = sum(1 for e in events if e.at < before)
    assert 7 < old < len(events)
    sums = _rollup_sums(session)

    batches: list[int] = []

    def counted() -> bool:
        batches.append(1)
        return False

    deleted = rollups.prune_events(session, before=before, batch=7, stop=counted)

    assert deleted == old
    assert len(batches) == old // 7 + 1  # one transaction per batch of 7, the last short
    left = session.scalars(select(PlaybackEvent.created_at)).all()
    assert len(left) == len(events) - old and min(left) >= before
    assert _rollup_sums(session) == sums
    assert rollups.prune_events(session, before=before, batch=7) == 0


def test_pruning_stops_between_batches_when_asked(session: Session) -> None:
    video = make_ready_video(session, title=make_title(session))
    session.commit()
    at = START
    rollups.record_events(
        session,
        events=[rollups.IngestEvent(video_id=video.id, profile_id=None, kind="seek", at=at)] * 10,
    )
    session.commit()
    assert (
        rollups.prune_events(session, before=at + timedelta(days=1), batch=4, stop=lambda: False)
        == 10
    )
    rollups.record_events(
        session,
        events=[rollups.IngestEvent(video_id=video.id, profile_id=None, kind="seek", at=at)] * 10,
    )
    session.commit()
    calls = iter([False, True])
    assert (
        rollups.prune_events(
            session, before=at + timedelta(days=1), batch=4, stop=lambda: next(calls)
        )
        == 4
    )
    assert session.scalar(select(func.count()).select_from(PlaybackEvent)) == 6
