"""Discovery over HTTP: trained home rows, "More like this", kids limits, finished
titles, cold start. Training runs through the job's own entry (``train_once``); the
requests only read what it stored.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import (
    Maturity,
    Recommendation,
    RecommendationKind,
    TitleKind,
    Track,
    TrackKind,
    Video,
    utcnow,
)
from kinema.catalog.services import accounts, viewing
from kinema.catalog.services.feedback import collect_feedback
from kinema.catalog.services.subtitle_text import SubtitleReader
from kinema.recommend.patterns import SERIES_BOOST
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.worker.recommend import TrainingLoop, train_once
from tests.utils.factories import (
    app_context,
    bearer,
    build_api_context,
    make_ready_video,
    make_title,
    make_user,
    set_plan,
    signup,
    wait_for,
)

CATALOG: dict[str, tuple[list[str], list[str], Maturity]] = {
    "The Vault": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Night Crew": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Casino Job": (["Comedy"], ["Heist"], Maturity.TEEN),
    "Blood Money": (["Thriller"], ["Heist"], Maturity.ADULT),
    "Puppy Park": (["Animation", "Family"], [], Maturity.ALL),
    "Bunny Hop": (["Animation", "Family"], [], Maturity.ALL),
    "Robot Pals": (["Animation"], ["Robots"], Maturity.KIDS),
    "Quiet Days": (["Drama"], [], Maturity.TEEN),
}


@pytest.fixture
def ctx(pg_url: str, tmp_path: Path) -> Iterator[AppContext]:
    """PostgreSQL for the main scenario (the other tests run on SQLite, so both
    databases run the training job's and the rows' queries)."""
    context = build_api_context(tmp_path / "data", database_url=pg_url)
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = build_api_context(tmp_path / "data")
    yield context
    context.close()


def _client(ctx: AppContext) -> TestClient:
    return TestClient(create_app(context=ctx, web_dist=None))


def _seed(ctx: AppContext) -> dict[str, Any]:
    """The catalog, and other viewers whose history makes heist films and cartoons two
    taste clusters (Blood Money is watched with the heist comedies)."""
    ids: dict[str, Any] = {}
    with ctx.sessions() as s:
        for name, (genres, tags, maturity) in CATALOG.items():
            title = make_title(
                s,
                name=name,
                description=f"{name}: a story",
                genres=genres,
                tags=tags,
                maturity=maturity,
            )
            ids[name] = title.id
            ids[f"{name}/video"] = make_ready_video(s, title=title, duration_s=100).id
        for n in range(4):
            for group in (["The Vault", "Night Crew", "Casino Job", "Blood Money"],
                          ["Puppy Park", "Bunny Hop", "Robot Pals"]):  # fmt: skip
                user = make_user(s)
                profile = accounts.list_profiles(s, user_id=user.id)[0]
                for name in group[: 4 - (n % 2)]:
                    _watch(s, profile.id, ids[f"{name}/video"])
        s.commit()
    return ids


def _watch(session: Any, profile_id: uuid.UUID, video_id: uuid.UUID, at: float = 100) -> None:
    viewing.record_progress(session, profile_id=profile_id, video_id=video_id, position_s=at)


def _rows(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    resp = client.get("/api/v1/discovery/home", headers=headers)
    assert resp.status_code == 200, resp.text
    return {row["key"]: row for row in resp.json()["rows"]}


def _names(row: dict[str, Any]) -> list[str]:
    return [item["title"]["name"] for item in row["items"]]


def test_trained_rows_respect_finished_titles_and_kids_maturity(ctx: AppContext) -> None:
    ids = _seed(ctx)
    with _client(ctx) as client:
        h = bearer(signup(client))
        for name in ("The Vault", "Night Crew"):
            done = client.put(f"/api/v1/progress/{ids[name + '/video']}", json={"position_s": 100},
                              headers=h)  # fmt: skip
            assert done.json()["completed"] is True
        set_plan(app_context(client), client, h, "family")
        kid = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
        assert kid.status_code == 201, kid.text
        report = train_once(ctx.settings, ctx.sessions)
        assert report.interactions > 20 and report.titles == len(CATALOG)

        rows = _rows(client, h)
        picks = _names(rows["top-picks"])
        assert rows["top-picks"]["name"].startswith("Top picks for ")
        assert picks[0] == "Casino Job"
        assert not {"The Vault", "Night Crew"} & set(picks)  # finished
        because = rows[f"because:{ids['Night Crew']}"]
        assert because["name"] == "Because you watched Night Crew"
        assert _names(because)[0] == "Casino Job"
        assert "The Vault" not in _names(because)
        reason = because["items"][0]["reason"]
        assert reason == {"kind": "shared", "terms": ["heist", "Comedy"],
                          "text": "Also a heist comedy"}  # fmt: skip

        similar = client.get(f"/api/v1/titles/{ids['The Vault']}/similar", headers=h).json()
        assert {i["title"]["name"] for i in similar["items"][:2]} == {"Night Crew", "Casino Job"}

        # The kids profile: whatever it watched, nothing above 7+ anywhere.
        assert client.post(f"/api/v1/profiles/{kid.json()['id']}/select", headers=h).is_success
        client.put(f"/api/v1/progress/{ids['Puppy Park/video']}", json={"position_s": 100},
                   headers=h)  # fmt: skip
        train_once(ctx.settings, ctx.sessions)
        rows = _rows(client, h)
        assert f"because:{ids['Puppy Park']}" in rows
        seen = [i["title"] for row in rows.values() for i in row["items"]]
        assert seen and all(Maturity(t["maturity"]).level <= Maturity.KIDS.level for t in seen)
        assert "Puppy Park" not in _names(rows["top-picks"])
        refused = client.get(f"/api/v1/titles/{ids['Casino Job']}/similar", headers=h)
        assert refused.status_code == 403
        kids_similar = client.get(f"/api/v1/titles/{ids['Bunny Hop']}/similar", headers=h).json()
        names = {i["title"]["name"] for i in kids_similar["items"]}
        assert names and names <= {"Puppy Park", "Robot Pals"}


def test_cold_start_without_training_and_for_new_titles(sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    ids = _seed(ctx)
    with _client(ctx) as client:
        h = bearer(signup(client))
        # No training run yet: a new profile gets popular titles.
        body = client.get("/api/v1/discovery/home", headers=h).json()
        assert body["trained_at"] is None
        rows = {r["key"]: r for r in body["rows"]}
        picks = _names(rows["top-picks"])
        assert len(picks) == len(CATALOG)
        # Six titles were watched by four viewers each, Blood Money by two, the rest by
        # none: the six lead (in an order popularity alone cannot settle), then Blood Money.
        assert set(picks[:6]) == {
            "The Vault", "Night Crew", "Casino Job", "Puppy Park", "Bunny Hop", "Robot Pals"
        }  # fmt: skip
        assert picks[6] == "Blood Money"

        # A watch, still untrained: shared genres/tags drive "Because you watched".
        client.put(f"/api/v1/progress/{ids['The Vault/video']}", json={"position_s": 100},
                   headers=h)  # fmt: skip
        rows = _rows(client, h)
        assert set(_names(rows[f"because:{ids['The Vault']}"])[:3]) == {
            "Night Crew", "Casino Job", "Blood Money"
        }  # fmt: skip
        assert _names(rows["top-picks"])[0] in {"Night Crew", "Casino Job"}

        train_once(ctx.settings, ctx.sessions)
        # A title newer than the training run: "More like this" from its genres and tags.
        with ctx.sessions() as s:
            fresh = make_title(s, name="Diamond Run", genres=["Comedy"], tags=["Heist"])
            make_ready_video(s, title=fresh)
            s.commit()
            fresh_id = fresh.id
        similar = client.get(f"/api/v1/titles/{fresh_id}/similar").json()
        assert {i["title"]["name"] for i in similar["items"][:3]} == {
            "The Vault", "Night Crew", "Casino Job"
        }  # fmt: skip
        assert similar["items"][0]["reason"]["text"] == "Also a heist comedy"
        assert client.get(f"/api/v1/titles/{uuid.uuid4()}/similar").status_code == 404


def test_feedback_weights_and_the_periodic_loop(sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    ids = _seed(ctx)
    with ctx.sessions() as s:
        user = make_user(s)
        profile = accounts.list_profiles(s, user_id=user.id)[0]
        viewing.add_to_list(s, profile_id=profile.id, title_id=ids["Quiet Days"])
        viewing.rate_title(s, profile_id=profile.id, title_id=ids["Robot Pals"], score=5)
        viewing.rate_title(s, profile_id=profile.id, title_id=ids["Bunny Hop"], score=1)
        _watch(s, profile.id, ids["Casino Job/video"], at=50)
        s.commit()
        mine = {i.item: i.weight for i in collect_feedback(s) if i.user == profile.id.hex}
    assert mine == {
        ids["Quiet Days"].hex: 0.5,
        ids["Robot Pals"].hex: 1.0,
        ids["Casino Job"].hex: pytest.approx(0.25 + 0.75 * 0.5),
    }
    stop = threading.Event()
    loop = TrainingLoop(ctx.settings.model_copy(update={"recommend_interval_s": 1}),
                        ctx.sessions, stop, first_delay_s=0)  # fmt: skip
    loop.start()
    try:
        wait_for(lambda: loop.runs >= 2, timeout_s=20)
    finally:
        stop.set()
        loop.join(10)
    with ctx.sessions() as s:
        assert s.query(Recommendation).count() > 0


def _vtt(*cues: str) -> bytes:
    body = "".join(
        f"{n}\n00:00:{n:02d}.000 --> 00:00:{n + 1:02d}.000\n<i>{cue}</i>\n\n"
        for n, cue in enumerate(cues, start=1)
    )
    return f"WEBVTT\n\n{body}".encode()


def test_more_like_this_hears_what_the_characters_talk_about(sqlite_ctx: AppContext) -> None:
    """Three dramas with nothing else in common: the two whose dialogue is about dragons
    are alike; a subtitle file is read once across training runs, and again when the
    video's subtitles change."""
    ctx = sqlite_ctx
    dialogue = {
        "Ember": ["The dragon burns the village!", "Dragon fire, knight, run.", "The dragon."],
        "Scales": ["A dragon sleeps under the mountain.", "Wake the dragon, knight."],
        "Ledger": ["Invoices and taxes.", "The accountant counts the invoices."],
    }
    ids: dict[str, Any] = {}
    with ctx.sessions() as s:
        for name, cues in dialogue.items():
            title = make_title(s, name=name, description=f"{name}, a film", genres=["Drama"])
            video = make_ready_video(s, title=title)
            video.tracks.append(Track(kind=TrackKind.SUBTITLE, language="en", label="English",
                                      path="subtitles/en.m3u8"))  # fmt: skip
            ctx.store.put_bytes(_vtt(*cues), f"{video.output_prefix}/subtitles/en.vtt")
            ids[name], ids[f"{name}/video"] = title.id, video.id
        s.commit()
    # Without the subtitles, both are as like Ember as each other.
    train_once(ctx.settings, ctx.sessions)
    with ctx.sessions() as s:
        scores = s.scalars(
            select(Recommendation.score).where(
                Recommendation.kind == RecommendationKind.SIMILAR,
                Recommendation.subject_id == ids["Ember"],
            )
        ).all()
    assert len(scores) == 2 and scores[0] == pytest.approx(scores[1])
    reader = SubtitleReader(ctx.store)
    train_once(ctx.settings, ctx.sessions, reader)
    assert reader.reads == 3
    with _client(ctx) as client:
        similar = client.get(f"/api/v1/titles/{ids['Ember']}/similar").json()
        assert [i["title"]["name"] for i in similar["items"]] == ["Scales", "Ledger"]
        assert similar["items"][0]["reason"]["kind"] == "shared"  # Drama, both

    train_once(ctx.settings, ctx.sessions, reader)
    assert reader.reads == 3  # nothing changed: nothing read again
    # New subtitles for Ledger (rewritten in place, as a subtitle job does): read again.
    with ctx.sessions() as s:
        ledger = s.get(Video, ids["Ledger/video"])
        assert ledger is not None
        ledger.subtitles = [{"language": "en", "source": "raw/subs/ledger-v2.vtt"}]
        s.commit()
    ctx.store.put_bytes(
        _vtt("The dragon ate the invoices.", "A dragon! A dragon!", "Dragon, dragon."),
        f"processed/{ids['Ledger/video'].hex}/subtitles/en.vtt",
    )
    train_once(ctx.settings, ctx.sessions, reader)
    assert reader.reads == 4


def _picks(
    ctx: AppContext, kind: RecommendationKind, subject: uuid.UUID | None
) -> dict[Any, float]:
    with ctx.sessions() as s:
        rows = s.scalars(
            select(Recommendation).where(
                Recommendation.kind == kind,
                Recommendation.subject_id.is_(None)
                if subject is None
                else Recommendation.subject_id == subject,
            )
        )
        return {r.title_id: r.score for r in rows}


def test_viewing_patterns_weigh_popularity_and_raise_series_for_bingers(
    sqlite_ctx: AppContext,
) -> None:
    """Completion: of two titles five profiles each played, the one they finished is the
    more popular. Binges: two profiles with the same feedback, one of which watched its
    series in one sitting, get the same picks, with the other series raised for it."""
    ctx = sqlite_ctx
    now = utcnow()
    with ctx.sessions() as s:
        kept = make_title(s, name="Kept", genres=["Drama"])
        dropped = make_title(s, name="Dropped", genres=["Drama"])
        kept_v = make_ready_video(s, title=kept, duration_s=100).id
        dropped_v = make_ready_video(s, title=dropped, duration_s=100).id
        show = make_title(s, name="Show", kind=TitleKind.SERIES, genres=["Comedy"])
        other = make_title(s, name="Other Show", kind=TitleKind.SERIES, genres=["Comedy"])
        episodes = [make_ready_video(s, title=show, season=1, episode=n, duration_s=100).id
                    for n in (1, 2, 3)]  # fmt: skip
        make_ready_video(s, title=other, season=1, episode=1, duration_s=100)
        for _ in range(5):
            profile = accounts.list_profiles(s, user_id=make_user(s).id)[0].id
            _watch(s, profile, kept_v, at=100)
            _watch(s, profile, dropped_v, at=10)
        twins = []
        for gap in (timedelta(minutes=20), timedelta(days=1)):  # a binge, then one a day
            profile = accounts.list_profiles(s, user_id=make_user(s).id)[0].id
            start = now - timedelta(days=5)
            for n, video_id in enumerate(episodes):
                viewing.record_progress(s, profile_id=profile, video_id=video_id,
                                        position_s=100, at=start + n * gap)  # fmt: skip
            twins.append(profile)
        s.commit()
        other_id = other.id
    train_once(ctx.settings, ctx.sessions)
    popular = _picks(ctx, RecommendationKind.POPULAR, None)
    assert popular[kept.id] > popular[dropped.id]
    binger, steady = (_picks(ctx, RecommendationKind.TOP_PICKS, p) for p in twins)
    assert set(binger) == set(steady) and other_id in binger
    assert binger[other_id] == pytest.approx(steady[other_id] * (1 + SERIES_BOOST))
    assert binger[kept.id] == pytest.approx(steady[kept.id])
