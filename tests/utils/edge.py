"""The caching edge in tests: the API served in a thread, counted at its door, with the
edge's nginx in front of it (``kinema.edge``). The integration tests and the viewer-load
benchmark both use :func:`edge_stack`."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kinema.edge.config import edge_config
from kinema.edge.process import Edge, EdgeUnavailable, find_nginx
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import build_api_context, live_server
from tests.utils.ports import free_port


@dataclass
class OriginCounter:
    """What reached the API: stream requests by path and body bytes, token checks."""

    requests: Counter[str] = field(default_factory=Counter)
    checks: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.checks = 0
            self.bytes = 0

    @property
    def media_requests(self) -> int:
        return sum(self.requests.values())

    def of(self, suffix: str) -> int:
        return sum(n for path, n in self.requests.items() if path.endswith(suffix))


class Counted:
    """ASGI wrapper counting stream requests (by path without the token) and bytes."""

    def __init__(self, app: ASGIApp, counter: OriginCounter) -> None:
        self.app, self.counter = app, counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(("/api/v1/stream/", "/api/v1/edge/")):
            await self.app(scope, receive, send)
            return
        counter = self.counter
        with counter.lock:
            if path.startswith("/api/v1/edge/"):
                counter.checks += 1
            else:
                counter.requests[path.split("/", 5)[-1]] += 1

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                with counter.lock:
                    counter.bytes += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting_send)


@dataclass
class EdgeStack:
    ctx: AppContext
    api: str  # the API's base URL (origin)
    edge: str  # the edge's base URL
    origin: OriginCounter
    timing_log: Path  # nginx's own record of each request (no URLs)

    def reset_timings(self) -> None:
        # nginx appends (O_APPEND): truncating starts the record afresh under it.
        self.timing_log.write_bytes(b"")

    def segment_seconds(self) -> list[float]:
        """How long nginx took for each stream segment request since the last reset
        (from reading the request to sending the last byte), as the edge measured it."""
        found: list[float] = []
        for line in self.timing_log.read_text().splitlines():
            parts = line.split()
            # msec canonical manifest status cache-status request-time bytes
            if len(parts) == 7 and parts[1] == "1" and parts[2] == "0" and parts[3] == "200":
                found.append(float(parts[5]))
        return found


def require_nginx() -> None:
    try:
        find_nginx()
    except EdgeUnavailable as exc:
        pytest.skip(f"{exc}")


@contextmanager
def edge_stack(tmp: Path) -> Iterator[EdgeStack]:
    """A SQLite/local-files API with ``edge_url`` set, its edge in front; both stopped on
    leaving."""
    require_nginx()
    edge_port, api_port = free_port(), free_port()
    ctx = build_api_context(tmp / "data", edge_url=f"http://127.0.0.1:{edge_port}")
    counter = OriginCounter()
    timing_log = tmp / "edge-timing.log"
    edge = Edge(
        edge_config(
            listen_port=edge_port,
            origin_port=api_port,
            cache_dir=str(tmp / "edge" / "cache"),
            run_dir=str(tmp / "edge" / "run"),
            workers=2,
            timing_log=str(timing_log),
        )
    )
    try:
        with live_server(Counted(create_app(context=ctx), counter), port=api_port) as api:  # type: ignore[arg-type]
            edge.start()
            try:
                yield EdgeStack(ctx, api, edge.url, counter, timing_log)
            finally:
                edge.stop()
    finally:
        ctx.close()
        shutil.rmtree(tmp / "edge", ignore_errors=True)
