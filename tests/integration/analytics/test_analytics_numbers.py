"""The dashboard's numbers equal an independent computation over the same events, on both
databases: a generated stream (gaps, stalls, seeks, errors, abandoned starts) goes in
through the ingest path in batches, the QoE and Content services read the rollups, and
:func:`tests.utils.playback_stream.expected` and ``expected_quality`` recompute the figures
from the viewings (startup, rebuffering, EBVS, completion, retention; average bitrate,
switches, stalls per minute, start and playback failures)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import PlaybackEvent
from kinema.catalog.services import rollups
from kinema_api.analytics.schemas import Dimension, Grain
from kinema_api.analytics.services import content, qoe
from kinema_api.analytics.services.rollup_queries import Filters
from tests.utils.factories import make_ready_video, make_title
from tests.utils.playback_stream import (
    Viewing,
    expected,
    expected_quality,
    quality_stream,
    reports_bitrate,
    viewings,
)

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 20, tzinfo=UTC)
DAYS = 3


@pytest.fixture
def seeded(session: Session) -> list[Viewing]:
    videos = []
    for duration in (600.0, 1800.0, 2710.5):
        title = make_title(session)
        video = make_ready_video(session, title=title)
        videos.append((video.id, duration))
    session.commit()
    rng = random.Random(15)  # noqa: S311 - test data, not security
    vs = viewings(rng, videos=videos, start=START, days=DAYS, per_day=150)
    events = quality_stream(vs, rng)
    for i in range(0, len(events), 50):
        rollups.record_events(session, events=events[i : i + 50])
        session.commit()
    assert session.scalar(select(func.count()).select_from(PlaybackEvent)) == len(events)
    return vs


def _check(actual: dict[str, Any], want: dict[str, Any]) -> None:
    for key in ("plays", "views", "startup_p50_ms", "startup_p95_ms"):
        assert actual[key] == want[key], key
    for key in ("rebuffer_pct", "ebvs_pct", "start_failure_pct"):
        assert actual[key] == pytest.approx(want[key], abs=1e-3), key


def _check_quality(actual: dict[str, Any], want: dict[str, Any]) -> None:
    """Average bitrate, switches, stalls per minute and the failure rates."""
    assert actual["views"] == want["views"]
    for key in (
        "average_bitrate",
        "switches_per_view",
        "rebuffer_per_minute",
        "start_failure_pct",
        "playback_failure_pct",
    ):
        assert actual[key] is not None, key
        assert actual[key] == pytest.approx(want[key], abs=1e-3), key


def test_qoe_and_content_equal_an_independent_computation(
    session: Session, seeded: list[Viewing]
) -> None:
    everything = Filters(start=START, end=START + timedelta(days=DAYS + 1))
    want = expected(seeded)
    assert want["views"] == 450 and want["plays"] < 450
    page = qoe.qoe(session, everything, by=Dimension.BROWSER)
    _check(page.summary.model_dump(), want)
    quality = expected_quality(seeded)
    # Both kinds of failure are in the stream; some reports give no bitrate.
    assert quality["playback_failure_pct"] > 0 and quality["start_failure_pct"] > 0
    assert 1_200_000 < quality["average_bitrate"] < 6_000_000
    assert any(not reports_bitrate(v) and v.watched_ms for v in seeded)
    _check_quality(page.summary.model_dump(), quality)

    # A filter: one browser on one plan, by hour. The stream has whole hours without a row.
    f = Filters(**{**everything.__dict__, "browser": "firefox", "plan": "premium"})
    some = [v for v in seeded if v.dims.browser == "firefox" and v.dims.plan == "premium"]
    filtered = qoe.qoe(session, f, by=Dimension.RUNG)
    _check(filtered.summary.model_dump(), expected(some))
    _check_quality(filtered.summary.model_dump(), expected_quality(some))
    for group in filtered.breakdown:
        mine = [v for v in some if v.dims.rung == group.key]
        _check_quality(group.model_dump(), expected_quality(mine))
    hourly = Filters(**{**everything.__dict__, "grain": Grain.HOUR})
    hours = {p.bucket for p in qoe.series(session, hourly)}
    assert 0 < len(hours) < 24 * (DAYS + 1)
    # (a viewing begun before 03:00 reports by 04:00)
    assert not any(4 <= h.hour < 7 for h in hours)
    # Day buckets add up to the range's summary.
    days = qoe.series(session, everything)
    assert sum(p.views for p in days) == want["views"]

    # The breakdown by browser agrees with each browser's own computation.
    for group in page.breakdown:
        mine = [v for v in seeded if v.dims.browser == group.key]
        _check(group.model_dump(), expected(mine))
        _check_quality(group.model_dump(), expected_quality(mine))

    # Failures by code: start failures all end on 6007; playback failures split.
    errors = {e.code: e for e in page.errors}
    assert errors["6007"].start_failures == sum(v.outcome == "start_failure" for v in seeded)
    assert sum(e.playback_failures for e in page.errors) == sum(
        v.outcome == "playback_failure" for v in seeded
    )

    # Content: completion per title and the retention curve of one video.
    by_video: dict[uuid.UUID, list[Viewing]] = {}
    for v in seeded:
        by_video.setdefault(v.video_id, []).append(v)
    video_id, mine = max(by_video.items(), key=lambda kv: len(kv[1]))
    page_c = content.content(session, everything, video_id=video_id)
    assert page_c.retention is not None
    assert [p.viewers_pct for p in page_c.retention.curve] == pytest.approx(
        expected(mine)["retention"], abs=1e-3
    )
    assert page_c.retention.curve[0].viewers_pct == 100.0
    rows = {r.plays: r for r in page_c.titles}
    for vs in by_video.values():
        row = rows[sum(v.startup_ms is not None for v in vs)]
        assert row.completion_pct == pytest.approx(expected(vs)["completion_pct"], abs=1e-3)

    # The same events once more double every count (upserts add; nothing is replaced).
    replay = random.Random(15)  # noqa: S311 - test data, not security
    rollups.record_events(session, events=quality_stream(seeded, replay))
    session.commit()
    again = qoe.qoe(session, everything, by=Dimension.BROWSER).summary
    assert (again.views, again.plays) == (2 * want["views"], 2 * want["plays"])
    assert again.startup_p50_ms == want["startup_p50_ms"]
