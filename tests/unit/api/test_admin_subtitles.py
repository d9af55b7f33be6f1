"""Sidecar subtitles on admin videos, embedded mode: the edge's refusals, the set kept
on the row, and the real worker pool putting the tracks in the output (a full
transcode at creation, an in-place rewrite of a ready video's subtitles on edit)."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kinema.catalog.models import JobStatus, TranscodeJob, Upload, UploadStatus, Video, VideoStatus
from kinema.catalog.services import jobs
from kinema_api.admin.schemas import MAX_SUBTITLE_BYTES, VideoUpdate
from kinema_api.admin.services.resources import metadata_patch
from kinema_api.admin.services.subtitles import spec_subtitles
from kinema_api.context import AppContext
from kinema_api.worker.ingest import make_clip
from kinema_api.worker.outputs import upsert_from_report
from tests.utils.factories import (
    admin_token,
    bearer,
    make_completed_upload,
    make_ready_video,
    signup,
    worker_pool,
)

FR_SRT = b"""1
00:00:00,200 --> 00:00:01,500
Bonjour tout le monde

2
00:00:01,600 --> 00:00:02,800
Au revoir
"""
DE_VTT = b"""WEBVTT

00:00:00.200 --> 00:00:01.500
Guten Tag
"""
EN_SRT = b"""1
00:00:00,200 --> 00:00:01,500
Hello there
"""
TIMEOUT_S = 240


def _upload(ctx: AppContext, data: bytes, filename: str) -> str:
    with ctx.sessions() as s:
        upload_id = make_completed_upload(s, ctx.store, data=data, filename=filename)
        s.commit()
    return str(upload_id)


def _tus_upload(client: TestClient, h: dict[str, str], data: bytes, filename: str) -> str:
    """An upload through the API, as the web app sends a subtitle file."""
    created = client.post(
        "/api/v1/admin/uploads",
        json={"filename": filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
        headers=h,
    )
    assert created.status_code == 201, created.text
    sha1 = base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - tus checksum
    sent = client.patch(
        created.json()["tus_url"],
        content=data,
        headers={
            **h,
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": f"sha1 {sha1}",
        },
    )
    assert sent.status_code == 204, sent.text
    return str(created.json()["id"])


def _video_count(ctx: AppContext) -> int:
    with ctx.sessions() as s:
        return s.query(Video).count()


def test_refusals_name_the_problem_and_change_nothing(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    srt = _upload(ctx, FR_SRT, "movie.fr.srt")
    movie = _upload(ctx, b"not really a movie", "movie.mp4")
    big = _upload(ctx, b"1\n00:00:00,000 --> 00:00:01,000\nx\n" * 10, "big.srt")
    pending = _upload(ctx, FR_SRT, "pending.srt")
    with ctx.sessions() as s:
        row = s.get(Upload, uuid.UUID(big))
        assert row is not None
        row.size = MAX_SUBTITLE_BYTES + 1  # as a completed 5 MiB + 1 upload records it
        row = s.get(Upload, uuid.UUID(pending))
        assert row is not None
        row.status = UploadStatus.ACTIVE
        s.commit()

    def create(subtitles: list[dict[str, Any]]) -> Any:
        return client.post(
            "/api/v1/admin/videos", json={"title": "Subbed", "subtitles": subtitles}, headers=h
        )

    cases: list[tuple[list[dict[str, Any]], int, str]] = [
        ([{"language": "French", "upload_id": srt}], 422, "subtitles"),
        ([{"language": "fr", "upload_id": srt}, {"language": "fr", "upload_id": srt}], 422,
         "repeated: fr"),
        ([{"language": "fr", "upload_id": str(uuid.uuid4())}], 404, "no upload"),
        ([{"language": "fr", "upload_id": pending}], 409, "complete it first"),
        ([{"language": "fr", "upload_id": big}], 422, "at most 5242880 bytes"),
        ([{"language": "fr", "upload_id": movie}], 422, ".srt or .vtt"),
        ([{"language": "fr", "upload_id": "not-a-uuid"}], 422, "subtitles"),
        ([{"language": "fr", "upload_id": srt, "label": "x" * 101}], 422, "subtitles"),
    ]  # fmt: skip
    for subtitles, status, words in cases:
        resp = create(subtitles)
        assert resp.status_code == status, (subtitles, resp.text)
        assert words in resp.json()["detail"], resp.text
    assert _video_count(ctx) == 0

    created = create([{"language": "fr", "upload_id": srt}])
    assert created.status_code == 201, created.text
    video_id = created.json()["id"]
    for subtitles, status, words in cases:
        resp = client.patch(
            f"/api/v1/admin/videos/{video_id}", json={"subtitles": subtitles}, headers=h
        )
        assert resp.status_code == status, (subtitles, resp.text)
        assert words in resp.json()["detail"], resp.text
    shown = client.get(f"/api/v1/admin/videos/{video_id}", headers=h).json()
    assert [s["language"] for s in shown["subtitles"]] == ["fr"]


def test_a_draft_keeps_the_set_and_an_edit_replaces_it(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    fr = _upload(ctx, FR_SRT, "movie.fr.srt")
    de = _tus_upload(client, h, DE_VTT, "movie.de.vtt")
    created = client.post(
        "/api/v1/admin/videos",
        json={
            "title": "Draft",
            "subtitles": [{"language": "fr", "upload_id": fr, "label": "Français"}],
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    video = created.json()
    assert video["status"] == "draft"
    assert video["subtitles"] == [
        {"language": "fr", "label": "Français", "upload_id": fr, "filename": "movie.fr.srt"}
    ]
    url = f"/api/v1/admin/videos/{video['id']}"
    # An edit of something else leaves the set alone.
    kept = client.patch(url, json={"title": "Draft 2"}, headers=h)
    assert kept.status_code == 200 and [s["language"] for s in kept.json()["subtitles"]] == ["fr"]
    replaced = client.patch(
        url, json={"subtitles": [{"language": "de", "upload_id": de}]}, headers=h
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["subtitles"] == [
        {"language": "de", "label": None, "upload_id": de, "filename": "movie.de.vtt"}
    ]
    cleared = client.patch(url, json={"subtitles": []}, headers=h)
    assert cleared.status_code == 200 and cleared.json()["subtitles"] == []
    # A draft has nothing to transcode: no job was queued for it.
    assert cleared.json()["job"] is None


def test_what_an_edit_queues_follows_the_video_state(ctx: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(ctx, client))
    fr = _upload(ctx, FR_SRT, "movie.fr.srt")
    de = _upload(ctx, DE_VTT, "movie.de.vtt")
    with ctx.sessions() as s:
        video_id = str(make_ready_video(s).id)
        s.commit()
    url = f"/api/v1/admin/videos/{video_id}"

    # Ready: a subtitle-only job on the output being served.
    resp = client.patch(url, json={"subtitles": [{"language": "fr", "upload_id": fr}]}, headers=h)
    assert resp.status_code == 200, resp.text
    first = _latest_job(ctx, video_id)
    assert (first.kind, first.generation, first.status) == (jobs.SUBTITLES, 1, JobStatus.QUEUED)
    # The same set again queues nothing.
    client.patch(url, json={"subtitles": [{"language": "fr", "upload_id": fr}]}, headers=h)
    assert _latest_job(ctx, video_id).id == first.id

    # A subtitles job that fails for good leaves the output live and says why.
    with ctx.sessions() as s:
        for _ in range(jobs.MAX_ATTEMPTS):
            claimed = jobs.claim_next(s, worker="test")
            assert claimed is not None and claimed.id == first.id
            jobs.finish_job(s, job_id=claimed.id, succeeded=False, error="bad cue")
        s.commit()
    shown = client.get(url, headers=h).json()
    assert shown["status"] == "ready" and shown["error"] == "bad cue"

    # A full re-transcode is queued: a subtitle edit re-queues it (it reads the new set)
    # rather than rewriting an output about to be replaced.
    resp = client.post(f"{url}/transcode", json={}, headers=h)
    assert resp.status_code == 200, resp.text
    retranscode = _latest_job(ctx, video_id)
    assert retranscode.kind == jobs.TRANSCODE and retranscode.generation == 2
    resp = client.patch(url, json={"subtitles": [{"language": "de", "upload_id": de}]}, headers=h)
    assert resp.status_code == 200, resp.text
    latest = _latest_job(ctx, video_id)
    assert latest.kind == jobs.TRANSCODE and latest.id != retranscode.id
    with ctx.sessions() as s:
        old = s.get(TranscodeJob, retranscode.id)
        assert old is not None and old.status is JobStatus.CANCELLED


def test_spec_sources_and_catalog_labels_are_pure() -> None:
    hex_id = uuid.uuid4().hex
    stored: list[dict[str, Any]] = [
        {"language": "fr", "label": "Français", "key": f"raw/{hex_id}/a.fr.srt"},
        {"language": "en", "label": None, "key": f"raw/{hex_id}/a.en.vtt"},
    ]
    assert spec_subtitles(stored) == [
        {"language": "fr", "source": f"upload:{hex_id}/a.fr.srt", "label": "Français"},
        {"language": "en", "source": f"upload:{hex_id}/a.en.vtt"},
    ]
    assert metadata_patch(VideoUpdate(), []) == {"spec": {"subtitles": []}}
    report = {
        "status": "complete",
        "manifests": {"hls": "master.m3u8"},
        "subtitles": [
            {"language": "fr", "name": "French", "uri": "subtitles/fr.vtt", "source": "/x.srt"},
            {"language": "fr", "name": "fr-2", "uri": "subtitles/fr-2.vtt", "source": "embedded:3"},
        ],
    }
    data = upsert_from_report(
        report,
        video_id=None,
        generation=1,
        output_prefix="p",
        files=set(),
        labels={"fr": "Français"},
    )
    # The admin's label names the sidecar track, not the one extracted from the media.
    assert [(t.label, t.path) for t in data.tracks or []] == [
        ("Français", "subtitles/fr.vtt"),
        ("fr-2", "subtitles/fr-2.vtt"),
    ]


def _wait(predicate: Any, what: str) -> Any:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not done after {TIMEOUT_S}s")


def _latest_job(ctx: AppContext, video_id: str) -> TranscodeJob:
    with ctx.sessions() as s:
        job = jobs.latest_job(s, video_id=uuid.UUID(video_id))
        assert job is not None
        s.expunge(job)
        return job


def _ready(ctx: AppContext, video_id: str) -> bool:
    with ctx.sessions() as s:
        video = s.get(Video, uuid.UUID(video_id))
        assert video is not None
        assert video.status is not VideoStatus.FAILED, video.error
        return video.status is VideoStatus.READY


def _job_done(ctx: AppContext, video_id: str) -> bool:
    job = _latest_job(ctx, video_id)
    assert job.status is not JobStatus.FAILED, job.error
    return job.status is JobStatus.SUCCEEDED


def _subtitle_media(master: str, attribute: str = "URI") -> dict[str, str]:
    """LANGUAGE -> ``attribute`` (URI, NAME) of each subtitle rendition of the master."""
    found = {}
    for line in master.splitlines():
        if line.startswith("#EXT-X-MEDIA:") and "TYPE=SUBTITLES" in line:
            attrs = dict(part.split("=", 1) for part in _attrs(line.removeprefix("#EXT-X-MEDIA:")))
            found[attrs["LANGUAGE"].strip('"')] = attrs[attribute].strip('"')
    return found


def _attrs(text: str) -> list[str]:
    """Split an attribute list on the commas outside quotes."""
    parts, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def _media_files(root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file of the output that is not about subtitles."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
        and not p.relative_to(root).as_posix().startswith("subtitles/")
        and p.name not in {"master.m3u8", "manifest.mpd", "kinema.json"}
    }


@pytest.mark.slow
def test_sidecars_are_transcoded_then_replaced_in_place(
    ctx: AppContext, client: TestClient, tmp_path: Path
) -> None:
    h = bearer(admin_token(ctx, client))
    viewer = bearer(signup(client))
    clip = make_clip(tmp_path / "clip.mp4", seconds=3, size="426x240")
    source = _upload(ctx, clip.read_bytes(), "clip.mp4")
    fr = _tus_upload(client, h, FR_SRT, "clip.fr.srt")
    en = _upload(ctx, EN_SRT, "clip.en.srt")
    de = _upload(ctx, DE_VTT, "clip.de.vtt")
    pool = worker_pool(ctx, poll_s=0.5)
    pool.start()
    try:
        created = client.post(
            "/api/v1/admin/videos",
            json={
                "title": "Subtitled",
                "upload_id": source,
                "subtitles": [
                    {"language": "fr", "upload_id": fr, "label": "Français (CC)"},
                    {"language": "en", "upload_id": en},
                ],
            },
            headers=h,
        )
        assert created.status_code == 201, created.text
        video_id = created.json()["id"]
        _wait(lambda: _ready(ctx, video_id), "the transcode")

        play = client.get(f"/api/v1/playback/{video_id}", headers=viewer)
        assert play.status_code == 200, play.text
        body = play.json()
        tracks = {t["language"]: t for t in body["subtitles"]}
        assert set(tracks) == {"en", "fr"}
        assert tracks["fr"]["label"] == "Français (CC)"
        vtt = client.get(tracks["fr"]["url"])
        assert vtt.status_code == 200 and "Bonjour tout le monde" in vtt.text
        master = client.get(body["hls_url"])
        assert master.status_code == 200
        assert set(_subtitle_media(master.text)) == {"en", "fr"}
        # The admin's label names the track players list; without one, the language.
        assert _subtitle_media(master.text, "NAME") == {"en": "English", "fr": "Français (CC)"}
        generation = _latest_job(ctx, video_id).generation

        with ctx.sessions() as s:
            row = s.get(Video, uuid.UUID(video_id))
            assert row is not None and row.output_prefix
            output = ctx.store.local_path(row.output_prefix)
        assert output is not None
        before = _media_files(output)
        assert any(name.endswith((".m4s", ".mp4")) for name in before)

        # A subtitle-only edit of a ready video: French goes, German comes, English stays.
        edited = client.patch(
            f"/api/v1/admin/videos/{video_id}",
            json={
                "subtitles": [
                    {"language": "en", "upload_id": en},
                    {"language": "de", "upload_id": de, "label": "Deutsch (SDH)"},
                ]
            },
            headers=h,
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["status"] == "ready"  # still playable meanwhile
        job = _latest_job(ctx, video_id)
        assert job.kind == jobs.SUBTITLES and job.generation == generation
        _wait(lambda: _job_done(ctx, video_id), "the subtitles rewrite")

        # The same playback URL keeps working: same generation, new tracks.
        master = client.get(body["hls_url"])
        assert master.status_code == 200
        listed = _subtitle_media(master.text)
        assert set(listed) == {"en", "de"}
        assert _subtitle_media(master.text, "NAME")["de"] == "Deutsch (SDH)"
        base = body["hls_url"].rsplit("/", 1)[0]
        playlist = client.get(f"{base}/{listed['de']}")
        assert playlist.status_code == 200 and ".vtt" in playlist.text
        assert client.get(tracks["fr"]["url"]).status_code == 404
        again = client.get(f"/api/v1/playback/{video_id}", headers=viewer).json()
        tracks = {t["language"]: t for t in again["subtitles"]}
        assert set(tracks) == {"en", "de"} and tracks["de"]["label"] == "Deutsch (SDH)"
        assert "Guten Tag" in client.get(tracks["de"]["url"]).text
        assert _media_files(output) == before, "no media file was written again"
        with ctx.sessions() as s:
            row = s.get(Video, uuid.UUID(video_id))
            assert row is not None and row.generation == generation and row.error is None

        # [] removes every sidecar.
        cleared = client.patch(
            f"/api/v1/admin/videos/{video_id}", json={"subtitles": []}, headers=h
        )
        assert cleared.status_code == 200, cleared.text
        _wait(lambda: _job_done(ctx, video_id), "removing the subtitles")
        assert client.get(f"/api/v1/playback/{video_id}", headers=viewer).json()["subtitles"] == []
        assert _subtitle_media(client.get(body["hls_url"]).text) == {}
        assert _media_files(output) == before
    finally:
        pool.stop()
