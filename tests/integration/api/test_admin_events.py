"""Admin status push: Server-Sent Events from a real HTTP server while the embedded
worker pool transcodes a real clip."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from kinema.catalog.services import titles
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.serve import Server
from kinema_api.worker.ingest import ingest_file, make_clip
from tests.utils.factories import (
    admin_token,
    bearer,
    live_server,
    make_title,
    signup,
    wait_for,
    worker_pool,
)
from tests.utils.ports import free_port

pytestmark = pytest.mark.integration
EVENTS = "/api/v1/admin/videos/events"


def _events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """(event name, decoded data) per event; comments come as ("comment", text)."""
    name, data = "message", []
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data.append(line.partition(":")[2].strip())
        elif line == "" and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


@pytest.mark.slow
def test_progress_events_arrive_while_a_clip_transcodes(
    embedded_ctx: AppContext, tmp_path: Path
) -> None:
    ctx = embedded_ctx
    clip = make_clip(tmp_path / "clip.mp4", seconds=12, size="1280x720")
    app = create_app(context=ctx, web_dist=None)
    token = admin_token(ctx, TestClient(app))
    pool = worker_pool(ctx)
    seen: list[dict[str, Any]] = []
    with (
        live_server(app) as base,
        httpx.Client(base_url=base, timeout=httpx.Timeout(30, read=30)) as http,
        http.stream("GET", EVENTS, headers=bearer(token)) as resp,
    ):
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        with ctx.sessions() as s:
            video, _ = ingest_file(s, ctx.store, path=clip, title="Live Clip")
            video_id = str(video.id)
        pool.start()
        try:
            deadline = time.monotonic() + 240
            for name, data in _events(resp.iter_lines()):
                assert time.monotonic() < deadline, seen
                if name == "video" and data["id"] == video_id:
                    seen.append(data)
                    assert data["status"] != "failed", data
                    if data["status"] == "ready":
                        break
        finally:
            pool.stop()
    statuses = [e["status"] for e in seen]
    assert statuses[0] in ("queued", "processing")  # the pool may claim it within 1 s
    assert statuses[-1] == "ready"
    assert "processing" in statuses
    progress = [e["progress"] for e in seen if e["status"] == "processing"]
    assert any(0 < p < 1 for p in progress), progress
    assert progress == sorted(progress)  # it only moves forward
    assert seen[-1]["renditions"]
    assert seen[-1]["job"]["status"] == "succeeded"


def test_events_need_an_admin_keep_alive_and_end_on_disconnect(
    embedded_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastapi.routing

    monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", 0.3)
    ctx = embedded_ctx
    app = create_app(context=ctx, web_dist=None)
    client = TestClient(app)
    token = admin_token(ctx, client)
    viewer = signup(client)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        assert http.get(EVENTS).status_code == 401
        refused = http.get(EVENTS, headers=bearer(viewer))
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
        for _ in range(3):  # connect, read a little, hang up: the server carries on
            with http.stream("GET", EVENTS, headers=bearer(token)) as resp:
                comments = []
                for name, data in _events(resp.iter_lines()):
                    if name == "comment":
                        comments.append(data)
                    if comments.count("ping") >= 2:
                        break
            assert comments[0] == "kinema admin events"
        # A video appearing is pushed to a connection that is already open.
        with http.stream("GET", EVENTS, headers=bearer(token)) as resp:
            with ctx.sessions() as s:
                titles.create_video(s, title=make_title(s, name="Pushed"))
                s.commit()
            for name, data in _events(resp.iter_lines()):
                if name == "video":
                    assert data["title"] == "Pushed"
                    assert data["status"] == "draft"
                    break
        assert http.get("/api/v1/health").status_code == 200


def test_streams_end_when_the_server_stops(embedded_ctx: AppContext) -> None:
    """Ctrl-C (or SIGTERM) ends open event streams, so the server stops at once instead
    of waiting for them forever."""
    ctx = embedded_ctx
    app = create_app(context=ctx, web_dist=None)
    token = admin_token(ctx, TestClient(app))
    port = free_port()
    server = Server(ctx, uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, timeout_s=20)
    url = f"http://127.0.0.1:{port}{EVENTS}"
    with httpx.stream("GET", url, headers=bearer(token), timeout=30) as resp:
        lines = resp.iter_lines()
        assert next(lines).startswith(":")
        started = time.monotonic()
        server.handle_exit(signal.SIGINT, None)
        rest = list(lines)  # returns once the server has ended the response
    thread.join(15)
    assert not thread.is_alive()
    assert time.monotonic() - started < 8
    assert all(not line.startswith("event: error") for line in rest)
