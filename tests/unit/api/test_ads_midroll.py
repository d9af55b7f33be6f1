"""Mid-rolls through the API: the playback response lists a Free viewer's break points
(the video's chapter starts, spaced), the decision serves a VAST at exactly those points
and refuses any other, pixels say which break they were for, paid plans get nothing."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import PlaybackEvent, Video
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    app_context,
    bearer,
    make_playable_video,
    make_title,
    set_plan,
    signup,
)

NS = {"v": "http://www.iab.com/VAST"}
DECISION = "/api/v1/ads/decision"


@pytest.fixture
def feature(client: TestClient, ctx: AppContext) -> tuple[uuid.UUID, uuid.UUID]:
    """(an hour-long feature with chapters, an ad creative)"""
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, title=make_title(s), duration_s=3600)
        # Chapter starts: intro 60 s, programme 200 s (under 5 min after the intro),
        # credits 3000 s; and 3595 s would be inside the last 10 s anyway.
        video.intro_start_s, video.intro_end_s, video.credits_start_s = 60.0, 200.0, 3000.0
        clip = make_playable_video(
            s, ctx.store, title=make_title(s, name="Soda Spot"), duration_s=15
        )
        s.commit()
        ids = video.id, clip.id
    admin = bearer(admin_token(app_context(client), client))
    assert client.put(f"/api/v1/admin/ads/{ids[1]}", json={}, headers=admin).status_code == 201
    client.cookies.clear()
    return ids


def _viewer(client: TestClient, plan: str) -> dict[str, str]:
    h = bearer(signup(client))
    set_plan(app_context(client), client, h, plan)
    return h


def _linear(text: str) -> ET.Element:
    root = ET.fromstring(text)  # noqa: S314 - our own API's output
    linear = root.find("v:Ad/v:InLine/v:Creatives/v:Creative/v:Linear", NS)
    assert linear is not None, text
    return linear


def test_free_viewer_gets_break_points_and_a_vast_at_each(
    client: TestClient, ctx: AppContext, feature: tuple[uuid.UUID, uuid.UUID]
) -> None:
    video, clip = feature
    viewer = _viewer(client, "free")
    play = client.get(f"/api/v1/playback/{video}", headers=viewer).json()
    assert play["ad_breaks"] == [60.0, 3000.0]
    assert play["ad_break_spacing_s"] == 300.0

    for point in ("60", "3000.0", "preroll"):
        resp = client.get(DECISION, params={"video": str(video), "break": point}, headers=viewer)
        assert resp.status_code == 200, (point, resp.text)
        linear = _linear(resp.text)
        complete = next(
            t.text or ""
            for t in linear.findall("v:TrackingEvents/v:Tracking", NS)
            if t.get("event") == "complete"
        )
        assert client.get(complete.strip()).status_code == 204
    with ctx.sessions() as s:
        rows = s.scalars(
            select(PlaybackEvent).where(
                PlaybackEvent.video_id == clip, PlaybackEvent.kind == "ad_complete"
            )
        ).all()
        breaks = sorted((str(r.payload["break"]), r.payload["break_s"]) for r in rows if r.payload)
    assert breaks == [("midroll", 60.0), ("midroll", 3000.0), ("preroll", None)]


# (point, the error's code)
REFUSED = [
    ("200", "not_a_break_point"),  # a chapter start, but under 5 min after 60
    ("61", "not_a_break_point"),  # no chapter starts there
    ("0", "not_a_break_point"),  # the pre-roll's place
    ("3599", "not_a_break_point"),
    ("sixty", "validation_error"),
    ("-60", "validation_error"),
    ("1e3", "validation_error"),
]


def test_decision_refuses_points_that_are_not_breaks(
    client: TestClient, feature: tuple[uuid.UUID, uuid.UUID]
) -> None:
    video, _clip = feature
    viewer = _viewer(client, "free")
    for point, code in REFUSED:
        resp = client.get(DECISION, params={"video": str(video), "break": point}, headers=viewer)
        assert resp.status_code == 422, (point, resp.text)
        assert resp.json()["code"] == code, point


def test_break_points_belong_to_their_video(
    client: TestClient, ctx: AppContext, feature: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _video, clip = feature
    with ctx.sessions() as s:
        other = make_playable_video(s, ctx.store, title=make_title(s), duration_s=3600)
        other.intro_end_s = 90.0
        s.commit()
        other_id = other.id
    viewer = _viewer(client, "free")
    params = {"video": str(other_id), "break": "60"}
    assert client.get(DECISION, params=params, headers=viewer).status_code == 422
    assert client.get(DECISION, params={**params, "break": "90"}, headers=viewer).status_code == 200
    # Unknown videos and the creative itself: 404, whatever the point.
    for target in (uuid.uuid4(), clip):
        resp = client.get(DECISION, params={"video": str(target), "break": "60"}, headers=viewer)
        assert resp.status_code == 404, resp.text
    # Chapters edited away: the old point is no break any more.
    with ctx.sessions() as s:
        row = s.get(Video, other_id)
        assert row is not None
        row.intro_end_s = None
        s.commit()
    assert client.get(f"/api/v1/playback/{other_id}", headers=viewer).json()["ad_breaks"] == []
    assert client.get(DECISION, params={**params, "break": "90"}, headers=viewer).status_code == 422


def test_paid_plans_get_no_break_points_and_no_midroll(
    client: TestClient, feature: tuple[uuid.UUID, uuid.UUID]
) -> None:
    video, _clip = feature
    for plan in ("basic", "premium"):
        viewer = _viewer(client, plan)
        play = client.get(f"/api/v1/playback/{video}", headers=viewer).json()
        assert (play["ads"], play["ad_breaks"], play["ad_break_spacing_s"]) == (False, [], 0)
        resp = client.get(DECISION, params={"video": str(video), "break": "60"}, headers=viewer)
        assert resp.status_code == 204, (plan, resp.text)
