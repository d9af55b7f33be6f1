"""Parties over HTTP and the WebSocket, through Starlette's test client on the embedded
backends (SQLite, the in-process party store)."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from kinema.catalog.models import Maturity
from kinema_api.context import AppContext
from kinema_api.party.schemas import MAX_MEMBERS
from kinema_api.party.services.connection import FLOOD_BURST, MAX_FRAME, RATE_BURST, RATE_PER_S
from kinema_api.party.services.sync import FrameBudget
from tests.utils.factories import (
    bearer,
    make_playable_video,
    make_ready_video,
    make_title,
    set_plan,
    signup,
)


def _signup(client: TestClient) -> str:
    """A new viewer's bearer token (the client keeps no session cookie)."""
    token = signup(client)
    client.cookies.clear()
    return token


def _video(ctx: AppContext, **title: Any) -> str:
    with ctx.sessions() as session:
        video = make_ready_video(session, title=make_title(session, **title))
        session.commit()
        return str(video.id)


def _party(client: TestClient, token: str, video: str, **settings: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/parties", json={"video_id": video, **settings}, headers=bearer(token)
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _until(ws: WebSocketTestSession, kind: str, **match: Any) -> dict[str, Any]:
    for _ in range(50):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


def _state_where(ws: WebSocketTestSession, check: Any) -> dict[str, Any]:
    for _ in range(50):
        frame = _until(ws, "state")
        if check(frame["state"]):
            state: dict[str, Any] = frame["state"]
            return state
    raise AssertionError("no matching state")


def _refused(ws: WebSocketTestSession) -> tuple[str, int]:
    frame = ws.receive_json()
    assert frame["type"] == "error"
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return frame["code"], closed.value.code


def test_create_and_look_up_a_party(client: TestClient, ctx: AppContext) -> None:
    host = _signup(client)
    video = _video(ctx)
    party = _party(client, host, video, control="host")
    assert party["link"] == f"/watch/{video}?party={party['id']}"
    got = client.get(f"/api/v1/parties/{party['id']}", headers=bearer(_signup(client)))
    assert got.status_code == 200
    assert got.json()["control"] == "host" and got.json()["members"] == 0
    missing = client.get("/api/v1/parties/nosuchparty1", headers=bearer(host))
    assert missing.status_code == 404 and missing.json()["code"] == "party_not_found"
    assert client.post("/api/v1/parties", json={"video_id": video}).status_code == 401


def test_a_party_for_an_unpublished_title_is_refused(client: TestClient, ctx: AppContext) -> None:
    video = _video(ctx, published=False)
    resp = client.post("/api/v1/parties", json={"video_id": video}, headers=bearer(_signup(client)))
    assert resp.status_code == 404


def test_sockets_are_refused_without_auth_cross_site_or_for_no_party(
    client: TestClient, ctx: AppContext
) -> None:
    token = _signup(client)
    party = _party(client, token, _video(ctx))
    url = f"/api/v1/parties/{party['id']}/ws"
    with client.websocket_connect(url) as ws:
        assert _refused(ws) == ("unauthorized", 4401)
    with client.websocket_connect(url, headers=bearer("not-a-token")) as ws:
        assert _refused(ws) == ("unauthorized", 4401)
    client.cookies.set("kinema_session", token)
    try:
        with client.websocket_connect(url, headers={"origin": "https://evil.example"}) as ws:
            assert _refused(ws) == ("forbidden", 4403)
        with client.websocket_connect(url, headers={"origin": "http://testserver"}) as ws:
            assert _until(ws, "welcome")["profile_id"]
    finally:
        client.cookies.clear()
    with client.websocket_connect("/api/v1/parties/nosuchparty1/ws", headers=bearer(token)) as ws:
        assert _refused(ws) == ("party_not_found", 4404)


def test_two_members_share_commands_and_host_only_refuses_the_guest(
    client: TestClient, ctx: AppContext
) -> None:
    host, guest = _signup(client), _signup(client)
    party = _party(client, host, _video(ctx), control="host", on_stall="catchup")
    url = f"/api/v1/parties/{party['id']}/ws"
    with (
        client.websocket_connect(url, headers=bearer(host)) as h,
        client.websocket_connect(url, headers=bearer(guest)) as g,
    ):
        _until(h, "welcome")
        _until(g, "welcome")
        _state_where(h, lambda s: len(s["members"]) == 2)
        h.send_json({"type": "seek", "position_s": 30})
        h.send_json({"type": "play"})
        seen = _state_where(g, lambda s: s["playing"] and s["position_s"] == 30)
        assert seen["rate"] == 1.0
        h.send_json({"type": "rate", "rate": 1.5})
        assert _state_where(g, lambda s: s["rate"] == 1.5)["playing"]
        g.send_json({"type": "seek", "position_s": 5})
        assert _until(g, "error")["code"] == "no_control"
        g.send_json({"type": "settings", "control": "everyone"})
        assert _until(g, "error")["code"] == "not_host"
        h.send_json({"type": "settings", "control": "everyone"})
        _state_where(g, lambda s: s["control"] == "everyone")
        g.send_json({"type": "pause", "position_s": 31.5})
        _state_where(h, lambda s: s["control"] == "everyone" and not s["playing"])
        g.send_json({"type": "chat", "text": "<b>hi</b>"})
        chat = _until(h, "chat")
        assert chat["text"] == "<b>hi</b>" and chat["name"]
        h.send_json({"type": "react", "emoji": "laugh"})
        assert _until(g, "react")["emoji"] == "laugh"
        g.send_json({"type": "ping", "t0": 123.0})
        pong = _until(g, "pong")
        assert pong["t0"] == 123.0 and pong["t2"] >= pong["t1"] > 0
    with client.websocket_connect(url, headers=bearer(guest)) as late:
        _until(late, "welcome")
        # The late joiner gets where the group is, with nobody else left in the party.
        state = _state_where(late, lambda s: len(s["members"]) == 1)
        assert state["position_s"] == 31.5 and not state["playing"]


def test_bad_frames_are_refused_and_floods_limited(client: TestClient, ctx: AppContext) -> None:
    token = _signup(client)
    party = _party(client, token, _video(ctx))
    url = f"/api/v1/parties/{party['id']}/ws"
    with client.websocket_connect(url, headers=bearer(token)) as ws:
        _until(ws, "welcome")
        for bad in ("not json", '{"type": "warp"}', '{"type": "seek", "position_s": -1}',
                    '{"type": "rate", "rate": 9}', '{"type": "chat", "text": "   "}',
                    '{"type": "play", "extra": 1}'):  # fmt: skip
            ws.send_text(bad)
            assert _until(ws, "error")["code"] == "bad_message", bad
        codes = []
        for i in range(RATE_BURST + 5):
            ws.send_text(json.dumps({"type": "ping", "t0": i}))
        for _ in range(RATE_BURST + 5):
            frame = ws.receive_json()
            while frame["type"] == "state":
                frame = ws.receive_json()
            codes.append(frame.get("code", frame["type"]))
        assert "rate_limited" in codes and codes.count("pong") <= RATE_BURST
    with client.websocket_connect(url, headers=bearer(token)) as ws:
        _until(ws, "welcome")
        ws.send_text(json.dumps({"type": "chat", "text": "x" * MAX_FRAME}))
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(10):
                ws.receive_json()
        assert closed.value.code == 1009


def test_a_full_party_refuses_another_profile_but_not_another_tab(
    client: TestClient, ctx: AppContext
) -> None:
    tokens = [_signup(client) for _ in range(MAX_MEMBERS + 1)]
    party = _party(client, tokens[0], _video(ctx))
    url = f"/api/v1/parties/{party['id']}/ws"
    with ExitStack() as stack:
        members = [
            stack.enter_context(client.websocket_connect(url, headers=bearer(t)))
            for t in tokens[:MAX_MEMBERS]
        ]
        for ws in members:
            _until(ws, "welcome")
        _state_where(members[0], lambda s: len(s["members"]) == MAX_MEMBERS)
        with client.websocket_connect(url, headers=bearer(tokens[-1])) as ninth:
            assert _refused(ninth) == ("party_full", 4409)
        # A member's second tab is the same member: it joins a full party.
        with client.websocket_connect(url, headers=bearer(tokens[1])) as tab:
            _until(tab, "welcome")
            _state_where(members[0], lambda s: len(s["members"]) == MAX_MEMBERS + 1)
        looked_up = client.get(f"/api/v1/parties/{party['id']}", headers=bearer(tokens[-1]))
        assert looked_up.json()["members"] == MAX_MEMBERS


def test_a_binary_frame_closes_with_1003(client: TestClient, ctx: AppContext) -> None:
    token = _signup(client)
    party = _party(client, token, _video(ctx))
    with client.websocket_connect(f"/api/v1/parties/{party['id']}/ws", headers=bearer(token)) as ws:
        _until(ws, "welcome")
        ws.send_bytes(b'{"type": "play"}')
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(10):
                ws.receive_json()
        assert closed.value.code == 1003


def test_a_sustained_flood_closes_with_1008(client: TestClient, ctx: AppContext) -> None:
    token = _signup(client)
    party = _party(client, token, _video(ctx))
    with client.websocket_connect(f"/api/v1/parties/{party['id']}/ws", headers=bearer(token)) as ws:
        _until(ws, "welcome")
        sent = 10 * (RATE_BURST + FLOOD_BURST)
        for i in range(sent):
            ws.send_text(json.dumps({"type": "ping", "t0": i}))
        seen: list[str] = []
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(sent + 10):
                frame = ws.receive_json()
                seen.append(frame.get("code", frame["type"]))
        assert closed.value.code == 1008
        assert "rate_limited" in seen and len(seen) < sent


def test_a_flood_paced_to_let_a_frame_through_now_and_then_is_still_cut_off() -> None:
    """Three times the rate: a frame gets through every 1/RATE_PER_S s, yet the refusals
    pile up (counting them only in a row never got to close such a sender)."""
    budget = FrameBudget(per_s=RATE_PER_S, burst=RATE_BURST, flood=FLOOD_BURST)
    step = 1 / (3 * RATE_PER_S)
    verdicts = [budget.take(i * step) for i in range(int(30 / step))]
    assert "flood" in verdicts
    cut = verdicts.index("flood")
    assert verdicts[:cut].count("ok") > RATE_BURST  # frames did get through meanwhile
    assert cut * step < 10
    # Just over the rate (a viewer clicking reactions fast) is refused, never cut off.
    calm = FrameBudget(per_s=RATE_PER_S, burst=RATE_BURST, flood=FLOOD_BURST)
    step = 1 / (1.5 * RATE_PER_S)
    verdicts = [calm.take(i * step) for i in range(int(60 / step))]
    assert "refused" in verdicts and "flood" not in verdicts


def _on_plan(client: TestClient, ctx: AppContext, plan: str) -> str:
    token = _signup(client)
    set_plan(ctx, client, bearer(token), plan)
    client.cookies.clear()
    return token


def test_a_party_never_grants_playback_above_a_members_plan(
    client: TestClient, ctx: AppContext
) -> None:
    with ctx.sessions() as session:
        video = str(make_playable_video(session, ctx.store, duration_s=12).id)
        session.commit()
    host, guest = _on_plan(client, ctx, "premium"), _on_plan(client, ctx, "free")
    party = _party(client, host, video, playing=True)
    url = f"/api/v1/parties/{party['id']}/ws"
    with (
        client.websocket_connect(url, headers=bearer(host)) as h,
        client.websocket_connect(url, headers=bearer(guest)) as g,
    ):
        _until(g, "welcome")
        _state_where(h, lambda s: len(s["members"]) == 2)
        hosts = client.get(f"/api/v1/playback/{video}", headers=bearer(host))
        guests = client.get(f"/api/v1/playback/{video}", headers=bearer(guest))
        assert hosts.status_code == 200 and guests.status_code == 200, guests.text
        assert hosts.json()["max_height"] == 2160
        assert guests.json()["max_height"] == 480
        assert max(r["height"] for r in guests.json()["renditions"]) == 480


def _kid(client: TestClient, ctx: AppContext) -> str:
    """A new account's token (on a plan with room for profiles), on a kids profile."""
    token = _signup(client)
    set_plan(ctx, client, bearer(token), "family")
    client.cookies.clear()
    kid = client.post(
        "/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=bearer(token)
    )
    assert kid.status_code in (200, 201), kid.text
    selected = client.post(f"/api/v1/profiles/{kid.json()['id']}/select", headers=bearer(token))
    assert selected.status_code == 200, selected.text
    client.cookies.clear()
    return token


def test_kids_profiles_join_for_their_titles_and_get_no_chat(
    client: TestClient, ctx: AppContext
) -> None:
    host, kid = _signup(client), _kid(client, ctx)
    teen = _party(client, host, _video(ctx, maturity=Maturity.TEEN))
    with client.websocket_connect(f"/api/v1/parties/{teen['id']}/ws", headers=bearer(kid)) as ws:
        assert _refused(ws) == ("forbidden", 4403)
    party = _party(client, host, _video(ctx, maturity=Maturity.ALL))
    url = f"/api/v1/parties/{party['id']}/ws"
    with (
        client.websocket_connect(url, headers=bearer(host)) as h,
        client.websocket_connect(url, headers=bearer(kid)) as k,
    ):
        _until(k, "welcome")
        _state_where(h, lambda s: len(s["members"]) == 2)
        k.send_json({"type": "chat", "text": "hi"})
        assert _until(k, "error")["code"] == "kids_profile"
        h.send_json({"type": "chat", "text": "not for kids"})
        h.send_json({"type": "react", "emoji": "clap"})
        assert _until(h, "chat")["text"] == "not for kids"
        before_react = []
        frame = k.receive_json()
        while frame["type"] != "react":
            before_react.append(frame["type"])
            frame = k.receive_json()
        assert "chat" not in before_react


def test_a_stall_holds_a_waiting_party_and_the_next_episode_starts_for_all(
    client: TestClient, ctx: AppContext
) -> None:
    host, guest = _signup(client), _signup(client)
    first, second = _video(ctx), _video(ctx)
    hidden = _video(ctx, published=False)
    party = _party(client, host, first, control="everyone", on_stall="wait")
    url = f"/api/v1/parties/{party['id']}/ws"
    with (
        client.websocket_connect(url, headers=bearer(host)) as h,
        client.websocket_connect(url, headers=bearer(guest)) as g,
    ):
        _until(h, "welcome")
        _until(g, "welcome")
        _state_where(h, lambda s: len(s["members"]) == 2)
        h.send_json({"type": "play"})
        _state_where(g, lambda s: s["playing"])
        # The guest's player stalls: the group waits for them, by name ("Waiting for …").
        g.send_json({"type": "stall", "stalled": True})
        held = _state_where(h, lambda s: s["waiting"])
        assert [m["name"] for m in held["members"] if m["stalled"]] == [
            m["name"] for m in held["members"] if not m["host"]
        ]
        g.send_json({"type": "stall", "stalled": False})
        going = _state_where(h, lambda s: not s["waiting"])
        assert going["playing"] and going["at_ms"] > held["at_ms"]
        # The next episode starts for everyone, from its start; a video the member may not
        # watch is refused, and a second ask for the same episode changes nothing.
        g.send_json({"type": "episode", "video_id": hidden})
        assert _until(g, "error")["code"] == "not_found"
        h.send_json({"type": "episode", "video_id": second})
        moved = _state_where(g, lambda s: s["video_id"] == second)
        assert moved["playing"] and moved["position_s"] == 0 and not moved["waiting"]
        g.send_json({"type": "episode", "video_id": second})
        g.send_json({"type": "ping", "t0": 1.0})
        # Frames are handled in order: the pong comes first, no new state before it.
        assert g.receive_json()["type"] == "pong"
        h.send_json({"type": "settings", "control": "host"})
        _state_where(g, lambda s: s["control"] == "host")
        g.send_json({"type": "episode", "video_id": first})
        assert _until(g, "error")["code"] == "no_control"
