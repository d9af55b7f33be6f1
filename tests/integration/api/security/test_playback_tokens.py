"""Playback tokens: short-lived, bound to the session, re-checked on every manifest
(finding 4), out of access logs, and never built on the request's Host (finding 12)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Video
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.integration.api.security.viewing import (
    playable_video,
    start_playback,
    stream_base,
    subscribed_viewer,
)
from tests.utils.factories import (
    bearer,
    build_api_context,
    live_server,
    set_plan,
    signup_over_http,
    wait_for,
)

pytestmark = [pytest.mark.integration]


# --- 4. tokens are short-lived, bound to the session, re-checked on manifests ---------


def test_logout_ends_playback_at_the_next_manifest(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    h = subscribed_viewer(client)
    play = start_playback(client, h, video_id)
    assert client.get(str(play["hls_url"])).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    after = client.get(str(play["hls_url"]))
    assert after.status_code == 401
    assert client.get(str(play["dash_url"])).status_code == 401
    assert client.get(f"{stream_base(play)}/480p/playlist.m3u8").status_code == 401
    assert client.post(f"/api/v1/playback/{video_id}/renew", headers=h).status_code == 401


def test_a_revoked_device_loses_its_manifests(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    h = subscribed_viewer(client)
    other = client.post(
        "/api/v1/auth/login",
        json={"email": client.get("/api/v1/auth/me", headers=h).json()["email"],
              "password": "correct horse", "device_name": "tv"},
    )  # fmt: skip
    tv = bearer(other.json()["access_token"])
    play = start_playback(client, tv, video_id)
    sessions = client.get("/api/v1/auth/sessions", headers=h).json()
    tv_session = next(s for s in sessions if s["device_name"] == "tv")
    assert client.delete(f"/api/v1/auth/sessions/{tv_session['id']}", headers=h).is_success
    assert client.get(str(play["hls_url"])).status_code == 401


def test_a_downgrade_caps_the_next_manifest(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    h = subscribed_viewer(client, "premium")
    play = start_playback(client, h, video_id)
    assert "1080p" in client.get(str(play["hls_url"])).text
    set_plan(stack, client, h, "free")
    master = client.get(str(play["hls_url"]))
    assert master.status_code == 200
    assert "1080p" not in master.text and "720p" not in master.text
    assert client.get(f"{stream_base(play)}/1080p/playlist.m3u8").status_code == 403
    renewed = client.post(f"/api/v1/playback/{video_id}/renew", headers=h).json()
    assert renewed["max_height"] == 480


def test_unpublishing_stops_playback_at_the_next_manifest(
    stack: AppContext, client: TestClient
) -> None:
    video_id = playable_video(stack)
    h = subscribed_viewer(client)
    play = start_playback(client, h, video_id)
    with stack.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        video.title.published = False
        s.commit()
    assert client.get(str(play["hls_url"])).status_code == 403
    assert client.post(f"/api/v1/playback/{video_id}/renew", headers=h).status_code == 404


def test_tokens_are_short_lived_and_renewed(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    h = subscribed_viewer(client)
    play = start_playback(client, h, video_id)
    assert stack.settings.playback_url_ttl_s <= 600
    lifetime = _expires_in(str(play["expires_at"]))
    assert 0 < lifetime <= stack.settings.playback_url_ttl_s + 1
    assert 0 < int(str(play["renew_after_s"])) < lifetime
    renewed = client.post(f"/api/v1/playback/{video_id}/renew", headers=h)
    assert renewed.status_code == 200, renewed.text
    token = renewed.json()["token"]
    assert token != play["token"]
    new_base = stream_base(play).replace(str(play["token"]), token)
    assert client.get(f"{new_base}/master.m3u8").status_code == 200
    assert client.get(f"{new_base}/720p/seg_00001.m4s").status_code == 200


def _expires_in(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp() - time.time()


def test_tokens_stay_out_of_access_logs(stack: AppContext) -> None:
    video_id = playable_video(stack)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    handler = Collect()
    with live_server(create_app(context=stack, web_dist=None)) as base:
        access.setLevel(logging.INFO)
        access.addHandler(handler)
        try:
            h = signup_over_http(base, prefix="log")
            with httpx.Client(base_url=base, timeout=30) as http:
                set_plan(stack, http, h, "premium")
            play = httpx.get(f"{base}/api/v1/playback/{video_id}", headers=h).json()
            assert httpx.get(f"{base}{play['hls_url']}").status_code == 200
            wait_for(lambda: any("/api/v1/stream/" in line for line in lines), timeout_s=5)
        finally:
            access.removeHandler(handler)
    text = "\n".join(lines)
    assert "/api/v1/stream/…/master.m3u8" in text, text
    assert play["token"] not in text


# --- 12. the Host header never reaches playback URLs ----------------------------------


def test_playback_urls_ignore_the_host_header(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    h = {**subscribed_viewer(client), "Host": "evil.example"}
    play = start_playback(client, h, video_id)
    for key in ("hls_url", "dash_url", "thumbnails_url"):
        assert str(play[key]).startswith("/api/v1/stream/"), play[key]
        assert "evil.example" not in str(play[key])


def test_playback_urls_use_the_public_url(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", public_url="https://tv.example.com")
    try:
        video_id = playable_video(ctx)
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = {**subscribed_viewer(client), "Host": "evil.example"}
            play = start_playback(client, h, video_id)
        assert str(play["hls_url"]).startswith("https://tv.example.com/api/v1/stream/")
    finally:
        ctx.close()
