"""The API under load, measured with ``wrk``: requests per second and p50/p99 latency per
endpoint, with the hot cache on and off, embedded (``kinema up``: SQLite, the process's
own cache) and as in a cluster (``kinema api`` on PostgreSQL and Redis, one process and
two side by side). Printed as one table; nothing about speed is asserted (CI machines
vary), only that every request was answered 2xx and every progress write answered is
stored.

wrk runs on CPU 0 and the servers on CPU 1 (``taskset``) when the machine has two; two
API processes then share that one CPU, so the "x2" row shows what a second replica costs
or saves on the same core. The last row uses both cores: an API process pinned to each,
wrk left to the scheduler (it then takes its share of the same two cores).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from kinema.catalog.models import Maturity, WatchProgress, utcnow
from kinema.settings import Settings
from tests.utils.factories import (
    build_api_context,
    make_playable_video,
    make_ready_video,
    make_title,
    signup_over_http,
    wait_for,
)
from tests.utils.ports import free_port
from tests.utils.postgres_server import PostgresServer
from tests.utils.redis_server import RedisServer
from tests.utils.wrk import WrkResult, finish, lua_rotating, start_wrk, wrk_path

pytestmark = [pytest.mark.bench, pytest.mark.integration, pytest.mark.slow]
SECONDS = 2
CONNECTIONS = 16
TITLES = 40
VIEWERS = 16  # signed up; their tokens take turns in the requests
PLAYABLE = 4  # titles with packaged output (playback info)
GENRES = ["Drama", "Comedy", "Documentary", "Thriller", "Animation"]
KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]
# Load from one address: the per-viewer write limit and the sign-up limit stay out of it.
LIMITS = {"KINEMA_WRITE_RATE_LIMIT_PER_MIN": "100000000", "KINEMA_AUTH_RATE_LIMIT_PER_MIN": "1000"}


@dataclass
class Catalog:
    data: Path
    title_id: uuid.UUID
    video_ids: list[uuid.UUID]
    env: dict[str, str]
    tokens: list[str] = field(default_factory=list)

    def viewers(self, base: str) -> list[str]:
        """Bearer tokens of VIEWERS viewers, signed up on the first server of this
        catalog (every server on the same database accepts them)."""
        if not self.tokens:
            for _ in range(VIEWERS):
                headers = signup_over_http(base, prefix="load")
                self.tokens.append(headers["Authorization"].removeprefix("Bearer "))
        return self.tokens


def _seed(data: Path, **backends: str) -> Catalog:
    ctx = build_api_context(data, **backends)
    try:
        with ctx.sessions() as s:
            videos = []
            for n in range(TITLES):
                genres = [GENRES[n % len(GENRES)], GENRES[(n + 2) % len(GENRES)]]
                title = make_title(
                    s, name=f"Load Title {n:02d}", genres=genres, maturity=Maturity.TEEN
                )
                if n < PLAYABLE:
                    videos.append(make_playable_video(s, ctx.store, title=title))
                else:
                    videos.append(make_ready_video(s, title=title))
            s.commit()
            title_id, video_ids = videos[0].title_id, [v.id for v in videos]
    finally:
        ctx.close()
    env = {"KINEMA_DATA_DIR": str(data), **LIMITS}
    if backends.get("database_url"):
        env["KINEMA_DATABASE_URL"] = backends["database_url"]
    if backends.get("redis_url"):
        env["KINEMA_REDIS_URL"] = backends["redis_url"]
    return Catalog(data, title_id, video_ids, env)


@contextmanager
def _serve(args: list[str], env: dict[str, str], log: Path, *, cpu: int = 1) -> Iterator[str]:
    port = free_port()
    cmd = [*KINEMA, *args, "--port", str(port)]
    if (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    full = {**os.environ, **env}
    full.pop("KINEMA_ADMIN_PASSWORD", None)
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full, text=True)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, timeout_s=90, interval_s=0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _measure(
    bases: list[str], catalog: Catalog, endpoints: list[str], tmp: Path, *, wrk_cpu: int | None = 0
) -> dict[str, WrkResult]:
    """Each endpoint for SECONDS, its connections split between the servers."""
    tokens = catalog.viewers(bases[0])
    one = {"Authorization": f"Bearer {tokens[0]}"}
    for base in bases:  # warm each process (imports, connection pools)
        httpx.get(f"{base}/api/v1/titles/{catalog.title_id}", headers=one, timeout=30)
    paths = {
        "rows": ("/api/v1/browse/rows", one),
        "home": ("/api/v1/browse/home", one),
        "title": (f"/api/v1/titles/{catalog.title_id}", one),
        "titles (signed out)": ("/api/v1/titles?limit=24", {}),
        "search (signed out)": ("/api/v1/search?q=load", {}),
        "playback info": (f"/api/v1/playback/{catalog.video_ids[0]}", one),
    }
    # Each server's wrk writes as viewers of its own, so no two write the same pair.
    scripts = [
        lua_rotating(
            tmp / f"progress-{i}.lua",
            method="PUT",
            urls=[f"/api/v1/progress/{v}" for v in catalog.video_ids],
            tokens=tokens[i :: len(bases)],
            body='{"position_s": 30.0, "duration_s": 600.0}',
        )
        for i in range(len(bases))
    ]
    pairs = [len(catalog.video_ids) * len(tokens[i :: len(bases)]) for i in range(len(bases))]
    results: dict[str, WrkResult] = {}
    for name in endpoints:
        per = max(1, CONNECTIONS // len(bases))
        since = utcnow()  # the servers stamp writes with this machine's clock
        if name == "progress writes":
            procs = [
                start_wrk(b, seconds=SECONDS, connections=per, script=script, cpu=wrk_cpu)
                for b, script in zip(bases, scripts, strict=True)
            ]
        else:
            path, headers = paths[name]
            for base in bases:  # the steady state: this answer and this caller known
                httpx.get(base + path, headers=headers, timeout=30)
            procs = [
                start_wrk(b + path, seconds=SECONDS, connections=per, headers=headers, cpu=wrk_cpu)
                for b in bases
            ]
        each = [finish(proc) for proc in procs]
        total = each[0]
        for more in each[1:]:
            total = total + more
        results[name] = total
        if name == "progress writes":
            # Nothing answered is lost: each script goes round its (video, viewer) pairs in
            # turn, so its first `ok` answers cover min(ok, pairs) of them, all of which
            # must be stored (requests in flight when wrk stopped may add a few more).
            ok = [r.requests - r.bad for r in each]
            least = sum(min(o, n) for o, n in zip(ok, pairs, strict=True))
            stored = _stored_since(catalog, since)
            assert least <= stored <= sum(pairs), (ok, pairs, stored)
            print(f"progress writes: {sum(ok)} answered 2xx; {stored} (video, viewer) stored")
    return results


def _stored_since(catalog: Catalog, since: datetime) -> int:
    """How many (video, viewer) progress rows were written since ``since``."""
    settings = Settings(data_dir=catalog.data, database_url=catalog.env.get("KINEMA_DATABASE_URL"))
    engine = create_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            found = select(func.count()).where(WatchProgress.updated_at >= since)
            return int(conn.execute(found).scalar_one())
    finally:
        engine.dispose()


ALL = [
    "rows",
    "home",
    "title",
    "titles (signed out)",
    "search (signed out)",
    "playback info",
    "progress writes",
]
CACHED = ["rows", "home", "title", "titles (signed out)", "search (signed out)"]
# Both cores: a process on each, wrk wherever the scheduler puts it.
BOTH_CORES = ["rows", "titles (signed out)", "search (signed out)", "progress writes"]


def test_api_load_cached_vs_uncached(
    tmp_path: Path, postgres: PostgresServer, redis_server: RedisServer
) -> None:
    if wrk_path() is None:
        pytest.fail("wrk is not installed: run scripts/bootstrap")
    rows: list[tuple[str, dict[str, WrkResult]]] = []

    embedded = _seed(tmp_path / "embedded")
    for ttl, endpoints in (("30", ALL), ("0", CACHED)):
        env = {**embedded.env, "KINEMA_HOT_CACHE_TTL_S": ttl, "KINEMA_WORKERS": "1"}
        up = ["up", "--no-demo", "--data-dir", str(embedded.data)]
        with _serve(up, env, tmp_path / f"up-{ttl}.log") as base:
            got = _measure([base], embedded, endpoints, tmp_path)
        rows.append((f"embedded, cache {'on' if ttl != '0' else 'off'}", got))

    name = f"load_{uuid.uuid4().hex[:8]}"
    db = redis_server.borrow_db()
    cluster = _seed(
        tmp_path / "cluster",
        database_url=postgres.new_database(name),
        redis_url=redis_server.url_for(db),
    )
    try:
        api = ["api", "--workers", "0"]
        for ttl, count, endpoints in (("30", 1, ALL), ("0", 1, CACHED), ("30", 2, CACHED)):
            env = {**cluster.env, "KINEMA_HOT_CACHE_TTL_S": ttl}
            with _serve(api, env, tmp_path / f"api-{ttl}-a.log") as a:
                if count == 1:
                    got = _measure([a], cluster, endpoints, tmp_path)
                else:
                    with _serve(api, env, tmp_path / f"api-{ttl}-b.log") as b:
                        got = _measure([a, b], cluster, endpoints, tmp_path)
            label = f"cluster x{count}, cache {'on' if ttl != '0' else 'off'}"
            rows.append((label, got))
        if (os.cpu_count() or 1) > 1:
            env = {**cluster.env, "KINEMA_HOT_CACHE_TTL_S": "30"}
            with (
                _serve(api, env, tmp_path / "api-core0.log", cpu=0) as a,
                _serve(api, env, tmp_path / "api-core1.log", cpu=1) as b,
            ):
                got = _measure([a, b], cluster, BOTH_CORES, tmp_path, wrk_cpu=None)
            rows.append(("cluster x2, 2 cores", got))
    finally:
        redis_server.flush(db)
        postgres.drop_database(name)

    print(
        f"\nwrk, {CONNECTIONS} connections, {SECONDS} s a cell, {TITLES} titles:"
        " requests/s, p50 / p99 ms"
    )
    print(f"{'':22}" + "".join(f"{label:>26}" for label, _ in rows))
    for n in ALL:
        cells = []
        for _, got in rows:
            r = got.get(n)
            cells.append(
                f"{r.per_s:7.0f} {r.p50_s * 1000:6.1f} /{r.p99_s * 1000:7.1f}" if r else "-"
            )
        print(f"{n:22}" + "".join(f"{c:>26}" for c in cells))
    base_rows = dict(rows)
    for mode, on, off in (
        ("embedded", "embedded, cache on", "embedded, cache off"),
        ("cluster", "cluster x1, cache on", "cluster x1, cache off"),
    ):
        ratios = ", ".join(
            f"{n} {base_rows[on][n].per_s / max(base_rows[off][n].per_s, 1e-9):.1f}x"
            for n in CACHED
        )
        print(f"{mode}: cache on / off, requests/s: {ratios}")
    bad = [(label, n, r.bad, r.errors) for label, got in rows for n, r in got.items()]
    print("answers not 2xx / socket errors:", [b for b in bad if b[2] or b[3]] or "none")
    # Every request must succeed, the progress writes included (and each one answered
    # is stored: _check_nothing_lost).
    for label, n, wrong, errors in bad:
        assert wrong == 0 and errors == 0, (label, n, wrong, errors)
