"""Auto-tagging end to end on real components: the tagging worker reads a published
title's description, stored subtitles and keyframes, asks Claude through the
``anthropic`` SDK pointed at a local HTTP fake of the Messages API (or, without a key,
the local classifier), and stores suggestions that admins accept or reject over HTTP.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from kinema.catalog.models import (
    Maturity,
    RunState,
    TaggingRun,
    TagSuggestion,
    Title,
    Track,
    TrackKind,
)
from kinema.cli import _load_commands, app
from kinema.settings import Settings
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.worker.tagging import TaggingWorker
from tests.utils.factories import (
    admin_token,
    bearer,
    build_api_context,
    make_ready_video,
    make_title,
    signup,
)
from tests.utils.fake_anthropic import (
    API_KEY,
    OVERLOADED,
    RATE_LIMITED,
    SERVER_ERROR,
    FakeMessages,
    claude_settings,
    fake_messages_api,
)
from tests.utils.ports import free_port

POSTER = b"\xff\xd8\xff\xe0" + b"poster" * 40
SHEET = b"\xff\xd8\xff\xe0" + b"sheet" * 40
VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nWe hit the <i>vault</i> at midnight.\n"
ANSWER = {
    "genres": [
        {"name": "Crime", "confidence": 0.91, "reason": "A planned robbery"},
        {"name": "Comedy", "confidence": 0.8, "reason": "Jokes"},  # the title has it
    ],
    "moods": [{"name": "Suspenseful", "confidence": 0.7, "reason": "A race against time"}],
    "themes": [{"name": "Heist", "confidence": 0.95, "reason": "The vault"}],
    "maturity": {"rating": "16+", "confidence": 0.6, "reason": "Threats of violence"},
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
    return claude_settings(ctx.settings, fake, **{"anthropic_max_tokens": 512, **overrides})


def _worker(ctx: AppContext, settings: Settings | None = None) -> TaggingWorker:
    return TaggingWorker(settings=settings or ctx.settings, sessions=ctx.sessions, store=ctx.store)


def _publish(ctx: AppContext, name: str = "Casino Nights", **kwargs: Any) -> uuid.UUID:
    """A published title with a ready video whose output holds a poster, a thumbnail
    sheet and an English subtitle track."""
    with ctx.sessions() as s:
        title = make_title(s, name=name, description="A crew plans a casino job",
                           genres=["Comedy"], maturity=Maturity.TEEN, **kwargs)  # fmt: skip
        video = make_ready_video(s, title=title)
        prefix = video.output_prefix or ""
        ctx.store.put_bytes(POSTER, f"{prefix}/poster.jpg")
        ctx.store.put_bytes(SHEET, f"{prefix}/thumbs/sheet-0001.jpg")
        ctx.store.put_bytes(
            b"WEBVTT\n\n00:00.000 --> 00:05.000\nthumbs/sheet-0001.jpg#xywh=0,0,160,90\n",
            f"{prefix}/thumbnails.vtt",
        )
        ctx.store.put_bytes(VTT.encode(), f"{prefix}/subtitles/en.vtt")
        video.poster_path = "poster.jpg"
        video.tracks.append(Track(kind=TrackKind.SUBTITLE, language="en",
                                  path="subtitles/en.m3u8"))  # fmt: skip
        s.commit()
        return title.id


def _state(ctx: AppContext, title_id: uuid.UUID) -> tuple[TaggingRun, list[TagSuggestion], Title]:
    with ctx.sessions() as s:
        run = s.get(TaggingRun, title_id)
        assert run is not None
        found = list(s.scalars(select(TagSuggestion).where(TagSuggestion.title_id == title_id)))
        title = s.get(Title, title_id)
        assert title is not None
        _ = [g.name for g in title.genres], [t.name for t in title.tags]
        s.expunge_all()
        return run, found, title


def test_claude_reads_text_and_keyframes_and_its_answer_becomes_suggestions(
    ctx: AppContext, fake: FakeMessages
) -> None:
    title_id = _publish(ctx)
    fake.answer("```json\n" + json.dumps(ANSWER) + "\n```")
    outcome = _worker(ctx, _claude(ctx, fake)).run_once()
    assert outcome is not None and outcome.error is None

    (headers,) = fake.headers
    assert API_KEY in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
    assert headers["anthropic-version"]
    (request,) = fake.requests
    assert request["model"] == "claude-test-model" and request["max_tokens"] == 512
    blocks = request["messages"][0]["content"]
    images = [base64.b64decode(b["source"]["data"]) for b in blocks if b["type"] == "image"]
    assert images == [POSTER, SHEET]
    assert all(b["source"]["media_type"] == "image/jpeg" for b in blocks if b["type"] == "image")
    text = json.loads(blocks[-1]["text"])
    assert text["description"] == "A crew plans a casino job"
    assert text["subtitle_excerpt"] == "We hit the vault at midnight."

    run, found, title = _state(ctx, title_id)
    assert (run.state, run.source, run.error) == (RunState.DONE, "claude", None)
    assert (run.input_tokens, run.output_tokens) == (1200, 150)
    assert run.cost_usd == pytest.approx((1200 * 3 + 150 * 15) / 1e6)
    assert {(x.kind.value, x.value, x.state.value) for x in found} == {
        ("genre", "Crime", "pending"),
        ("mood", "Suspenseful", "pending"),
        ("theme", "Heist", "pending"),
        ("maturity", "16+", "pending"),
    }  # Comedy is the title's already; nothing was applied to the title
    assert [g.name for g in title.genres] == ["Comedy"] and title.maturity is Maturity.TEEN


def test_rate_limits_and_overloads_are_retried_with_backoff(
    ctx: AppContext, fake: FakeMessages
) -> None:
    title_id = _publish(ctx)
    fake.fail(*RATE_LIMITED)
    fake.fail(*OVERLOADED)
    fake.answer(json.dumps(ANSWER))
    assert _worker(ctx, _claude(ctx, fake)).run_once() is not None
    assert len(fake.requests) == 3
    run, found, _ = _state(ctx, title_id)
    assert run.state is RunState.DONE and len(found) == 4


def test_failures_leave_the_title_published_and_untagged_with_the_reason(
    ctx: AppContext, fake: FakeMessages
) -> None:
    settings = _claude(ctx, fake, anthropic_max_retries=1)
    down = _publish(ctx, "Down")
    fake.fail(*SERVER_ERROR)
    fake.fail(*SERVER_ERROR)
    _worker(ctx, settings).run_once()
    run, found, title = _state(ctx, down)
    assert run.state is RunState.FAILED and not found and title.published
    assert run.error is not None and run.error.startswith("Claude answered 500 after 2 attempt")
    assert "api_error: Internal server error" in run.error

    garbled = _publish(ctx, "Garbled")
    fake.answer('Sure! Here are the tags: {"genres": [{"name": "Crime", "confidence": 7}]}')
    _worker(ctx, settings).run_once()
    run, found, title = _state(ctx, garbled)
    assert run.state is RunState.FAILED and not found and title.published
    assert run.error is not None and run.error.startswith("Claude's answer is not valid")
    assert run.input_tokens == 1200  # the invalid answer still cost its tokens


def test_the_monthly_cost_cap_refuses_further_calls(ctx: AppContext, fake: FakeMessages) -> None:
    settings = _claude(ctx, fake, anthropic_monthly_cost_cap_usd=0.005)
    ids = [_publish(ctx, "One"), _publish(ctx, "Two")]
    fake.answer(json.dumps(ANSWER))
    fake.answer(json.dumps(ANSWER))
    worker = _worker(ctx, settings)
    worker.run_once()  # USD 0.00585: over the cap from now on
    worker.run_once()
    assert len(fake.requests) == 1
    runs = sorted((_state(ctx, i)[0] for i in ids), key=lambda r: r.state.value)
    assert [r.state for r in runs] == [RunState.DONE, RunState.FAILED]
    assert runs[1].error is not None and "monthly Claude cost cap" in runs[1].error


def test_without_a_key_the_local_classifier_tags(ctx: AppContext) -> None:
    with ctx.sessions() as s:
        for name in ("The Vault", "Night Crew"):
            make_title(s, name=name, description="Thieves plan a heist on a casino vault",
                       genres=["Comedy"], tags=["heist"])  # fmt: skip
        s.commit()
    title_id = _publish(ctx)
    assert ctx.settings.anthropic_api_key is None
    outcome = _worker(ctx).run_once()
    assert outcome is not None and outcome.source.value == "local"
    run, found, _ = _state(ctx, title_id)
    assert run.state is RunState.DONE and run.cost_usd == 0
    assert ("theme", "Heist") in {(x.kind.value, x.value) for x in found}
    assert all(x.source.value == "local" and x.reason for x in found)


def test_admins_accept_and_reject_and_nothing_is_overwritten_silently(
    ctx: AppContext, fake: FakeMessages
) -> None:
    title_id = _publish(ctx)
    fake.answer(json.dumps(ANSWER))
    _worker(ctx, _claude(ctx, fake)).run_once()
    with TestClient(create_app(context=ctx, web_dist=None)) as client:
        viewer = bearer(signup(client))
        admin = bearer(admin_token(ctx, client))
        listed = client.get("/api/v1/admin/suggestions", headers=admin)
        assert listed.status_code == 200, listed.text
        by_value = {x["value"]: x for x in listed.json()}
        assert set(by_value) == {"Crime", "Suspenseful", "Heist", "16+"}
        crime, heist, maturity = by_value["Crime"], by_value["Heist"], by_value["16+"]
        assert maturity["current"] == "13+"

        # Viewers can neither list nor decide.
        assert client.get("/api/v1/admin/suggestions", headers=viewer).status_code == 403
        for verb in ("accept", "reject"):
            resp = client.post(f"/api/v1/admin/suggestions/{crime['id']}/{verb}", headers=viewer)
            assert resp.status_code == 403 and resp.json()["code"] == "forbidden"

        ok = client.post(f"/api/v1/admin/suggestions/{crime['id']}/accept", headers=admin)
        assert ok.status_code == 200 and ok.json()["state"] == "accepted"
        assert client.post(f"/api/v1/admin/suggestions/{heist['id']}/reject",
                           headers=admin).json()["state"] == "rejected"  # fmt: skip
        again = client.post(f"/api/v1/admin/suggestions/{heist['id']}/accept", headers=admin)
        assert again.status_code == 409

        # The maturity an admin set is not replaced unless the accept says so.
        url = f"/api/v1/admin/suggestions/{maturity['id']}/accept"
        clash = client.post(url, headers=admin)
        assert clash.status_code == 409 and clash.json()["code"] == "suggestion_conflict"
        _, _, title = _state(ctx, title_id)
        assert title.maturity is Maturity.TEEN
        pending = client.get(f"/api/v1/admin/titles/{title_id}/suggestions", headers=admin).json()
        assert {x["value"] for x in pending["suggestions"]} == {"Suspenseful", "16+"}
        assert pending["run"]["state"] == "done"
        assert client.post(url, json={"replace": True}, headers=admin).status_code == 200

        _, _, title = _state(ctx, title_id)
        assert [g.name for g in title.genres] == ["Comedy", "Crime"]
        assert [t.name for t in title.tags] == [] and title.maturity is Maturity.MATURE

        # Tagging again does not bring back what was rejected or decided.
        fake.answer(json.dumps(ANSWER))
        retag = client.post(f"/api/v1/admin/titles/{title_id}/suggestions/retag", headers=admin)
        assert retag.status_code == 202 and retag.json()["run"]["state"] == "queued"
    _worker(ctx, _claude(ctx, fake)).run_once()
    _, found, _ = _state(ctx, title_id)
    assert sorted((x.value, x.state.value) for x in found) == [
        ("16+", "accepted"), ("Crime", "accepted"), ("Heist", "rejected"),
        ("Suspenseful", "pending"),
    ]  # fmt: skip


def test_an_unreachable_endpoint_fails_the_run_with_the_reason(ctx: AppContext) -> None:
    title_id = _publish(ctx)
    settings = ctx.settings.model_copy(
        update={
            "anthropic_api_key": SecretStr(API_KEY),
            "anthropic_base_url": f"http://127.0.0.1:{free_port()}",
            "anthropic_max_retries": 1,
            "anthropic_backoff_s": 0.01,
        }
    )
    _worker(ctx, settings).run_once()
    run, found, title = _state(ctx, title_id)
    assert run.state is RunState.FAILED and not found and title.published
    assert run.error is not None and run.error.startswith("cannot reach Claude after 2 attempt")


def test_kinema_tag_titles_runs_once_for_a_cronjob(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    title_id = _publish(ctx)
    monkeypatch.setenv("KINEMA_DATA_DIR", str(ctx.settings.data_dir))
    monkeypatch.delenv("KINEMA_ANTHROPIC_API_KEY", raising=False)
    _load_commands()
    result = CliRunner().invoke(app, ["tag-titles"])
    assert result.exit_code == 0, result.output
    assert "tagged 1 title(s)" in result.output and "0 failed" in result.output
    assert _state(ctx, title_id)[0].state is RunState.DONE
