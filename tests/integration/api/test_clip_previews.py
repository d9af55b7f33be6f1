"""Clip previews made for real: a tiny source transcoded by ``kinema transcode`` into
the store, a clip of it, and the embedded preview worker running ``kinema
clip-preview`` as a subprocess, as ``kinema up`` does. The MP4 and the still are read
back through the API the way a link card's crawler fetches them."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import Clip, PreviewState, Video
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.worker.previews import PreviewWorker
from tests.utils.factories import build_api_context, make_ready_video, make_title, signup
from tests.utils.media import FAST_LADDER, Source, ffprobe, make_source

KINEMA = f"{sys.executable} -m kinema_transcoder"
# Three rungs (144p, 234p, 360p): the preview takes the tallest <= 480p.
LADDER = FAST_LADDER.replace("    - {height: 720, width: 1280, bitrateKbps: 1500}\n", "")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data", transcode_command=KINEMA)
    yield context
    context.close()


def _published_video(ctx: AppContext, tmp_path: Path) -> uuid.UUID:
    """A video whose output is a real transcode (6 s), published in the store."""
    src = make_source(Source(duration=6.0), tmp_path)
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text(LADDER, encoding="utf-8")
    with ctx.sessions() as s:
        video = make_ready_video(s, title=make_title(s, name="Tiny"), duration_s=6.0)
        s.commit()
        video_id, prefix = video.id, f"{video.output_prefix}/1"
    out = ctx.store.local_path(prefix)
    assert out is not None
    proc = subprocess.run(
        [*KINEMA.split(), "transcode", str(src), str(out), "--ladder", str(ladder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    with ctx.sessions() as s:
        row = s.get(Video, video_id)
        assert row is not None
        row.output_prefix = prefix
        s.commit()
    return video_id


def _clip(
    ctx: AppContext, client: TestClient, video_id: uuid.UUID, start: float, end: float
) -> str:
    resp = client.post(
        "/api/v1/clips",
        json={"video_id": str(video_id), "start_s": start, "end_s": end, "caption": "tiny"},
        headers={"Authorization": f"Bearer {signup(client)}"},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["preview"]["state"] == "pending"
    return str(resp.json()["id"])


def test_the_worker_makes_a_real_preview_and_still(ctx: AppContext, tmp_path: Path) -> None:
    video_id = _published_video(ctx, tmp_path)
    worker = PreviewWorker(settings=ctx.settings, sessions=ctx.sessions, store=ctx.store)
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        clip_id = _clip(ctx, client, video_id, 1.5, 4.5)
        assert ctx.clips_queued.is_set()  # the API woke the worker
        assert worker.run_once() is True
        assert worker.run_once() is False  # nothing else pending
        client.cookies.clear()  # what a signed-out crawler sees
        clip = client.get(f"/api/v1/clips/{clip_id}").json()
        assert clip["preview"]["state"] == "ready"
        mp4 = client.get(clip["preview"]["video_url"])
        still = client.get(clip["preview"]["still_url"])
    assert mp4.status_code == 200 and still.status_code == 200
    (tmp_path / "preview.mp4").write_bytes(mp4.content)
    (tmp_path / "still.jpg").write_bytes(still.content)

    info = ffprobe(tmp_path / "preview.mp4", "-show_streams", "-show_format")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert video["codec_name"] == "h264" and video["height"] == 360
    assert audio["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - 3.0) < 0.25
    picture = ffprobe(tmp_path / "still.jpg", "-show_streams")["streams"][0]
    assert picture["codec_name"] == "mjpeg" and picture["height"] == 360


def test_a_preview_that_cannot_be_made_is_failed(ctx: AppContext, tmp_path: Path) -> None:
    with ctx.sessions() as s:
        video = make_ready_video(s, duration_s=30.0)  # rows only: no output in the store
        s.commit()
        video_id = video.id
    worker = PreviewWorker(settings=ctx.settings, sessions=ctx.sessions, store=ctx.store)
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        clip_id = uuid.UUID(_clip(ctx, client, video_id, 0, 10))
    assert worker.run_once() is True
    with ctx.sessions() as s:
        row = s.get(Clip, clip_id)
        assert row is not None and row.preview_state is PreviewState.FAILED
        assert row.preview_error and "video rungs" in row.preview_error
        assert row.claimed_by is None
