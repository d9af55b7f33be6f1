"""Player events at the edge: refused (unknown kinds, implausible values, clock skew),
clamped (a clock a little ahead), bucketed by UTC whatever the player's zone, given the
rung's nominal class, written in batches into the raw table and the rollups, and pruned
past the retention off the request path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from kinema.catalog.models import PlaybackEvent, PlaybackRollup, StartupRollup, utcnow
from kinema.cli import _load_commands, app
from kinema_api.context import AppContext
from kinema_api.viewing.schemas import PlaybackEventCreate
from kinema_api.viewing.services import events
from kinema_api.worker import prune
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


def test_a_players_zone_does_not_move_its_hour_or_day(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID
) -> None:
    """04:45 UTC reported as 10:15+05:30: the 04:00Z hour and that UTC day, not 10:00 or
    the player's own midnight (18:30Z the day before)."""
    h = bearer(signup(client))
    now = utcnow()
    at = (now - timedelta(hours=1)).replace(minute=45, second=0, microsecond=0)
    india = at.astimezone(timezone(timedelta(hours=5, minutes=30)))
    body = {"kind": "start", "payload": {"startup_ms": 900}, "client_time": india.isoformat()}
    resp = client.post(f"/api/v1/playback/{video_id}/events", json=body, headers=h)
    assert resp.status_code == 202, resp.text
    with ctx.sessions() as s:
        rows = {r.grain: r.bucket for r in s.scalars(select(PlaybackRollup))}
        assert rows == {
            "hour": at.replace(minute=0),
            "day": at.replace(hour=0, minute=0),
        }
        assert s.scalars(select(PlaybackEvent.created_at)).one() == at


def test_event_time_is_utc() -> None:
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    india = timezone(timedelta(hours=5, minutes=30))
    event = PlaybackEventCreate(kind="seek", client_time=datetime(2026, 12, 4, 7, 15, tzinfo=india))
    at = events.event_time(event, now=now)
    assert at == datetime(2026, 12, 4, 1, 45, tzinfo=UTC) and at.utcoffset() == timedelta(0)


def test_raw_events_are_pruned_past_the_retention_not_by_requests(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = bearer(signup(client))
    old = utcnow() - timedelta(days=ctx.settings.analytics_event_retention_days + 1)

    def post() -> None:
        ok = client.post(f"/api/v1/playback/{video_id}/events", json={"kind": "seek"}, headers=h)
        assert ok.status_code == 202, ok.text

    def age_all() -> None:
        with ctx.sessions() as s:
            for event in s.scalars(select(PlaybackEvent)):
                event.created_at = old
            s.commit()

    for _ in range(5):
        post()
    age_all()
    # A player's request writes and never deletes (the edge once pruned on a process's
    # first write: as in a fresh process).
    monkeypatch.setattr(events, "_pruned_at", 0.0, raising=False)
    post()
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlaybackEvent)) == 6
    # The job deletes in batches (2 at a time here) and keeps the newer one.
    assert prune.prune_once(ctx.settings, ctx.sessions, batch=2) == 5
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlaybackEvent)) == 1


def test_kinema_prune_events_runs_once_for_a_cronjob(
    ctx: AppContext, video_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    with ctx.sessions() as s:
        for days in (3, 8, 9):
            s.add(
                PlaybackEvent(video_id=video_id, kind="seek", created_at=now - timedelta(days=days))
            )
        s.commit()
    monkeypatch.setenv("KINEMA_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.setenv("KINEMA_ANALYTICS_EVENT_RETENTION_DAYS", "7")
    _load_commands()
    result = CliRunner().invoke(app, ["prune-events"])
    assert result.exit_code == 0, result.output
    assert "pruned 2 playback event(s) older than 7 day(s)" in result.output
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlaybackEvent)) == 1


def test_the_prune_loop_runs_off_the_request_path(ctx: AppContext, video_id: uuid.UUID) -> None:
    with ctx.sessions() as s:
        s.add(
            PlaybackEvent(
                video_id=video_id,
                kind="seek",
                created_at=utcnow()
                - timedelta(days=ctx.settings.analytics_event_retention_days + 1),
            )
        )
        s.commit()
    loop = prune.PruneLoop(ctx.settings, ctx.sessions, ctx.stopping, first_delay_s=0.0)
    loop.start()
    try:
        for _ in range(200):
            if loop.runs:
                break
            ctx.stopping.wait(0.05)
        assert loop.runs >= 1
        with ctx.sessions() as s:
            assert s.scalar(select(func.count()).select_from(PlaybackEvent)) == 0
    finally:
        ctx.stopping.set()
        loop.join(5)


@pytest.mark.parametrize(
    ("width", "height", "rung"),
    [
        (854, 480, "480p"),
        (1280, 536, "720p"),  # a 2.39:1 film's 720 rung
        (None, 536, "720p"),  # an older player that sends the height only
        (854, 358, "480p"),
        (960, 720, "720p"),  # 4:3 in the 720 box
        (1920, 800, "1080p"),
        (1080, 1920, "1080p"),  # portrait: the box turned
        (1600, 900, "1080p"),  # a source-sized rung in the 1080 rung's place
        (3840, 1608, "2160p"),
        (426, 240, "240p"),
        (None, None, "unknown"),
    ],
)
def test_rung_is_the_nominal_class(width: int | None, height: int | None, rung: str) -> None:
    payload = {k: v for k, v in (("width", width), ("height", height)) if v is not None}
    assert events.rung_of(PlaybackEventCreate(kind="start", payload=payload)) == rung


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
