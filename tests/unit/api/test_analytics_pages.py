"""The analytics pages' own rules, on a fixed clock and fixed rollups: the Overview's two
periods (the current one cut at now, the one before of the same length), the filters'
values found in a range, retention drop-offs against an independent computation on a
generated stream, the video picker, and CSV headers of empty tables."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Plan
from kinema.catalog.services import rollups
from kinema.catalog.services.rollups import Dimensions, IngestEvent
from kinema_api.analytics.routes import dashboard
from kinema_api.analytics.services import business, content
from kinema_api.analytics.services.dimensions import rung_order
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_ready_video, make_title, signup
from tests.utils.playback_stream import Viewing, expected_drop_offs, stream, viewings

NOW = datetime(2026, 12, 3, 15, 20, tzinfo=UTC)
TODAY = datetime(2026, 12, 3, tzinfo=UTC)
H = timedelta(hours=1)
API = "/api/v1/admin/analytics"


def _plays(
    ctx: AppContext, video_id: uuid.UUID, times: Sequence[datetime], dims: Dimensions
) -> None:
    """One start (a play) and one report per instant, written straight to the rollups."""
    events = []
    for at in times:
        for kind in ("start", "end"):
            events.append(
                IngestEvent(
                    video_id=video_id,
                    profile_id=None,
                    kind=kind,
                    at=at,
                    dims=dims,
                    payload={"startup_ms": 800, "watched_s": 60},
                )
            )
    with ctx.sessions() as s:
        rollups.record_events(s, events=events)
        s.commit()


@pytest.fixture
def video_id(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        video = make_ready_video(s, title=make_title(s, name="Charted"), duration_s=100)
        s.commit()
        return video.id


@pytest.mark.parametrize(
    ("start", "end", "current_end", "previous_start"),
    [
        # Today at 15:20: 15 h 20 min so far, against yesterday's last 15 hours.
        (TODAY, TODAY + 24 * H, NOW, TODAY - 15 * H),
        (TODAY, NOW, NOW, TODAY - 15 * H),
        # 15 h 40 min rounds to 16 hours; a few minutes still compare one hour.
        (NOW - 15 * H - timedelta(minutes=40), NOW, NOW, NOW - 31 * H - timedelta(minutes=40)),
        (NOW - timedelta(minutes=5), NOW, NOW, NOW - timedelta(minutes=5) - H),
        # A range wholly in the past is not cut; one in the future holds nothing yet.
        (TODAY - 48 * H, TODAY - 24 * H, TODAY - 24 * H, TODAY - 72 * H),
        (TODAY + 24 * H, TODAY + 48 * H, TODAY + 24 * H, TODAY + 23 * H),
    ],
)
def test_compared_periods(
    start: datetime, end: datetime, current_end: datetime, previous_start: datetime
) -> None:
    current, previous = business.compared(start=start, end=end, now=NOW)
    assert current == (start, current_end)
    assert previous == (previous_start, start)


def test_overview_cuts_today_at_now_and_compares_the_same_length(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    dims = Dimensions("free", "chrome", "720p")
    today = [TODAY + timedelta(minutes=30), TODAY + 15 * H + timedelta(minutes=5)]
    # Yesterday from 09:00 (15 hours before midnight) counts; 08:30 does not.
    yesterday = [TODAY - 15 * H + timedelta(minutes=10), TODAY - 4 * H]
    early = [TODAY - 15 * H - timedelta(minutes=30)] * 3
    later = [TODAY + 18 * H]  # after the clock's now: not part of "today so far"
    _plays(ctx, video_id, [*today, *yesterday, *early, *later], dims)
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    admin = bearer(admin_token(ctx, client))

    # What the web app asks for on "Today": midnight to the next midnight.
    query = {"start": TODAY.isoformat(), "end": (TODAY + 24 * H).isoformat(), "grain": "hour"}
    page = client.get(f"{API}/overview", params=query, headers=admin)
    assert page.status_code == 200, page.text
    current, previous = page.json()["current"], page.json()["previous"]
    assert (current["plays"], previous["plays"]) == (2, 2)
    assert current["watch_hours"] == pytest.approx(2 / 60, abs=1e-4)
    assert datetime.fromisoformat(current["end"]) == NOW
    assert datetime.fromisoformat(previous["start"]) == TODAY - 15 * H
    assert datetime.fromisoformat(previous["end"]) == TODAY
    # The dimension filters are not parameters of the Overview (they would filter nothing).
    spec = client.get("/api/v1/openapi.json").json()["paths"][f"{API}/overview"]["get"]
    assert {p["name"] for p in spec["parameters"]} == {"start", "end", "grain"}


def test_dimensions_are_what_the_rollups_hold(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID
) -> None:
    with ctx.sessions() as s:
        s.add(Plan(slug="studio", name="Studio", price_cents=2500))
        s.commit()
    now = datetime.now(UTC)
    _plays(ctx, video_id, [now - H], Dimensions("family", "firefox", "1080p"))
    _plays(ctx, video_id, [now - 2 * H], Dimensions("studio", "chrome", "240p"))
    _plays(ctx, video_id, [now - 3 * H], Dimensions("gone-plan", "edge", "unknown"))
    _plays(ctx, video_id, [now - 20 * 24 * H], Dimensions("basic", "safari", "480p"))
    admin = bearer(admin_token(ctx, client))

    week = client.get(f"{API}/dimensions", headers=admin)
    assert week.status_code == 200, week.text
    d = week.json()
    assert [(o["value"], o["label"]) for o in d["plans"]] == [
        ("family", "Family"),
        ("studio", "Studio"),
        ("gone-plan", "gone-plan"),  # a slug no plan has any more comes last, as itself
    ]
    assert [o["value"] for o in d["browsers"]] == ["chrome", "edge", "firefox"]
    assert [o["value"] for o in d["rungs"]] == ["240p", "1080p", "unknown"]
    assert d["titles"] == [{"value": d["titles"][0]["value"], "label": "Charted"}]
    month = client.get(
        f"{API}/dimensions",
        params={"start": (now - 30 * 24 * H).isoformat(), "end": now.isoformat()},
        headers=admin,
    ).json()
    assert "basic" in {o["value"] for o in month["plans"]}
    assert "480p" in {o["value"] for o in month["rungs"]}
    viewer = bearer(signup(client))
    assert client.get(f"{API}/dimensions", headers=viewer).status_code == 403


def test_rung_order() -> None:
    rungs = ["unknown", "2160p", "360p", "1080p", "720p", "other"]
    assert sorted(rungs, key=rung_order) == ["360p", "720p", "1080p", "2160p", "other", "unknown"]


@pytest.mark.parametrize(
    ("counts", "want"),
    [
        ({}, []),
        ({100: 4}, []),  # everyone finished: no fall anywhere
        ({0: 1, 50: 3, 100: 4}, [(50, 55, 37.5), (0, 5, 12.5)]),
        ({10: 2, 20: 2, 95: 1}, [(10, 15, 40.0), (20, 25, 40.0), (95, 100, 20.0)]),
        ({5: 1, 10: 1, 15: 1, 20: 1}, [(5, 10, 25.0), (10, 15, 25.0), (15, 20, 25.0)]),
    ],
)
def test_drop_offs_from_counts(counts: dict[int, int], want: list[tuple[int, int, float]]) -> None:
    got = [(d.from_pct, d.to_pct, d.lost_pct) for d in content.drop_offs(counts)]
    assert got == want


def test_drop_offs_and_picker_equal_an_independent_computation(
    client: TestClient, ctx: AppContext
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 3 * 24 * H
    with ctx.sessions() as s:
        videos = []
        for name, duration in (("Short", 600.0), ("Long", 2710.5)):
            video = make_ready_video(s, title=make_title(s, name=name), duration_s=duration)
            videos.append((video.id, duration))
        s.commit()
    rng = random.Random(1515)  # noqa: S311 - test data, not security
    seeded = viewings(rng, videos=videos, start=start, days=2, per_day=120)
    events = stream(seeded, rng)
    with ctx.sessions() as s:
        for i in range(0, len(events), 100):
            rollups.record_events(s, events=events[i : i + 100])
        s.commit()
    admin = bearer(admin_token(ctx, client))

    by_video: dict[uuid.UUID, list[Viewing]] = {}
    for v in seeded:
        by_video.setdefault(v.video_id, []).append(v)
    page = client.get(f"{API}/content", headers=admin).json()
    reported = {video_id: sum(v.reach is not None for v in vs) for video_id, vs in by_video.items()}
    # The picker: every video with a curve, most views first, named after its title.
    assert [(uuid.UUID(v["video_id"]), v["views"]) for v in page["videos"]] == sorted(
        reported.items(), key=lambda kv: (-kv[1], kv[0])
    )
    assert {v["label"] for v in page["videos"]} == {"Short", "Long"}
    assert page["retention"]["video_id"] == page["videos"][0]["video_id"]
    for video_id, mine in by_video.items():
        chosen = client.get(
            f"{API}/content", params={"retention_video_id": str(video_id)}, headers=admin
        ).json()["retention"]
        assert chosen["video_id"] == str(video_id) and chosen["views"] == reported[video_id]
        got = [(d["from_pct"], d["to_pct"], d["lost_pct"]) for d in chosen["drop_offs"]]
        want = expected_drop_offs(mine)
        assert len(got) == 3
        assert [g[:2] for g in got] == [w[:2] for w in want]
        assert [g[2] for g in got] == pytest.approx([w[2] for w in want], abs=1e-3)
        # The marks sit where the curve falls most.
        curve = [p["viewers_pct"] for p in chosen["curve"]]
        falls = sorted((curve[i] - curve[i + 1] for i in range(len(curve) - 1)), reverse=True)
        assert [g[2] for g in got] == pytest.approx(falls[:3], abs=1e-3)


def test_csv_of_an_empty_table_has_its_header(client: TestClient, ctx: AppContext) -> None:
    admin = bearer(admin_token(ctx, client))
    for table, first in (("titles", "title_id"), ("errors", "code"), ("jobs", "video_id"),
                         ("qoe_breakdown", "plays"), ("devices", "browser")):  # fmt: skip
        got = client.get(f"{API}/export/{table}.csv", headers=admin)
        assert got.status_code == 200, got.text
        reader = csv.reader(io.StringIO(got.text))
        header = next(reader)
        assert first in header, (table, header)
        assert list(reader) == [], table
