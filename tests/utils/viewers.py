"""Simulated viewers for the edge benchmark: asyncio clients that play like ABR players.

Each viewer fetches the master playlist, picks a rung by the throughput it measured,
fetches that rung's playlist and init segment, then segments at the pace of playback
(time compressed by ``Load.speedup``), switching rungs as its measured throughput moves
and seeking now and then. Its network link is simulated: a segment's transfer takes
``bytes / link rate`` (scaled like the files), on top of the real request's time, so
throughput estimates fall where real links would put them. Titles are chosen by a Zipf
law over the catalog.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

_VARIANT = re.compile(r"#EXT-X-STREAM-INF:BANDWIDTH=(\d+)[^\n]*\n([^\n#][^\n]*)")
# nginx X-Cache-Status values that were answered from the cache.
CACHE_HITS = frozenset({"HIT", "STALE", "UPDATING", "REVALIDATED"})


T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the test's thread may already run a loop
    (Playwright's sync API keeps one in the main thread once a browser test started)."""
    out: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(asyncio.run(coro))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="kinema-test-asyncio")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


@dataclass(frozen=True)
class Load:
    viewers: int
    watch: int = 10  # segments each viewer plays (a fixed amount of work per run)
    segment_s: float = 4.0  # media seconds per segment
    segments: int = 60  # per title
    speedup: float = 10.0  # media seconds per wall second
    size_scale: int = 16  # real bytes per stored byte
    seek_p: float = 0.02  # chance of a seek after each segment
    resume_p: float = 0.25  # chance a viewer starts mid-title
    # Viewers' links (bits/s of real media): mobile, DSL, cable, fibre.
    links: tuple[int, ...] = (1_500_000, 4_000_000, 8_000_000, 20_000_000)
    zipf_s: float = 1.0


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # segment requests, seconds
    statuses: Counter[int] = field(default_factory=Counter)
    cache: Counter[str] = field(default_factory=Counter)  # X-Cache-Status, all requests
    segment_cache: Counter[str] = field(default_factory=Counter)  # segments only
    bytes: int = 0
    requests: int = 0
    switches: int = 0
    seeks: int = 0

    def hit_ratio(self, segments: bool = False) -> float:
        counts = self.segment_cache if segments else self.cache
        total = sum(counts.values())
        return sum(n for k, n in counts.items() if k in CACHE_HITS) / total if total else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (1..99) of ``values`` (0 for none)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def zipf_weights(n: int, s: float) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


async def run_viewers(bases: list[list[str]], load: Load, *, seed: int = 7) -> Result:
    """Play ``load.viewers`` viewers, ``load.watch`` segments each (fewer at a title's
    end); ``bases[title][viewer]`` is
    each title's stream folder for a viewer (its own token)."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    weights = zipf_weights(len(bases), load.zipf_s)
    result = Result()
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def get(url: str, segment: bool) -> httpx.Response | None:
            t0 = time.monotonic()
            try:
                resp = await client.get(url)
            except httpx.HTTPError:
                result.statuses[0] += 1
                return None
            elapsed = time.monotonic() - t0
            result.requests += 1
            result.statuses[resp.status_code] += 1
            result.bytes += len(resp.content)
            status = resp.headers.get("x-cache-status")
            if status:
                result.cache[status] += 1
                if segment:
                    result.segment_cache[status] += 1
            if segment:
                result.latencies.append(elapsed)
            return resp if resp.status_code == 200 else None

        async def viewer(n: int) -> None:
            v_rng = random.Random(rng.random())  # noqa: S311
            # Arrivals spread over the first second.
            await asyncio.sleep(v_rng.random())
            title = v_rng.choices(range(len(bases)), weights)[0]
            base = bases[title][n % len(bases[title])]
            link = v_rng.choice(load.links)
            master = await get(f"{base}/master.m3u8", False)
            if master is None:
                return
            ladder = sorted((int(b), uri) for b, uri in _VARIANT.findall(master.text))
            rung = 0
            estimate = float(ladder[0][0])
            position = v_rng.randrange(load.segments) if v_rng.random() < load.resume_p else 0
            playlist = None
            for _ in range(load.watch):
                if position >= load.segments:
                    break
                want = max(
                    (i for i, (bps, _) in enumerate(ladder) if bps <= 0.8 * estimate), default=0
                )
                if want != rung or playlist is None:
                    result.switches += playlist is not None
                    rung = want
                    folder = ladder[rung][1].rsplit("/", 1)[0]
                    playlist = await get(f"{base}/{ladder[rung][1]}", False)
                    await get(f"{base}/{folder}/init.mp4", True)
                due = time.monotonic() + load.segment_s / load.speedup
                t0 = time.monotonic()
                seg = await get(f"{base}/{folder}/seg_{position + 1:05d}.m4s", True)
                if seg is None:
                    return
                real_bytes = len(seg.content) * load.size_scale
                transfer = real_bytes * 8 / link / load.speedup
                await asyncio.sleep(transfer)
                took = (time.monotonic() - t0) * load.speedup
                estimate = 0.7 * estimate + 0.3 * (real_bytes * 8 / max(took, 1e-3))
                position += 1
                if v_rng.random() < load.seek_p:
                    result.seeks += 1
                    position = v_rng.randrange(load.segments)
                await asyncio.sleep(max(0.0, due - time.monotonic()))

        await asyncio.gather(*(viewer(n) for n in range(load.viewers)))
    return result
