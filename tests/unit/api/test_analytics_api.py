"""The admin analytics API: admins only (403 for viewers, 401 signed out, on every route),
figures from events posted through the player's endpoint, filters, and CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kinema.catalog.models import JobStatus, Rendition, TranscodeJob
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_playable_video, signup

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def _analytics_paths(client: TestClient) -> list[str]:
    every = client.get("/api/v1/openapi.json").json()["paths"]
    paths = [p.replace("{table}", "titles") for p in every if "/admin/analytics/" in p]
    assert len(paths) == 8, paths
    return paths


def test_only_admins(client: TestClient) -> None:
    viewer = bearer(signup(client))
    for path in _analytics_paths(client):
        refused = client.get(path, headers=viewer)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "forbidden"
    client.cookies.clear()
    for path in _analytics_paths(client):
        assert client.get(path).status_code == 401, path


@pytest.fixture
def video_id(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, duration_s=100)
        s.commit()
        return video.id


def test_figures_filters_and_csv(client: TestClient, ctx: AppContext, video_id: uuid.UUID) -> None:
    for agent, startup in ((FIREFOX, 500), (CHROME, 1500), (CHROME, 2500)):
        h = bearer(signup(client)) | {"User-Agent": agent}
        report = {"startup_ms": startup, "watched_s": 60, "rebuffer_ms": 15000,
                  "rebuffer_count": 2, "duration_s": 100, "height": 720}  # fmt: skip
        events = [
            {
                "video_id": str(video_id),
                "kind": "start",
                "payload": {"startup_ms": startup, "height": 720},
            },
            {"video_id": str(video_id), "kind": "end", "position_s": 95, "payload": report},
        ]
        ok = client.post("/api/v1/playback/events", json={"events": events}, headers=h)
        assert ok.status_code == 202 and ok.json()["accepted"] == 2, ok.text
    abandoned = {"video_id": str(video_id), "kind": "end", "payload": {"startup_ms": None}}
    h = bearer(signup(client)) | {"User-Agent": FIREFOX}
    client.post("/api/v1/playback/events", json={"events": [abandoned]}, headers=h)

    admin = bearer(admin_token(ctx, client))
    page = client.get("/api/v1/admin/analytics/qoe?by=browser", headers=admin)
    assert page.status_code == 200, page.text
    summary = page.json()["summary"]
    assert (summary["plays"], summary["views"]) == (3, 4)
    assert (summary["startup_p50_ms"], summary["startup_p95_ms"]) == (1500, 2500)
    assert summary["rebuffer_pct"] == 20.0 and summary["ebvs_pct"] == 25.0
    assert {g["key"]: g["plays"] for g in page.json()["breakdown"]} == {"chrome": 2, "firefox": 1}
    firefox = client.get("/api/v1/admin/analytics/qoe?browser=firefox", headers=admin).json()
    assert firefox["summary"]["startup_p50_ms"] == 500 and firefox["summary"]["views"] == 2

    content = client.get("/api/v1/admin/analytics/content", headers=admin).json()
    assert content["titles"][0]["completion_pct"] == 100.0
    assert content["retention"]["curve"][-2] == {"reach_pct": 95, "viewers_pct": 100.0}
    overview = client.get("/api/v1/admin/analytics/overview", headers=admin).json()
    assert overview["current"]["plays"] == 3 and overview["previous"]["plays"] == 0
    assert overview["current"]["watch_hours"] == pytest.approx(3 / 60, abs=1e-4)
    audience = client.get("/api/v1/admin/analytics/audience?tz=Europe/Madrid", headers=admin)
    assert audience.status_code == 200, audience.text
    assert audience.json()["summary"]["plays"] == 3
    assert audience.json()["summary"]["new_profiles"] == 3
    devices = {(d["browser"], d["os"]): d["plays"] for d in audience.json()["devices"]}
    assert devices == {("firefox", "linux"): 1, ("chrome", "linux"): 2}
    assert sum(c["plays"] for c in audience.json()["heatmap"]) == 3
    on_firefox = client.get("/api/v1/admin/analytics/audience?browser=firefox", headers=admin)
    assert on_firefox.json()["summary"]["plays"] == 1
    bad_zone = client.get("/api/v1/admin/analytics/audience?tz=Mars/Olympus", headers=admin)
    assert bad_zone.status_code == 422
    heat = client.get("/api/v1/admin/analytics/export/heatmap.csv", headers=admin)
    assert heat.status_code == 200 and len(heat.text.strip().splitlines()) == 1 + 7 * 24
    for path in ("business", "pipeline"):
        assert client.get(f"/api/v1/admin/analytics/{path}", headers=admin).status_code == 200

    exported = client.get("/api/v1/admin/analytics/export/qoe_breakdown.csv?by=rung", headers=admin)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {(r["key"], r["plays"]) for r in rows} == {("720p", "3"), ("unknown", "0")}

    bad = client.get(
        "/api/v1/admin/analytics/qoe?start=2026-12-02T00:00:00Z&end=2026-12-01T00:00:00Z",
        headers=admin,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_resource"


def test_pipeline_states_speed_failures_queue(
    client: TestClient, ctx: AppContext, video_id: uuid.UUID
) -> None:
    now = datetime.now(UTC)
    with ctx.sessions() as s:
        for name, height, size in (("a", 360, 1_000_000), ("b", 720, 3_500_000), ("c", 144, None)):
            s.add(Rendition(video_id=video_id, name=name, width=height, height=height,
                            size_bytes=size))  # fmt: skip
        s.flush()
        total = s.scalar(
            select(func.sum(Rendition.size_bytes)).where(Rendition.video_id == video_id)
        )
        s.add_all(
            [  # 100 s of video encoded in 40 s and in 25 s: 2.5x and 4x real time
                TranscodeJob(video_id=video_id, status=JobStatus.SUCCEEDED,
                             started_at=now - timedelta(seconds=40), finished_at=now),
                TranscodeJob(video_id=video_id, status=JobStatus.SUCCEEDED,
                             started_at=now - timedelta(seconds=25), finished_at=now),
                TranscodeJob(video_id=video_id, status=JobStatus.FAILED, error="ffmpeg: exit 1",
                             finished_at=now),
                TranscodeJob(video_id=video_id, status=JobStatus.RUNNING),
                # Queued a month ago: outside the range, still in the queue now.
                TranscodeJob(video_id=video_id, status=JobStatus.QUEUED,
                             created_at=now - timedelta(days=30)),
                # Not a transcode: counted nowhere.
                TranscodeJob(video_id=video_id, status=JobStatus.FAILED, kind="subtitles"),
            ]
        )  # fmt: skip
        s.commit()
    admin = bearer(admin_token(ctx, client))
    page = client.get("/api/v1/admin/analytics/pipeline", headers=admin).json()
    states = {row["status"]: row["jobs"] for row in page["states"]}
    assert states == {"succeeded": 2, "failed": 1, "running": 1}
    assert (page["failures"], page["queued_now"], page["running_now"]) == (1, 1, 1)
    assert page["median_speed_x_realtime"] == 3.25
    assert sorted(j["speed_x_realtime"] or 0 for j in page["jobs"]) == [0, 0, 2.5, 4.0]
    assert [j["error"] for j in page["jobs"] if j["status"] == "failed"] == ["ffmpeg: exit 1"]
    assert total == 4_500_000  # the rendition without a size counts as none
    assert {j["storage_bytes"] for j in page["jobs"]} == {total}
    jobs = client.get("/api/v1/admin/analytics/export/jobs.csv", headers=admin)
    assert len(list(csv.DictReader(io.StringIO(jobs.text)))) == 4
    viewer = bearer(signup(client))
    assert client.get("/api/v1/admin/analytics/pipeline", headers=viewer).status_code == 403
