"""Page views against `kinema up` (SQLite) at 1, 8 and 32 concurrent connections, with
and without a client writing at the same time (a player reporting progress ten times a
second). Requests per second, median and p99 latency, and the worst ``/health`` answer
are printed side by side; nothing is asserted about speed (the integration test
``test_sqlite_concurrency`` asserts what must hold: no 5xx, ``/health`` within 1 s).
Both run the load of :mod:`tests.utils.load` on the ``kinema_up`` fixture.
"""

from __future__ import annotations

import statistics

import pytest

from tests.utils.factories import signup_over_http
from tests.utils.load import HealthPoller, UpServer, run_load

pytestmark = [pytest.mark.bench, pytest.mark.integration, pytest.mark.slow]
SECONDS = 5


def test_browse_throughput_and_latency(kinema_up: UpServer) -> None:
    base = kinema_up.base
    h = signup_over_http(base, prefix="b")
    title, video = kinema_up.title_id, kinema_up.video_id
    paths = [
        "/api/v1/browse/home",
        "/api/v1/titles",
        f"/api/v1/titles/{title}",
        "/api/v1/search?q=Load",
        f"/api/v1/titles/{title}/poster",
    ]
    body: dict[str, object] = {"position_s": 30.0, "duration_s": 600.0}
    progress = [(f"/api/v1/progress/{video}", body)] * 10
    rows = []
    for connections in (1, 8, 32):
        for label, writes in (("reads", []), ("reads+writes", progress)):
            poller = HealthPoller(base)
            poller.start()
            try:
                result = run_load(
                    base, paths, h, connections=connections, seconds=SECONDS, writes=writes
                )
            finally:
                poller.stop.set()
                poller.join(15)
            errors = sum(n for status, n in result.statuses.items() if status >= 500)
            rows.append(
                f"{connections:>5} {label:<13} {len(result.latencies) / result.seconds:>7.0f} "
                f"{statistics.median(result.latencies) * 1000:>7.0f} {result.p99 * 1000:>7.0f} "
                f"{poller.worst * 1000:>8.0f} {errors + len(result.failures):>6}"
            )
    print("\nconns load          req/s  p50 ms  p99 ms  health ms  fails")
    print("\n".join(rows))
