"""Viewers through the caching edge and straight to the API, side by side.

A few dozen published titles (Zipf popularity) share one packaged output (4 rungs, 60
four-second segments, sizes from the rungs' bitrates scaled down 64 times); simulated
ABR players (``tests/utils/viewers.py``) watch them at 40 times real speed, each with
its own playback token. For 50 and 200 viewers (1,000 with ``KINEMA_BENCH_1000=1``: too
slow for CI on two cores with a Python load generator) the run prints the edge's hit
ratio (all requests, and segments alone), the
requests and bytes that reached the API against those delivered, and segment latency
p50/p99 as the players saw it and as nginx measured it (its timing log: at 1,000
viewers the Python players' own event loop adds to what they see). The API runs in
this process (a thread), so the players and the origin share its GIL: figures without
the edge are pessimistic.
Nothing is asserted about speed; only that the players were served.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from kinema.storage import ObjectStore
from kinema_api.viewing.services.playback import STREAM_PREFIX
from kinema_api.viewing.services.signing import PlaybackGrant, sign, verify
from tests.utils.edge import EdgeStack, edge_stack
from tests.utils.factories import (
    DEFAULT_LADDER,
    admin_token,
    bearer,
    make_ready_video,
    make_title,
    set_plan,
    signup_over_http,
    write_packaged_output,
)
from tests.utils.viewers import Load, Result, percentile, run_coroutine, run_viewers

pytestmark = [pytest.mark.bench, pytest.mark.integration, pytest.mark.slow]
TITLES = 30
SEGMENTS = 60
WATCH = 8
SCALE = 64
SPEEDUP = 40.0


def _write_output(store: ObjectStore, prefix: str) -> None:
    """The factory's layout (master, DASH, rung folders) with 60 segments a rung, each
    the size its bitrate gives four seconds, divided by ``SCALE``."""
    write_packaged_output(store, prefix)
    for rung in DEFAULT_LADDER:
        folder = rung.path.split("/")[0]
        lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:4"]
        lines += ["#EXT-X-PLAYLIST-TYPE:VOD", '#EXT-X-MAP:URI="init.mp4"']
        size = rung.bitrate * 4 // 8 // SCALE
        for n in range(1, SEGMENTS + 1):
            lines += ["#EXTINF:4.000,", f"seg_{n:05d}.m4s"]
            store.put_bytes(bytes([n % 256]) * size, f"{prefix}/{folder}/seg_{n:05d}.m4s")
        lines.append("#EXT-X-ENDLIST")
        store.put_bytes(("\n".join(lines) + "\n").encode(), f"{prefix}/{rung.path}")


@pytest.fixture(scope="module")
def catalog(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EdgeStack, list[uuid.UUID], uuid.UUID]]:
    with edge_stack(tmp_path_factory.mktemp("edge-bench")) as stack:
        shared = "processed/shared-feature"
        _write_output(stack.ctx.store, shared)
        ids = []
        with stack.ctx.sessions() as s:
            for n in range(TITLES):
                video = make_ready_video(s, title=make_title(s, name=f"Feature {n:02d}"))
                video.output_prefix = shared
                ids.append(video.id)
            s.commit()
        with httpx.Client(base_url=stack.api, timeout=30) as http:
            h = signup_over_http(stack.api, prefix="bench")
            set_plan(stack.ctx, http, h, "premium", admin=bearer(admin_token(stack.ctx, http)))
            play = http.get(f"/api/v1/playback/{ids[0]}", headers=h)
            assert play.status_code == 200, play.text
        grant = verify(str(play.json()["token"]), stack.ctx.playback_key)
        assert grant.session_id is not None
        yield stack, ids, grant.session_id


def _bases(
    stack: EdgeStack, ids: list[uuid.UUID], session_id: uuid.UUID, base: str, viewers: int
) -> list[list[str]]:
    """Per title, one stream folder per viewer: each viewer holds its own token, as the
    API would have issued it to that viewer's playback."""
    expires = int(time.time()) + 600
    return [
        [
            f"{base}{STREAM_PREFIX}/"
            + sign(PlaybackGrant(vid, 2160, expires, 1, session_id), stack.ctx.playback_key)
            for _ in range(viewers)
        ]
        for vid in ids
    ]


def _ms(seconds: float) -> str:
    """nginx times requests to the millisecond: 0 means under one."""
    return f"{seconds * 1000:.1f}" if seconds > 0 else "<1"


def _row(
    label: str,
    viewers: int,
    res: Result,
    origin_requests: int,
    origin_bytes: int,
    at_edge: list[float],
) -> str:
    edge = label != "origin"
    hit = (
        f"{res.hit_ratio() * 100:6.1f} {res.hit_ratio(segments=True) * 100:6.1f}"
        if edge
        else f"{'-':>6} {'-':>6}"
    )
    share = origin_bytes / res.bytes * 100 if res.bytes else 0.0
    return (
        f"{viewers:>6} {label:<7} {res.requests:>6} {hit} {origin_requests:>7} "
        f"{origin_bytes / 1e6:>8.1f} {res.bytes / 1e6:>9.1f} {share:>6.1f} "
        f"{res.percentile(50) * 1000:>6.1f} {res.percentile(99) * 1000:>6.1f} "
        f"{res.switches:>5} {res.seeks:>5} {sum(n for c, n in res.statuses.items() if c != 200):>5}"
        + (
            f" {_ms(percentile(at_edge, 50)):>6} {_ms(percentile(at_edge, 99)):>6}"
            if edge
            else f" {'-':>6} {'-':>6}"
        )
    )


def test_edge_viewer_load(catalog: tuple[EdgeStack, list[uuid.UUID], uuid.UUID]) -> None:
    stack, ids, session_id = catalog
    rows: list[str] = []
    sizes = [50, 200, *([1000] if os.environ.get("KINEMA_BENCH_1000") else [])]
    for viewers in sizes:
        # A fresh copy of the catalog per size: the first edge run meets a cold cache,
        # the second the same titles again (the steady state of a long-lived edge).
        fresh = _fresh_titles(stack, len(ids))
        for label in ("origin", "cold", "warm"):
            t0 = time.monotonic()
            base = stack.api if label == "origin" else stack.edge
            bases = _bases(stack, fresh, session_id, base, viewers)
            stack.origin.reset()
            stack.reset_timings()
            load = Load(
                viewers=viewers,
                watch=WATCH,
                segments=SEGMENTS,
                size_scale=SCALE,
                speedup=SPEEDUP,
            )
            result = run_coroutine(run_viewers(bases, load))
            origin_requests = stack.origin.media_requests + stack.origin.checks
            at_edge = stack.segment_seconds()
            rows.append(_row(label, viewers, result, origin_requests, stack.origin.bytes, at_edge))
            rows[-1] += f" {time.monotonic() - t0:>5.1f}"
            # Sanity only: every viewer played something, nearly every request was served.
            assert len(result.latencies) >= viewers, result.statuses
            assert result.statuses[200] / result.requests > 0.99, result.statuses
    print(
        f"\n{TITLES} titles (Zipf s=1), {WATCH} segments a viewer at {SPEEDUP:.0f}x real time; "
        "edge: cold cache, then the same titles warm"
        "\nviewers via     reqs   hit%  seg%  origin  orig MB  deliv MB  orig%"
        "  p50ms  p99ms  swit seeks  fail  e-p50  e-p99  wall"
        "\n(p50/p99: segment latency as the players saw it, event loop included; e-p50/e-p99:"
        " as nginx measured it, from its timing log)"
    )
    print("\n".join(rows))


def _fresh_titles(stack: EdgeStack, count: int) -> list[uuid.UUID]:
    ids = []
    with stack.ctx.sessions() as s:
        for n in range(count):
            video = make_ready_video(s, title=make_title(s, name=f"Run title {n:02d}"))
            video.output_prefix = "processed/shared-feature"
            ids.append(video.id)
        s.commit()
    return ids
