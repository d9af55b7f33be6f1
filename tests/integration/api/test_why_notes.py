""" "Why you may like it" end to end on real components: training stores a viewer's top
picks, the notes job asks Claude (the ``anthropic`` SDK pointed at a local HTTP fake of
the Messages API, its overload answer included) and stores a line per pick in English
and Spanish, and the home row serves them in the language asked for. Failures (an
invalid answer, the cost cap, no key) leave the picks without notes and count what they
cost.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import ClaudeCall, WhyNote
from kinema.catalog.services import accounts, viewing, why_notes
from kinema.catalog.services.tagging import month_cost
from kinema.recommend import why
from kinema.settings import Settings
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.worker.recommend import train_once, write_notes
from tests.utils.factories import (
    bearer,
    build_api_context,
    make_ready_video,
    make_title,
    make_user,
    signup,
)
from tests.utils.fake_anthropic import OVERLOADED, FakeMessages, claude_settings, fake_messages_api

CATALOG = {
    "The Vault": (["Comedy"], ["Heist"]),
    "Night Crew": (["Comedy"], ["Heist"]),
    "Casino Job": (["Comedy"], ["Heist"]),
    "Puppy Park": (["Animation"], []),
}


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data")
    yield context
    context.close()


@pytest.fixture
def fake() -> Iterator[FakeMessages]:
    with fake_messages_api() as server:
        yield server


def _claude(ctx: AppContext, fake: FakeMessages, **overrides: Any) -> Settings:
    return claude_settings(ctx.settings, fake, **overrides)


def _seed(ctx: AppContext, client: TestClient) -> dict[str, str]:
    """A viewer halfway through The Vault; other accounts rated the heist films (no
    watching, so the viewer is the one profile the notes job writes for)."""
    ids: dict[str, uuid.UUID] = {}
    with ctx.sessions() as s:
        for name, (genres, tags) in CATALOG.items():
            title = make_title(s, name=name, description=f"{name}: a story", genres=genres,
                               tags=tags)  # fmt: skip
            ids[name] = title.id
            ids[f"{name}/video"] = make_ready_video(s, title=title, duration_s=100).id
        for _ in range(3):
            profile = accounts.list_profiles(s, user_id=make_user(s).id)[0]
            for name in ("The Vault", "Night Crew", "Casino Job"):
                viewing.rate_title(s, profile_id=profile.id, title_id=ids[name], score=5)
        s.commit()
    h = bearer(signup(client))
    put = client.put(f"/api/v1/progress/{ids['The Vault/video']}", json={"position_s": 50},
                     headers=h)  # fmt: skip
    assert put.is_success, put.text
    return h


def _answer(picks: list[Any], **extra: Any) -> str:
    notes = [
        {
            "id": p.id,
            "en": f"Like The Vault, {p.name} is a caper.",
            "es": f"Como The Vault, {p.name} es un golpe.",
        }
        for p in picks
    ]
    notes.append({"id": uuid.uuid4().hex, "en": "Not asked for", "es": "No pedido"})
    return "```json\n" + json.dumps({"notes": notes, **extra}) + "\n```"


def _pick_reasons(client: TestClient, h: dict[str, str], lang: str) -> dict[str, Any]:
    resp = client.get("/api/v1/discovery/home", params={"lang": lang}, headers=h)
    assert resp.status_code == 200, resp.text
    row = next(r for r in resp.json()["rows"] if r["key"] == "top-picks")
    return {i["title"]["name"]: i["reason"] for i in row["items"]}


def test_claude_writes_a_note_per_pick_in_each_language(
    ctx: AppContext, fake: FakeMessages
) -> None:
    settings = _claude(ctx, fake)
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        h = _seed(ctx, client)
        train_once(settings, ctx.sessions)
        with ctx.sessions() as s:
            todo = why_notes.wanted(s, languages=why.LANGUAGES)
        assert len(todo) == 1
        assert [t.name for t in todo[0].watched] == ["The Vault"]
        picks = todo[0].picks
        assert {p.name for p in picks} >= {"Night Crew", "Casino Job"}
        assert "The Vault" not in {p.name for p in picks}  # being watched: not in the row

        fake.fail(*OVERLOADED)  # retried
        fake.answer(_answer(picks))
        report = write_notes(settings, ctx.sessions)
        assert (report.profiles, report.notes, report.failed) == (1, 2 * len(picks), 0)
        assert len(fake.requests) == 2
        body = fake.requests[-1]
        assert body["model"] == "claude-test-model" and "why this viewer may like" in body["system"]
        sent = json.loads(body["messages"][0]["content"][0]["text"])
        assert [w["name"] for w in sent["watched_recently"]] == ["The Vault"]
        assert {r["id"] for r in sent["recommended"]} == {p.id for p in picks}

        spanish = _pick_reasons(client, h, "es")
        assert spanish["Night Crew"] == {
            "kind": "why", "terms": [], "text": "Como The Vault, Night Crew es un golpe."
        }  # fmt: skip
        english = _pick_reasons(client, h, "en")
        assert english["Casino Job"]["text"] == "Like The Vault, Casino Job is a caper."
        assert client.get("/api/v1/discovery/home", params={"lang": "fr"},
                          headers=h).status_code == 422  # fmt: skip

        # Stored: the next run asks nothing for the same picks; the call counts toward
        # the month's spend (the overload answer carried no usage).
        assert write_notes(settings, ctx.sessions).profiles == 0
        assert len(fake.requests) == 2
        with ctx.sessions() as s:
            calls = list(s.scalars(select(ClaudeCall)))
            assert [(c.purpose, c.error) for c in calls] == [("why_notes", None)]
            assert month_cost(s) == pytest.approx(calls[0].cost_usd) and calls[0].cost_usd > 0
            assert s.query(WhyNote).count() == 2 * len(picks)


def test_failures_leave_the_picks_without_notes(ctx: AppContext, fake: FakeMessages) -> None:
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        h = _seed(ctx, client)
        train_once(ctx.settings, ctx.sessions)

        # No key: nothing is asked.
        assert write_notes(ctx.settings, ctx.sessions).profiles == 0
        assert fake.requests == []

        # An answer that is not the object asked for: no notes, its cost counted.
        settings = _claude(ctx, fake)
        fake.answer('{"notes": "none"}')
        report = write_notes(settings, ctx.sessions)
        assert (report.profiles, report.failed) == (0, 1)
        assert all(r is None for r in _pick_reasons(client, h, "en").values())
        with ctx.sessions() as s:
            (call,) = s.scalars(select(ClaudeCall))
            assert call.error is not None and call.error.startswith("Claude's answer is not valid")
            spent = month_cost(s)
        assert spent > 0

        # The monthly cap reached: no request at all.
        capped = _claude(ctx, fake, anthropic_monthly_cost_cap_usd=spent)
        report = write_notes(capped, ctx.sessions)
        assert report.failed == 1 and len(fake.requests) == 1
        assert all(r is None for r in _pick_reasons(client, h, "es").values())
