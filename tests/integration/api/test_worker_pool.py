"""The embedded worker pool running the real ``kinema transcode`` command: several
transcodes at once, and a restart in the middle of one that loses nothing."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import JobStatus, TranscodeJob, Video, VideoStatus
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from kinema_api.worker.ingest import ingest_file, make_clip
from kinema_api.worker.pool import WorkerPool
from tests.utils.factories import bearer, signup, worker_pool

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TIMEOUT_S = 240


def _ingest(ctx: AppContext, clip: Path, name: str) -> uuid.UUID:
    with ctx.sessions() as s:
        video, created = ingest_file(s, ctx.store, path=clip, title=name)
        assert created
        return video.id


def _status(ctx: AppContext, video_id: uuid.UUID) -> tuple[VideoStatus, str | None]:
    with ctx.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        return video.status, video.error


def _wait_ready(ctx: AppContext, ids: list[uuid.UUID], pool: WorkerPool) -> int:
    """Wait until every video is ready; returns the most transcodes seen at once."""
    deadline = time.monotonic() + TIMEOUT_S
    most = 0
    while time.monotonic() < deadline:
        most = max(most, pool.running())
        states = [_status(ctx, v) for v in ids]
        failed = [e for st, e in states if st is VideoStatus.FAILED]
        assert not failed, failed
        if all(st is VideoStatus.READY for st, _ in states):
            return most
        time.sleep(0.2)
    raise AssertionError(f"not ready after {TIMEOUT_S}s: {[_status(ctx, v) for v in ids]}")


def test_pool_transcodes_several_at_once(embedded_ctx: AppContext, tmp_path: Path) -> None:
    # Different lengths: the same bytes twice would be recognised as one video.
    clips = [make_clip(tmp_path / f"clip{n}.mp4", seconds=n, size="426x240") for n in (4, 5)]
    ids = [_ingest(embedded_ctx, clip, f"Clip {n}") for n, clip in enumerate(clips, 1)]
    pool = worker_pool(embedded_ctx, size=2, poll_s=0.5)
    pool.start()
    try:
        most = _wait_ready(embedded_ctx, ids, pool)
    finally:
        pool.stop()
    assert most == 2
    with TestClient(create_app(context=embedded_ctx, web_dist=None)) as client:
        h = bearer(signup(client))
        for video_id in ids:
            play = client.get(f"/api/v1/playback/{video_id}", headers=h)
            assert play.status_code == 200, play.text
            body = play.json()
            assert body["duration_s"] in (pytest.approx(4, abs=0.2), pytest.approx(5, abs=0.2))
            assert body["renditions"], "the catalog lists the transcoded rungs"
            master = client.get(body["hls_url"])
            assert master.status_code == 200
            variants = [v for v in manifests.variants(master.text) if not v.iframe]
            assert variants and all(v.height is not None and v.height <= 240 for v in variants)
            base = body["hls_url"].rsplit("/", 1)[0]
            media = client.get(f"{base}/{variants[0].uri}")
            assert media.status_code == 200
            first = manifests.media_playlist_files(media.text)[1]
            seg = client.get(f"{base}/{variants[0].uri.rsplit('/', 1)[0]}/{first}")
            assert seg.status_code == 200 and len(seg.content) > 0
            assert client.get(body["dash_url"]).status_code == 200


def test_restart_resumes_interrupted_transcode(embedded_ctx: AppContext, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=6, size="640x360")
    video_id = _ingest(embedded_ctx, clip, "Interrupted")
    pool = worker_pool(embedded_ctx, poll_s=0.5)
    pool.start()
    deadline = time.monotonic() + 60
    while pool.running() == 0:
        assert time.monotonic() < deadline, "the transcode never started"
        time.sleep(0.05)
    pool.stop()  # the process goes away mid-transcode
    with embedded_ctx.sessions() as s:
        job = s.query(TranscodeJob).filter_by(video_id=video_id).one()
        assert job.status is JobStatus.RUNNING
        assert job.attempts == 1
    restarted = worker_pool(embedded_ctx, poll_s=0.5)
    assert restarted.start() == [job.id]
    try:
        _wait_ready(embedded_ctx, [video_id], restarted)
    finally:
        restarted.stop()
    with embedded_ctx.sessions() as s:
        job = s.query(TranscodeJob).filter_by(video_id=video_id).one()
        assert job.status is JobStatus.SUCCEEDED
        assert job.attempts == 2
        video = s.get(Video, video_id)
        assert video is not None and video.output_prefix is not None
        assert embedded_ctx.store.exists(f"{video.output_prefix}/kinema.json")
    # Nothing is left behind in the scratch area.
    assert list((embedded_ctx.settings.data_dir / "work").iterdir()) == []
