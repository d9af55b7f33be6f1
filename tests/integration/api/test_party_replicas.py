"""Watch together across two API servers sharing a real Redis: a party made on one is
joined on the other, commands and chat cross between them, and the party outlives the
server its host was connected to (the host reconnects to the other and resyncs)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import (
    build_api_context,
    live_server,
    make_ready_video,
    make_title,
    signup_over_http,
)

pytestmark = pytest.mark.integration


def _until(ws: ClientConnection, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    for _ in range(100):
        frame: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if check(frame):
            return frame
    raise AssertionError("no matching frame")


def _state(ws: ClientConnection, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    frame = _until(ws, lambda f: f["type"] == "state" and check(f["state"]))
    state: dict[str, Any] = frame["state"]
    return state


def _ws(base: str, party: str, headers: dict[str, str]) -> ClientConnection:
    url = base.replace("http://", "ws://") + f"/api/v1/parties/{party}/ws"
    return connect(url, additional_headers=headers, open_timeout=10)


def test_a_party_spans_two_api_servers_through_redis(tmp_path: Path, redis_url: str) -> None:
    contexts: list[AppContext] = [
        build_api_context(tmp_path / "data", redis_url=redis_url) for _ in range(2)
    ]
    with contexts[0].sessions() as session:
        video = str(make_ready_video(session, title=make_title(session)).id)
        session.commit()
    with ExitStack() as stack:
        for ctx in contexts:
            stack.callback(ctx.close)
        a_server = ExitStack()
        base_a = a_server.enter_context(live_server(create_app(context=contexts[0], web_dist=None)))
        base_b = stack.enter_context(live_server(create_app(context=contexts[1], web_dist=None)))
        host, guest = signup_over_http(base_a), signup_over_http(base_b)
        made = httpx.post(
            f"{base_a}/api/v1/parties",
            json={"video_id": video, "control": "host", "on_stall": "catchup"},
            headers=host,
        )
        assert made.status_code == 201, made.text
        party = made.json()["id"]
        looked = httpx.get(f"{base_b}/api/v1/parties/{party}", headers=guest)
        assert looked.status_code == 200 and looked.json()["video_id"] == video

        with _ws(base_a, party, host) as h, _ws(base_b, party, guest) as g:
            _state(h, lambda s: len(s["members"]) == 2)
            h.send(json.dumps({"type": "seek", "position_s": 30}))
            h.send(json.dumps({"type": "rate", "rate": 1.5}))
            h.send(json.dumps({"type": "play"}))
            state = _state(g, lambda s: s["playing"] and s["rate"] == 1.5)
            assert state["position_s"] == pytest.approx(30, abs=0.5)
            g.send(json.dumps({"type": "seek", "position_s": 5}))
            assert _until(g, lambda f: f["type"] == "error")["code"] == "no_control"
            g.send(json.dumps({"type": "chat", "text": "hello from B"}))
            assert _until(h, lambda f: f["type"] == "chat")["text"] == "hello from B"
            h.send(json.dumps({"type": "pause", "position_s": 42.0}))
            _state(g, lambda s: not s["playing"] and s["position_s"] == 42.0)
            a_server.close()  # server A stops: its members are disconnected
            _state(g, lambda s: len(s["members"]) == 1)

        with _ws(base_b, party, host) as h:
            # The host comes back through B: the party and its position were in Redis.
            state = _state(h, lambda s: len(s["members"]) == 1)
            assert state["position_s"] == 42.0 and state["control"] == "host"
            assert any(m["host"] for m in state["members"])
