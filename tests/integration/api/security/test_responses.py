"""What the API answers at its edges: the stream route's errors and paths (findings 9,
10, 15 and 17), and the security headers of every response (finding 14)."""

from __future__ import annotations

import re
from pathlib import Path

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

pytestmark = [pytest.mark.integration]


# --- 9, 10, 15, 17. the stream route's edges ------------------------------------------


def test_a_non_ascii_token_is_refused_not_a_crash(client: TestClient) -> None:
    resp = client.get("/api/v1/stream/%E2%82%AC.%E2%82%AC/x.m4s")
    assert resp.status_code == 403
    assert resp.headers["access-control-allow-origin"] == "*"


def test_a_missing_file_names_no_server_path(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    play = start_playback(client, subscribed_viewer(client), video_id)
    missing = client.get(f"{stream_base(play)}/480p/seg_09999.m4s")
    assert missing.status_code == 404
    assert str(stack.settings.data_dir) not in missing.text
    assert missing.json()["detail"] == "no file '480p/seg_09999.m4s'"
    assert missing.headers["access-control-allow-origin"] == "*"


def test_stream_errors_carry_cors_headers(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    play = start_playback(client, subscribed_viewer(client, "free"), video_id)
    origin = {"Origin": "https://receiver.example"}
    above = client.get(f"{stream_base(play)}/1080p/seg_00001.m4s", headers=origin)
    assert above.status_code == 403
    assert above.headers["access-control-allow-origin"] == "*"
    with stack.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        video.generation += 1
        s.commit()
    gone = client.get(f"{stream_base(play)}/480p/seg_00001.m4s", headers=origin)
    assert gone.status_code == 410
    assert gone.headers["access-control-allow-origin"] == "*"


def test_case_folded_paths_get_the_same_checks(stack: AppContext, client: TestClient) -> None:
    video_id = playable_video(stack)
    play = start_playback(client, subscribed_viewer(client, "free"), video_id)
    base = stream_base(play)
    master = client.get(f"{base}/MASTER.M3U8")
    if master.status_code == 200:  # a case-insensitive filesystem serves it: filtered
        assert "1080p" not in master.text and "720p" not in master.text
    else:
        assert master.status_code == 404
    for path in ("720P/SEG_00001.M4S", "1080p/Playlist.m3u8", "720p/INIT.MP4"):
        assert client.get(f"{base}/{path}").status_code in (403, 404), path
    assert client.get(f"{base}/720P/SEG_00001.M4S").status_code == 403
    for private in ("KINEMA.JSON", "Records.Json", "CHUNKS/0.json"):
        assert client.get(f"{base}/{private}").status_code == 404, private


# --- 14. security headers -------------------------------------------------------------


def test_security_headers(stack: AppContext, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Kinema</title>")
    with TestClient(create_app(context=stack, web_dist=dist)) as client:
        page = client.get("/browse")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert re.search(r"script-src 'self'( https://www\.gstatic\.com)?;", csp)
        assert "object-src 'none'" in csp
        for resp in (page, client.get("/api/v1/health"), client.get("/api/v1/titles")):
            assert resp.headers["x-content-type-options"] == "nosniff"
            assert resp.headers["referrer-policy"] == "same-origin"
            assert resp.headers["x-frame-options"] == "DENY"
        docs = client.get("/api/docs")
        assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"
