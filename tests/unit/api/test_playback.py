from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.catalog.models import Plan, Video, VideoStatus
from kinema.catalog.services import accounts, jobs
from kinema.catalog.services.sync import VideoUpsert, upsert_video
from kinema_api.context import AppContext
from kinema_api.viewing.services import manifests
from tests.utils.factories import app_context, bearer, make_playable_video, set_plan, signup


@pytest.fixture
def video_id(ctx: AppContext) -> uuid.UUID:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, duration_s=12)
        s.commit()
        return video.id


def _viewer(client: TestClient, plan: str) -> dict[str, str]:
    h = bearer(signup(client))
    set_plan(app_context(client), client, h, plan)
    return h


def _heights_in(master: str) -> list[int]:
    return [v.height or 0 for v in manifests.variants(master) if not v.iframe]


def test_free_plan_is_capped_at_480p(client: TestClient, video_id: uuid.UUID) -> None:
    h = _viewer(client, "free")
    play = client.get(f"/api/v1/playback/{video_id}", headers=h)
    assert play.status_code == 200, play.text
    body = play.json()
    assert body["max_height"] == 480
    assert [r["height"] for r in body["renditions"]] == [240, 480]
    assert body["resume_position_s"] == 0
    master = client.get(body["hls_url"])
    assert master.status_code == 200
    assert master.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert _heights_in(master.text) == [240, 480]
    assert "720p" not in master.text and "1080p" not in master.text
    mpd = ET.fromstring(client.get(body["dash_url"]).text)  # noqa: S314 - our own test data
    heights = [
        int(r.get("height", "0")) for r in mpd.iter("{urn:mpeg:dash:schema:mpd:2011}Representation")
    ]
    assert sorted(h for h in heights if h) == [240, 480]
    base = body["hls_url"].rsplit("/", 1)[0]
    assert client.get(f"{base}/480p/playlist.m3u8").status_code == 200
    seg = client.get(f"{base}/480p/seg_00001.m4s")
    assert seg.status_code == 200
    assert seg.content == bytes([1]) * 1480
    assert client.get(f"{base}/audio/seg_00001.m4s").status_code == 200
    assert client.get(f"{base}/thumbnails.vtt").text.startswith("WEBVTT")
    # Guessing the URL of a rung above the plan does not work.
    for path in (
        "720p/seg_00001.m4s",
        "1080p/playlist.m3u8",
        "1080p/init.mp4",
        "720p/iframes.m3u8",
    ):
        refused = client.get(f"{base}/{path}")
        assert refused.status_code == 403, path
        assert "above your plan" in refused.json()["detail"]


def test_premium_gets_everything(client: TestClient, video_id: uuid.UUID) -> None:
    h = _viewer(client, "premium")
    body = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
    assert body["max_height"] == 2160
    assert _heights_in(client.get(body["hls_url"]).text) == [240, 480, 720, 1080]
    base = body["hls_url"].rsplit("/", 1)[0]
    assert client.get(f"{base}/1080p/seg_00002.m4s").status_code == 200


def test_signed_urls_are_checked(ctx: AppContext, client: TestClient, video_id: uuid.UUID) -> None:
    with ctx.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None and video.output_prefix
        prefix = video.output_prefix
    h = _viewer(client, "free")
    body = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
    base = body["hls_url"].rsplit("/", 1)[0]
    token = base.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    root = base.rsplit("/", 1)[0]
    tampered = f"{root}/{payload}.{mac[:-2]}AA/480p/seg_00001.m4s"
    assert client.get(tampered).status_code == 403
    assert client.get(f"{root}/garbage/480p/seg_00001.m4s").status_code == 403
    assert client.get(f"{base}/../../etc/passwd").status_code in (403, 404)
    assert client.get(f"{base}/480p/nope.m4s").status_code == 404
    # The transcoder's own records stay private, even with a valid token.
    for private in ("kinema.json", "records.json", "chunks/0000/chunk.json"):
        ctx.store.put_bytes(b'{"source": "s3://raw/secret.mov"}', f"{prefix}/{private}")
        assert client.get(f"{base}/{private}").status_code == 404, private


def test_http_range(client: TestClient, video_id: uuid.UUID) -> None:
    h = _viewer(client, "free")
    base = client.get(f"/api/v1/playback/{video_id}", headers=h).json()["hls_url"].rsplit("/", 1)[0]
    url = f"{base}/480p/seg_00002.m4s"  # 1480 bytes of 0x02
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.headers["content-range"] == "bytes 10-19/1480"
    assert part.content == bytes([2]) * 10
    tail = client.get(url, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and len(tail.content) == 5
    bad = client.get(url, headers={"Range": "bytes=5000-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"] == "bytes */1480"
    head = client.head(url, headers={"Range": "bytes=0-99"})
    assert head.status_code == 206
    assert head.headers["content-length"] == "100"
    full = client.get(url)
    assert full.headers["accept-ranges"] == "bytes"
    assert len(full.content) == 1480
    # Cast receivers read from their own origin: files and rewritten manifests allow it.
    master = client.get(f"{base}/master.m3u8", headers={"Origin": "https://receiver.example"})
    for resp in (part, full, master):
        assert resp.headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in part.headers["access-control-expose-headers"]


def test_playback_refusals(ctx: AppContext, client: TestClient, video_id: uuid.UUID) -> None:
    assert client.get(f"/api/v1/playback/{video_id}").status_code == 401
    h = _viewer(client, "free")
    assert client.get(f"/api/v1/playback/{uuid.uuid4()}", headers=h).status_code == 404
    body = client.get(f"/api/v1/playback/{video_id}", headers=h).json()
    with ctx.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        # A re-transcode invalidates outstanding URLs (a new generation).
        jobs.enqueue_transcode(s, video=video)
        s.commit()
    # The served output stays playable while the new one is made...
    assert client.get(body["hls_url"]).status_code == 200
    assert client.get(f"/api/v1/playback/{video_id}", headers=h).status_code == 200
    with ctx.sessions() as s:
        upsert_video(
            s,
            VideoUpsert(
                video_id=video_id,
                generation=2,
                status=VideoStatus.READY,
                output_prefix=f"processed/{video_id.hex}/2",
            ),
        )
        s.commit()
    # ...and URLs signed for the old output stop working once the new one is published.
    stale = client.get(body["hls_url"])
    assert stale.status_code == 410
    assert "new playback URL" in stale.json()["detail"]


def test_concurrent_streams_per_plan(ctx: AppContext, client: TestClient) -> None:
    """Streams are counted per device (login session), not per profile."""
    with ctx.sessions() as s:
        first = make_playable_video(s, ctx.store).id
        second = make_playable_video(s, ctx.store).id
        accounts.ensure_sample_plans(s)
        s.execute(update(Plan).where(Plan.slug == "basic").values(concurrent_streams=1))
        s.commit()
    h = _viewer(client, "basic")  # one stream (as set above), two profiles
    email = client.get("/api/v1/auth/me", headers=h).json()["email"]
    other = client.post("/api/v1/profiles", json={"name": "Partner"}, headers=h).json()
    assert client.get(f"/api/v1/playback/{first}", headers=h).status_code == 200
    # This device reopening the player, on another video or as another profile, is
    # still one stream.
    assert client.get(f"/api/v1/playback/{second}", headers=h).status_code == 200
    client.post(f"/api/v1/profiles/{other['id']}/select", headers=h)
    assert client.get(f"/api/v1/playback/{first}", headers=h).status_code == 200
    # A second device is a second stream.
    tv = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "correct horse", "device_name": "TV"},
    ).json()["access_token"]
    blocked = client.get(f"/api/v1/playback/{first}", headers=bearer(tv))
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_streams"
    assert "1 stream" in blocked.json()["detail"]


def test_resume_position(ctx: AppContext, client: TestClient, video_id: uuid.UUID) -> None:
    h = _viewer(client, "free")
    client.put(f"/api/v1/progress/{video_id}", json={"position_s": 7.5}, headers=h)
    assert client.get(f"/api/v1/playback/{video_id}", headers=h).json()["resume_position_s"] == 7.5


def test_playback_events(client: TestClient, video_id: uuid.UUID) -> None:
    h = _viewer(client, "free")
    ok = client.post(
        f"/api/v1/playback/{video_id}/events",
        json={"kind": "stall", "position_s": 3.5, "payload": {"ms": 800}},
        headers=h,
    )
    assert ok.status_code == 202, ok.text
    assert (
        client.post(
            f"/api/v1/playback/{video_id}/events", json={"kind": "explode"}, headers=h
        ).status_code
        == 422
    )
    big = client.post(
        f"/api/v1/playback/{video_id}/events",
        json={"kind": "error", "payload": {"trace": "x" * 5000}},
        headers=h,
    )
    assert big.status_code == 422
    missing = client.post(
        f"/api/v1/playback/{uuid.uuid4()}/events", json={"kind": "start"}, headers=h
    )
    assert missing.status_code == 404
