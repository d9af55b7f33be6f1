"""The viewer's side of the security tests: a playable video, a subscribed viewer, a
playback, a kids profile. Each returns what the attack that follows needs."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from kinema.catalog.models import Maturity
from kinema_api.context import AppContext
from tests.utils.factories import (
    app_context,
    bearer,
    make_playable_video,
    make_title,
    set_plan,
    signup,
)


def playable_video(ctx: AppContext, *, maturity: Maturity = Maturity.TEEN) -> uuid.UUID:
    with ctx.sessions() as s:
        title = make_title(s, maturity=maturity)
        video = make_playable_video(s, ctx.store, title=title)
        s.commit()
        return video.id


def subscribed_viewer(client: TestClient, plan: str = "premium") -> dict[str, str]:
    h = bearer(signup(client))
    set_plan(app_context(client), client, h, plan)
    return h


def start_playback(client: TestClient, h: dict[str, str], video_id: uuid.UUID) -> dict[str, object]:
    resp = client.get(f"/api/v1/playback/{video_id}", headers=h)
    assert resp.status_code == 200, resp.text
    body: dict[str, object] = resp.json()
    return body


def stream_base(play: dict[str, object]) -> str:
    """The folder of a playback's manifests: ``/api/v1/stream/<token>``."""
    return str(play["hls_url"]).rsplit("/", 1)[0]


def kids_session(client: TestClient, h: dict[str, str]) -> dict[str, str]:
    kids = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
    assert kids.status_code == 201, kids.text
    assert client.post(f"/api/v1/profiles/{kids.json()['id']}/select", headers=h).is_success
    return h
