"""Load on a served Kinema: ``kinema up`` on a one-title catalog, many clients browsing
it, and a ``/health`` poller beside them.

Used by the integration test that asserts what must hold under load
(``tests/integration/api/test_sqlite_concurrency.py``; the figures under load are
``tests/bench/test_api_load_bench.py``'s, measured with wrk); the ``kinema_up`` fixture
of ``tests/conftest.py`` wraps :func:`serve_kinema_up`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kinema.catalog.models import Maturity
from tests.utils.factories import build_api_context, make_playable_video, make_title, wait_for
from tests.utils.ports import free_port

KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]
JPEG = b"\xff\xd8\xff\xe0 poster"


@dataclass
class LoadResult:
    """What the clients of one load run saw: each answer's latency and status, failures."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] if len(self.latencies) > 1 else 0

    def summary(self) -> str:
        return (
            f"{len(self.latencies)} requests in {self.seconds:.1f} s "
            f"({len(self.latencies) / max(self.seconds, 1e-9):.0f}/s), "
            f"p50 {statistics.median(self.latencies) * 1000:.0f} ms, "
            f"p99 {self.p99 * 1000:.0f} ms, statuses {dict(sorted(self.statuses.items()))}, "
            f"{len(self.failures)} failed"
        )


def run_load(
    base: str,
    paths: list[str],
    headers: dict[str, str],
    *,
    connections: int,
    seconds: float,
    writes: Sequence[tuple[str, dict[str, object]]] = (),
) -> LoadResult:
    """Run :func:`_load` on a thread of its own: Playwright's sync API, used by the
    browser fixtures earlier in the session, leaves an event loop marked running on the
    main thread, where ``asyncio.run`` refuses to start."""
    load = _load(base, paths, headers, connections=connections, seconds=seconds, writes=writes)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load") as pool:
        return pool.submit(asyncio.run, load).result()


async def _load(
    base: str,
    paths: list[str],
    headers: dict[str, str],
    *,
    connections: int,
    seconds: float,
    writes: Sequence[tuple[str, dict[str, object]]] = (),
) -> LoadResult:
    """``connections`` clients, each requesting ``paths`` in turn for ``seconds``; one
    more puts each of ``writes`` once a second, as players report progress."""
    result = LoadResult()
    limits = httpx.Limits(max_connections=connections + 1, max_keepalive_connections=connections)
    deadline = time.monotonic() + seconds

    async def one(client: httpx.AsyncClient, method: str, path: str, body: object) -> None:
        start = time.monotonic()
        try:
            resp = await client.request(method, path, headers=headers, json=body)
        except httpx.HTTPError as exc:
            result.failures.append(f"{method} {path}: {type(exc).__name__}")
            return
        result.latencies.append(time.monotonic() - start)
        result.count(resp.status_code)
        if resp.status_code >= 500:
            result.failures.append(f"{method} {path}: {resp.status_code} {resp.text[:200]}")

    async def reader(client: httpx.AsyncClient, n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            await one(client, "GET", paths[i % len(paths)], None)
            i += 1

    async def writer(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            for path, body in writes:
                await one(client, "PUT", path, body)
            await asyncio.sleep(1.0)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=15) as client:
        started = time.monotonic()
        tasks = [reader(client, n) for n in range(connections)]
        if writes:
            tasks.append(writer(client))
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - started
    return result


class HealthPoller(threading.Thread):
    """Polls ``/health`` four times a second on its own connection; records the worst."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.worst = 0.0
        self.failures: list[str] = []
        self.polls = 0

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.is_set():
                start = time.monotonic()
                try:
                    resp = client.get("/api/v1/health")
                    if resp.status_code != 200:
                        self.failures.append(f"{resp.status_code} {resp.text[:200]}")
                except httpx.HTTPError as exc:
                    self.failures.append(type(exc).__name__)
                self.worst = max(self.worst, time.monotonic() - start)
                self.polls += 1
                self.stop.wait(0.25)


@dataclass
class UpServer:
    """A running `kinema up`: its base URL, process and log, and its one title and video."""

    base: str
    proc: subprocess.Popen[str]
    log: Path
    title_id: uuid.UUID
    video_id: uuid.UUID


@contextmanager
def serve_kinema_up(tmp_path: Path, *extra: str) -> Iterator[UpServer]:
    """`kinema up` (with ``extra`` arguments) in a subprocess on a catalog with one
    published, playable title, its data and log under ``tmp_path``; stopped (SIGINT,
    then SIGKILL) on leaving."""
    data = tmp_path / "data"
    ctx = build_api_context(data)
    try:
        with ctx.sessions() as session:
            title = make_title(session, name="Load Test Feature", maturity=Maturity.TEEN)
            video = make_playable_video(session, ctx.store, title=title)
            video.poster_path = "posters/poster.jpg"
            ctx.store.put_bytes(JPEG, f"{video.output_prefix}/{video.poster_path}")
            session.commit()
            title_id, video_id = title.id, video.id
    finally:
        ctx.close()
    port = free_port()
    log = tmp_path / "up.log"
    env = {**os.environ, "KINEMA_WORKERS": "1"}
    env.pop("KINEMA_ADMIN_PASSWORD", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*KINEMA, "up", "--port", str(port), "--data-dir", str(data), "--no-demo", *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_for(healthy, timeout_s=60, interval_s=0.2), log.read_text()
        yield UpServer(base, proc, log, title_id, video_id)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
