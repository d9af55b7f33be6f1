"""The caching edge (nginx, ``kinema.edge``) in front of a real API: segments shared
across tokens and fetched once from the origin, tokens still checked at the edge,
manifests kept per plan, a republished video's manifests never served stale."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kinema.catalog.models import VideoStatus, utcnow
from kinema.catalog.services.sync import VideoUpsert, upsert_video
from kinema_api.viewing.services.signing import PlaybackGrant, sign
from tests.utils.edge import EdgeStack, edge_stack
from tests.utils.factories import (
    admin_token,
    bearer,
    make_playable_video,
    make_title,
    set_plan,
    signup_over_http,
    wait_for,
)
from tests.utils.load import serve_kinema_up
from tests.utils.ports import free_port
from tests.utils.viewers import run_coroutine

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeStack]:
    with edge_stack(tmp_path_factory.mktemp("edge")) as stack:
        yield stack


@pytest.fixture(scope="module")
def http(stack: EdgeStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api, timeout=30) as client:
        yield client


def _video(stack: EdgeStack) -> uuid.UUID:
    with stack.ctx.sessions() as s:
        video = make_playable_video(s, stack.ctx.store, title=make_title(s))
        s.commit()
        return video.id


@pytest.fixture(scope="module")
def admin(stack: EdgeStack, http: httpx.Client) -> dict[str, str]:
    return bearer(admin_token(stack.ctx, http))


@pytest.fixture(scope="module")
def premium(stack: EdgeStack, http: httpx.Client, admin: dict[str, str]) -> list[dict[str, str]]:
    """Three premium viewers (sign-ups are rate-limited: the module shares them)."""
    return [_viewer(stack, http, admin) for _ in range(3)]


@pytest.fixture(scope="module")
def basic(stack: EdgeStack, http: httpx.Client, admin: dict[str, str]) -> dict[str, str]:
    return _viewer(stack, http, admin, "basic")


def _viewer(
    stack: EdgeStack, http: httpx.Client, admin: dict[str, str], plan: str = "premium"
) -> dict[str, str]:
    h = signup_over_http(stack.api, prefix="edge")
    set_plan(stack.ctx, http, h, plan, admin=admin)
    return h


def _play(http: httpx.Client, h: dict[str, str], video_id: uuid.UUID) -> str:
    """The playback's stream folder on the edge (``http://edge/api/v1/stream/<token>``)."""
    resp = http.get(f"/api/v1/playback/{video_id}", headers=h)
    assert resp.status_code == 200, resp.text
    hls = str(resp.json()["hls_url"])
    return hls.rsplit("/", 1)[0]


def test_playback_urls_point_at_the_edge(
    stack: EdgeStack, http: httpx.Client, premium: list[dict[str, str]]
) -> None:
    base = _play(http, premium[0], _video(stack))
    assert base.startswith(f"{stack.edge}/api/v1/stream/")
    assert stack.edge in http.get("/").headers.get("content-security-policy", stack.edge)


def test_a_segment_is_fetched_once_and_shared_across_tokens(
    stack: EdgeStack, http: httpx.Client, premium: list[dict[str, str]]
) -> None:
    video_id = _video(stack)
    first = _play(http, premium[0], video_id)
    second = _play(http, premium[1], video_id)
    assert first != second  # two viewers, two tokens
    stack.origin.reset()
    a = httpx.get(f"{first}/720p/seg_00001.m4s")
    b = httpx.get(f"{second}/720p/seg_00001.m4s")
    c = httpx.get(f"{first}/720p/seg_00001.m4s", headers={"Range": "bytes=0-9"})
    assert a.status_code == b.status_code == 200, a.text
    assert a.headers["x-cache-status"] == "MISS"
    assert b.headers["x-cache-status"] == "HIT"
    assert a.content == b.content == bytes([1]) * 1720
    assert c.status_code == 206 and c.content == bytes([1]) * 10
    assert c.headers["x-cache-status"] == "HIT"
    assert stack.origin.requests["720p/seg_00001.m4s"] == 1
    # One token check per viewer and folder, not per request.
    assert stack.origin.checks == 2
    assert a.headers["access-control-allow-origin"] == "*"


def test_refused_tokens_are_refused_at_the_edge_even_when_cached(
    stack: EdgeStack, http: httpx.Client, premium: list[dict[str, str]]
) -> None:
    video_id = _video(stack)
    base = _play(http, premium[0], video_id)
    assert httpx.get(f"{base}/480p/seg_00002.m4s").status_code == 200
    assert httpx.get(f"{base}/480p/seg_00002.m4s").headers["x-cache-status"] == "HIT"
    token = base.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    expired = sign(
        PlaybackGrant(video_id, 2160, int(time.time()) - 5, 1, uuid.uuid4()),
        stack.ctx.playback_key,
    )
    edge_stream = f"{stack.edge}/api/v1/stream"
    forged = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for url in (
        f"{edge_stream}/{forged}/480p/seg_00002.m4s",
        f"{edge_stream}/{expired}/480p/seg_00002.m4s",
        f"{edge_stream}/480p/seg_00002.m4s",  # no token at all
        f"{edge_stream}/x.y/480p/seg_00002.m4s",
    ):
        resp = httpx.get(url)
        assert resp.status_code == 403, (url, resp.status_code)
        assert resp.content != bytes([2]) * 1480
        assert resp.headers.get("x-cache-status") != "HIT"
        assert resp.json()["code"] == "forbidden"


def test_concurrent_cold_requests_reach_the_origin_once(
    stack: EdgeStack, http: httpx.Client, premium: list[dict[str, str]]
) -> None:
    video_id = _video(stack)
    bases = [_play(http, h, video_id) for h in premium]
    stack.origin.reset()

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            return await asyncio.gather(
                *(client.get(f"{bases[n % 3]}/1080p/seg_00003.m4s") for n in range(30))
            )

    answers = run_coroutine(burst())
    assert {r.status_code for r in answers} == {200}
    assert stack.origin.requests["1080p/seg_00003.m4s"] == 1


def test_manifests_are_kept_per_plan(
    stack: EdgeStack,
    http: httpx.Client,
    premium: list[dict[str, str]],
    basic: dict[str, str],
) -> None:
    video_id = _video(stack)
    full_plan, basic_plan = _play(http, premium[0], video_id), _play(http, basic, video_id)
    full = httpx.get(f"{full_plan}/master.m3u8")
    assert full.status_code == 200 and "1080p/playlist.m3u8" in full.text
    again = httpx.get(f"{full_plan}/master.m3u8")
    assert again.headers["x-cache-status"] == "HIT" and again.text == full.text
    capped = httpx.get(f"{basic_plan}/master.m3u8")
    assert capped.status_code == 200
    assert "720p/playlist.m3u8" in capped.text and "1080p" not in capped.text
    assert capped.headers["x-cache-status"] != "HIT"
    # Case-folded like the API: never taken for a segment and shared across plans.
    upper = httpx.get(f"{basic_plan}/MASTER.M3U8")
    assert upper.status_code in (200, 404) and "1080p" not in upper.text
    # A refused rung's files stay refused, cached or not.
    assert httpx.get(f"{full_plan}/1080p/seg_00001.m4s").status_code == 200
    assert httpx.get(f"{basic_plan}/1080p/seg_00001.m4s").status_code == 403
    assert httpx.get(f"{basic_plan}/1080p/playlist.m3u8").status_code == 403
    # Private files stay private.
    assert httpx.get(f"{full_plan}/kinema.json").status_code == 404


def test_logout_ends_playback_at_the_next_manifest_through_the_edge(
    stack: EdgeStack, http: httpx.Client, admin: dict[str, str]
) -> None:
    video_id = _video(stack)
    h = _viewer(stack, http, admin)
    base = _play(http, h, video_id)
    assert httpx.get(f"{base}/master.m3u8").status_code == 200
    assert httpx.get(f"{base}/master.m3u8").headers["x-cache-status"] == "HIT"
    assert http.post("/api/v1/auth/logout", headers=h).status_code == 200
    ended = httpx.get(f"{base}/master.m3u8")
    assert ended.status_code == 401 and ended.json()["code"] == "unauthorized"
    assert httpx.get(f"{base}/480p/playlist.m3u8").status_code == 401


def test_a_republished_video_gets_fresh_manifests(
    stack: EdgeStack, http: httpx.Client, premium: list[dict[str, str]]
) -> None:
    video_id = _video(stack)
    h = premium[2]
    old = _play(http, h, video_id)
    before = httpx.get(f"{old}/master.m3u8")
    assert httpx.get(f"{old}/master.m3u8").headers["x-cache-status"] == "HIT"
    assert httpx.get(f"{old}/480p/seg_00001.m4s").status_code == 200
    # Republished in place: same output folder and paths, new files, next generation.
    with stack.ctx.sessions() as s:
        video = upsert_video(s, VideoUpsert(video_id=video_id))
        prefix = video.output_prefix or ""
        stack.ctx.store.put_bytes(
            stack.ctx.store.get_bytes(f"{prefix}/master.m3u8") + b"#EXT-X-REPUBLISHED\n",
            f"{prefix}/master.m3u8",
        )
        stack.ctx.store.put_bytes(b"new" * 100, f"{prefix}/480p/seg_00001.m4s")
        upsert_video(
            s,
            VideoUpsert(
                video_id=video_id,
                status=VideoStatus.READY,
                generation=video.generation + 1,
                ready_at=utcnow() + timedelta(seconds=1),
            ),
        )
        s.commit()
    assert httpx.get(f"{old}/master.m3u8").status_code == 410  # the old token
    new = _play(http, h, video_id)
    after = httpx.get(f"{new}/master.m3u8")
    assert after.status_code == 200 and "#EXT-X-REPUBLISHED" in after.text
    assert after.headers["x-cache-status"] == "MISS" and before.text != after.text
    segment = httpx.get(f"{new}/480p/seg_00001.m4s")
    assert segment.content == b"new" * 100 and segment.headers["x-cache-status"] == "MISS"


def test_kinema_up_with_the_edge(tmp_path: Path) -> None:
    """`kinema up --edge`: nginx on the next port, playback URLs on it, stopped with it."""
    edge_port = free_port()
    with serve_kinema_up(tmp_path, "--edge", "--edge-port", str(edge_port)) as up:
        h = signup_over_http(up.base, prefix="up")
        play = httpx.get(f"{up.base}/api/v1/playback/{up.video_id}", headers=h, timeout=30)
        assert play.status_code == 200, play.text
        hls = str(play.json()["hls_url"])
        assert hls.startswith(f"http://127.0.0.1:{edge_port}/api/v1/stream/")
        base = hls.rsplit("/", 1)[0]
        first = httpx.get(f"{base}/240p/seg_00001.m4s")
        second = httpx.get(f"{base}/240p/seg_00001.m4s")
        assert first.status_code == second.status_code == 200
        assert (first.headers["x-cache-status"], second.headers["x-cache-status"]) == (
            "MISS",
            "HIT",
        )
        pid = int((tmp_path / "data" / "edge" / "run" / "nginx.pid").read_text())
    # nginx ends with kinema up.
    assert wait_for(lambda: not _alive(pid), timeout_s=15)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
