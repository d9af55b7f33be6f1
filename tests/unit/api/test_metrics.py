"""``/metrics``: requests by route template (never the raw path), latency histogram,
5xx errors, active streams, the players' QoE histograms, and the optional token."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import bearer, build_api_context, make_playable_video, signup


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_by_route_template(client: TestClient, ctx: AppContext) -> None:
    with ctx.sessions() as s:
        video_id = make_playable_video(s, ctx.store, duration_s=12).id
        s.commit()
    h = bearer(signup(client))
    before = _samples(client.get("/metrics").text)
    route = "/api/v1/playback/{video_id}/events"
    start = {"kind": "start", "payload": {"startup_ms": 1200}}
    report = {"kind": "end", "payload": {"startup_ms": 1200, "watched_s": 9, "rebuffer_ms": 1000}}
    for body in (start, report):
        assert (
            client.post(f"/api/v1/playback/{video_id}/events", json=body, headers=h).status_code
            == 202
        )
    missing = uuid.uuid4()
    assert (
        client.post(f"/api/v1/playback/{missing}/events", json=start, headers=h).status_code == 404
    )
    assert client.get("/no/such/thing").status_code == 404

    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    text = scraped.text
    assert str(video_id) not in text and str(missing) not in text
    after = _samples(text)

    def delta(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert delta("kinema_api_requests_total", method="POST", route=route, status="202") == 2
    assert delta("kinema_api_requests_total", method="POST", route=route, status="404") == 1
    assert delta("kinema_api_requests_total", method="GET", route="unmatched", status="404") == 1
    assert delta("kinema_api_request_duration_seconds_count", method="POST", route=route) == 3
    assert delta("kinema_playback_startup_seconds_count") == 1
    assert delta("kinema_playback_startup_seconds_bucket", le="1.5") == 1
    assert delta("kinema_playback_rebuffer_ratio_bucket", le="0.1") == 1
    assert delta("kinema_playback_views_total", outcome="ok") == 1
    assert after[("kinema_api_active_streams", frozenset())] == 0


def test_metrics_token(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", metrics_token="s3cret")
    try:
        with TestClient(create_app(context=ctx, web_dist=None)) as c:
            assert c.get("/metrics").status_code == 401
            assert c.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
            ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret"})
            assert ok.status_code == 200 and "kinema_api_requests_total" in ok.text
    finally:
        ctx.close()


def test_servers_prepare_every_route_at_start_up_uncounted(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    # FastAPI prepares a route on the first request matched against it; `kinema up` and
    # `kinema api` make one request at start-up that no route answers, so the first
    # viewer's page does not wait for every route (about 300 ms on 2 cores).
    with TestClient(create_app(context=ctx, web_dist=None)) as plain:
        before = _samples(plain.get("/metrics").text)
    caplog.set_level(logging.DEBUG, logger="kinema.api")
    with TestClient(create_app(context=ctx, web_dist=None, prepare_routes=True)) as served:
        assert "routes prepared" in caplog.text
        after = _samples(served.get("/metrics").text)
    unmatched = frozenset({"method": "GET", "route": "unmatched", "status": "404"}.items())
    key = ("kinema_api_requests_total", unmatched)
    assert after.get(key, 0.0) == before.get(key, 0.0)  # not a client's request
