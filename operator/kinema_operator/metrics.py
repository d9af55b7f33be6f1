"""Prometheus metrics of the operator, served on ``/metrics`` (prometheus-client).

Counters and histograms are process-wide; :func:`serve` starts the HTTP endpoint when
the operator starts (``KINEMA_OPERATOR_METRICS_PORT``, 0 disables it).
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

RECONCILE_TOTAL = Counter(
    "kinema_operator_reconciles_total",
    "Reconciliations run, by kind and result (ok, invalid, error).",
    ["kind", "result"],
)
RECONCILE_FAILURES = Counter(
    "kinema_operator_reconcile_failures_total",
    "Reconciliations that raised, by kind and error type.",
    ["kind", "error"],
)
RECONCILE_SECONDS = Histogram(
    "kinema_operator_reconcile_duration_seconds",
    "Time one reconciliation took.",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOBS_IN_FLIGHT = Gauge(
    "kinema_operator_jobs_in_flight",
    "Jobs created by the operator that have not finished, by step.",
    ["step"],
)
JOBS_CREATED = Counter(
    "kinema_operator_jobs_created_total", "Jobs the operator created, by step.", ["step"]
)


def serve(port: int, addr: str = "0.0.0.0") -> object | None:  # noqa: S104 - a pod's port
    """Start the ``/metrics`` endpoint; returns the server (``shutdown()`` stops it)."""
    if port <= 0:
        return None
    try:
        server, _thread = start_http_server(port, addr=addr)
    except OSError as exc:  # metrics are worth a warning, never a crash
        log.warning("cannot serve /metrics on %s:%d: %s", addr, port, exc)
        return None
    return server
