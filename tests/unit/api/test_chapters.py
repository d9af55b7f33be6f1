"""Chapters (intro range, credits start): set by admins, served with playback."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, make_playable_video, signup


def _video(ctx: AppContext) -> str:
    with ctx.sessions() as s:
        video_id = str(make_playable_video(s, ctx.store, duration_s=600).id)
        s.commit()
    return video_id


def _patch(client: TestClient, h: dict[str, str], video_id: str, chapters: Any) -> Any:
    return client.patch(f"/api/v1/admin/videos/{video_id}", json={"chapters": chapters}, headers=h)


def test_admin_sets_chapters_and_players_get_them(ctx: AppContext, client: TestClient) -> None:
    video_id = _video(ctx)
    admin = bearer(admin_token(ctx, client))
    viewer = bearer(signup(client))
    assert client.get(f"/api/v1/playback/{video_id}", headers=viewer).json()["chapters"] is None

    chapters = {"intro_start_s": 12.5, "intro_end_s": 80.0, "credits_start_s": 560.0}
    resp = _patch(client, admin, video_id, chapters)
    assert resp.status_code == 200, resp.text
    assert resp.json()["chapters"] == chapters
    play = client.get(f"/api/v1/playback/{video_id}", headers=viewer).json()
    assert play["chapters"] == chapters

    # A metadata edit without chapters keeps them; all-null clears them.
    resp = client.patch(
        f"/api/v1/admin/videos/{video_id}", json={"description": "New"}, headers=admin
    )
    assert resp.json()["chapters"] == chapters
    nulls = {"intro_start_s": None, "intro_end_s": None, "credits_start_s": None}
    assert _patch(client, admin, video_id, nulls).json()["chapters"] is None


def test_bad_chapters_are_refused(ctx: AppContext, client: TestClient) -> None:
    video_id = _video(ctx)
    admin = bearer(admin_token(ctx, client))
    for bad, words in [
        ({"intro_start_s": 10}, "needs both"),
        ({"intro_start_s": 50, "intro_end_s": 40}, "after intro_start_s"),
        ({"intro_start_s": -1, "intro_end_s": 40}, "greater than or equal"),
        ({"credits_start_s": "soon"}, "valid number"),
    ]:
        resp = _patch(client, admin, video_id, bad)
        assert resp.status_code == 422, (bad, resp.text)
        assert words in resp.text, (bad, resp.text)
