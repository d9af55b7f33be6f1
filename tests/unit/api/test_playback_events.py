"""Player events at the edge: refused (unknown kinds, implausible values, clock skew),
clamped (a clock a little ahead), written in batches into the raw table and the rollups,
and pruned past the retention."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinema.catalog.models import PlaybackEvent, PlaybackRollup, StartupRollup, utcnow
from kinema_api.context import AppContext
from kinema_api.viewing.services import events
from tests.utils.factories import bearer, make_playable_video, signup

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture
def video_id(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, duration_s=12)
        s.commit()
        return video.id


def test_refused_and_clamped_at_the_edge(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID
) -> None:
    h = bearer(signup(client)) | {"User-Agent": CHROME}
    url = "/api/v1/playback/events"
    absurd = {"video_id": str(video_id), "kind": "start", "payload": {"startup_ms": 9e9}}
    assert client.post(url, json={"events": [absurd]}, headers=h).status_code == 422
    unknown = {"video_id": str(video_id), "kind": "teleport"}
    assert client.post(url, json={"events": [unknown]}, headers=h).status_code == 422
    naive = {"video_id": str(video_id), "kind": "seek", "client_time": "2026-01-01T00:00:00"}
    assert client.post(url, json={"events": [naive]}, headers=h).status_code == 422
    too_many = [{"video_id": str(video_id), "kind": "heartbeat"}] * 101
    assert client.post(url, json={"events": too_many}, headers=h).status_code == 422

    now = utcnow()
    batch = [
        {
            "video_id": str(video_id),
            "kind": "start",
            "payload": {"startup_ms": 1234, "height": 480},
        },
        # A clock a minute fast: kept, at the receipt time.
        {
            "video_id": str(video_id),
            "kind": "heartbeat",
            "client_time": (now + timedelta(minutes=1)).isoformat(),
        },
        {
            "video_id": str(video_id),
            "kind": "heartbeat",
            "client_time": (now + timedelta(hours=2)).isoformat(),
        },
        {
            "video_id": str(video_id),
            "kind": "heartbeat",
            "client_time": (now - timedelta(days=3)).isoformat(),
        },
        {"video_id": str(uuid.uuid4()), "kind": "heartbeat"},
    ]
    resp = client.post(url, json={"events": batch}, headers=h)
    assert resp.status_code == 202, resp.text
    assert resp.json() == {"accepted": 2, "refused": {"clock_skew": 2, "unknown_video": 1}}
    with ctx.sessions() as s:
        times = s.scalars(select(PlaybackEvent.created_at)).all()
        assert len(times) == 2 and all(t <= utcnow() for t in times)
        rows = s.scalars(select(PlaybackRollup).order_by(PlaybackRollup.grain)).all()
        assert [(r.grain, r.plays, r.startup_ms_sum) for r in rows] == [
            ("day", 1, 1234),
            ("hour", 1, 1234),
        ]
        assert {(r.plan, r.browser, r.rung) for r in rows} == {("free", "chrome", "480p")}
        assert rows[1].bucket == rows[1].bucket.replace(minute=0, second=0, microsecond=0)
        hist = s.scalars(select(StartupRollup)).all()
        assert {(r.bucket_ms, r.count) for r in hist} == {(1230, 1)}


def test_raw_events_are_pruned_past_the_retention(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID
) -> None:
    h = bearer(signup(client))
    for _ in range(2):
        ok = client.post(f"/api/v1/playback/{video_id}/events", json={"kind": "seek"}, headers=h)
        assert ok.status_code == 202, ok.text
    with ctx.sessions() as s:
        first = s.scalars(select(PlaybackEvent)).first()
        assert first is not None
        first.created_at = utcnow() - timedelta(
            days=ctx.settings.analytics_event_retention_days + 1
        )
        s.commit()
        assert events.prune(s, settings=ctx.settings, now=utcnow()) == 1
        assert s.scalar(select(func.count()).select_from(PlaybackEvent)) == 1


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME, "chrome"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "firefox"),
        ("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.1 Safari/605.1.15", "safari"),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0", "edge"),
        ("curl/8.5", "other"),
        (None, "other"),
    ],
)
def test_browser_families(agent: str | None, family: str) -> None:
    assert events.browser_of(agent) == family
