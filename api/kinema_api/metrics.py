"""Prometheus metrics of the API, served on ``GET /metrics`` (prometheus-client).

- ``kinema_api_requests_total{method,route,status}`` and
  ``kinema_api_request_duration_seconds{method,route}``: per route *template*
  (``/api/v1/playback/{video_id}``), never the raw path, so a label's values stay few;
  requests no route matched are ``route="unmatched"``.
- ``kinema_api_request_errors_total{method,route}``: answers of 500 and above.
- ``kinema_api_active_streams``: live stream leases, counted when scraped.
- ``kinema_playback_startup_seconds``, ``kinema_playback_rebuffer_ratio`` and
  ``kinema_playback_views_total{outcome}``: the players' QoE reports as they arrive.

With ``KINEMA_METRICS_TOKEN`` set, ``/metrics`` asks for ``Authorization: Bearer <it>``
(the ingress also serves the API's port); unset, it is open.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "kinema_api_requests",
    "HTTP requests answered, by route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "kinema_api_request_duration_seconds",
    "Time to answer an HTTP request (to its last body byte), by route template.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
ERRORS = Counter(
    "kinema_api_request_errors",
    "HTTP requests answered with a 5xx status, by route template.",
    ("method", "route"),
    registry=REGISTRY,
)
ACTIVE_STREAMS = Gauge(
    "kinema_api_active_streams", "Live stream leases (streams playing now).", registry=REGISTRY
)
STARTUP = Histogram(
    "kinema_playback_startup_seconds",
    "Video startup time reported by players (play request to first frame).",
    buckets=(0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30),
    registry=REGISTRY,
)
REBUFFER = Histogram(
    "kinema_playback_rebuffer_ratio",
    "Per view: stall time / (watch time + stall time).",
    buckets=(0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1),
    registry=REGISTRY,
)
VIEWS = Counter(
    "kinema_playback_views",
    "Views reported by players, by outcome (ok, ebvs, start_failure, playback_failure).",
    ("outcome",),
    registry=REGISTRY,
)


# Set in the scope of the request the API makes to itself at start-up (see
# ``kinema_api.app``): not a client's, so not counted.
START_UP_REQUEST = "kinema.start_up"


def route_template(scope: Scope, *, prefix: str) -> str:
    """The matched route's path template. FastAPI leaves the route of an included router
    in the scope with the path it was declared with, without the prefix of the router that
    included it: every route under ``prefix`` (``/api/v1``) comes from that one router."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    raw: str = scope.get("path", "")
    if raw.startswith(prefix + "/") and not path.startswith(prefix + "/"):
        return prefix + path
    return path


class RequestMetrics:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/v1") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get(START_UP_REQUEST):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            method, route = scope.get("method", "GET"), route_template(scope, prefix=self.prefix)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            if status >= 500:
                ERRORS.labels(method, route).inc()


def observe_view(*, outcome: str, watched_ms: float, stall_ms: float) -> None:
    VIEWS.labels(outcome).inc()
    if watched_ms + stall_ms > 0:
        REBUFFER.observe(stall_ms / (watched_ms + stall_ms))


def observe_start(startup_ms: float) -> None:
    STARTUP.observe(startup_ms / 1000)


def exposition(*, active_streams: Callable[[], int]) -> tuple[bytes, str]:
    ACTIVE_STREAMS.set(active_streams())
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def token_matches(expected: str | None, authorization: str | None) -> bool:
    if not expected:
        return True
    given = (authorization or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), expected.encode())
