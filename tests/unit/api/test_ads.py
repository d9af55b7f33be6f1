"""Ads through the API: admins mark creatives, Free viewers get a VAST pre-roll whose
media and pixels work, paid plans get nothing, creatives never show as titles."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kinema.catalog.models import PlaybackEvent
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


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return bearer(admin_token(app_context(client), client))


@pytest.fixture
def videos(ctx: AppContext) -> tuple[uuid.UUID, uuid.UUID]:
    """(a title's video, a clip to make an ad)"""
    with ctx.sessions() as s:
        feature = make_playable_video(
            s, ctx.store, title=make_title(s, name="Feature"), duration_s=5400
        )
        clip = make_playable_video(
            s, ctx.store, title=make_title(s, name="Soda Spot"), duration_s=15
        )
        s.commit()
        return feature.id, clip.id


def _viewer(client: TestClient, plan: str) -> dict[str, str]:
    h = bearer(signup(client))
    set_plan(app_context(client), client, h, plan)
    return h


def _vast(text: str) -> ET.Element:
    root = ET.fromstring(text)  # noqa: S314 - our own API's output
    assert root.tag == "{http://www.iab.com/VAST}VAST"
    assert root.get("version", "").startswith("4.")
    return root


def test_admin_marks_lists_edits_and_unmarks(
    client: TestClient, admin: dict[str, str], videos: tuple[uuid.UUID, uuid.UUID]
) -> None:
    feature, clip = videos
    viewer = _viewer(client, "free")
    r = client.put(f"/api/v1/admin/ads/{clip}", json={}, headers=viewer)
    assert r.status_code == 403, r.text
    assert client.get("/api/v1/admin/ads", headers=viewer).status_code == 403

    resp = client.put(f"/api/v1/admin/ads/{clip}", json={"weight": 3}, headers=admin)
    assert resp.status_code == 201, resp.text
    assert resp.json()["weight"] == 3 and resp.json()["active"] is True
    assert client.put(f"/api/v1/admin/ads/{clip}", json={}, headers=admin).status_code == 409
    listed = client.get("/api/v1/admin/ads", headers=admin).json()
    assert [(c["video_id"], c["name"]) for c in listed] == [(str(clip), "Soda Spot")]

    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    resp = client.patch(f"/api/v1/admin/ads/{clip}", json={"starts_at": future}, headers=admin)
    assert resp.status_code == 200, resp.text
    assert resp.json()["active"] is False and resp.json()["weight"] == 3
    bad = client.patch(
        f"/api/v1/admin/ads/{clip}",
        json={"ends_at": datetime.now(UTC).isoformat()},
        headers=admin,
    )
    assert bad.status_code == 409, bad.text
    resp = client.patch(f"/api/v1/admin/ads/{clip}", json={"starts_at": None}, headers=admin)
    assert resp.json()["active"] is True and resp.json()["starts_at"] is None

    # The creative's title cannot be published while it is an ad.
    pub = client.patch(f"/api/v1/admin/videos/{clip}", json={"published": True}, headers=admin)
    assert pub.status_code == 409, pub.text
    assert client.delete(f"/api/v1/admin/ads/{clip}", headers=admin).status_code == 200
    assert client.get("/api/v1/admin/ads", headers=admin).json() == []
    assert client.delete(f"/api/v1/admin/ads/{clip}", headers=admin).status_code == 404
    assert (
        client.put(f"/api/v1/admin/ads/{feature}", json={"weight": 0}, headers=admin).status_code
        == 422
    )
    # An ad is a short clip: a 90-minute feature is no creative.
    long = client.put(f"/api/v1/admin/ads/{feature}", json={}, headers=admin)
    assert long.status_code == 409, long.text
    assert "at most 120 s" in long.text


def test_creatives_never_show_as_titles(
    client: TestClient, admin: dict[str, str], videos: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _, clip = videos
    viewer = _viewer(client, "free")

    def names(headers: dict[str, str]) -> set[str]:
        home = client.get("/api/v1/browse/home", headers=headers).json()
        rows = {t["name"] for row in home["rows"] for t in row["items"]}
        found = client.get("/api/v1/search", params={"q": "soda"}, headers=headers).json()
        listed = client.get("/api/v1/titles", headers=headers).json()
        return rows | {t["name"] for t in found["items"]} | {t["name"] for t in listed}

    assert "Soda Spot" in names(viewer)
    assert client.put(f"/api/v1/admin/ads/{clip}", json={}, headers=admin).status_code == 201
    assert "Soda Spot" not in names(viewer)
    assert "Soda Spot" not in names(admin)
    # Not playable as a title, not even by an admin.
    assert client.get(f"/api/v1/playback/{clip}", headers=viewer).status_code == 404
    assert client.get(f"/api/v1/playback/{clip}", headers=admin).status_code == 404


def test_free_viewer_gets_a_vast_preroll_with_working_media_and_pixels(
    client: TestClient,
    ctx: AppContext,
    admin: dict[str, str],
    videos: tuple[uuid.UUID, uuid.UUID],
) -> None:
    feature, clip = videos
    viewer = _viewer(client, "free")
    play = client.get(f"/api/v1/playback/{feature}", headers=viewer).json()
    assert play["ads"] is True
    # No creative yet: an empty VAST.
    empty = client.get("/api/v1/ads/decision", params={"video": str(feature)}, headers=viewer)
    assert empty.status_code == 200
    assert list(_vast(empty.text)) == []

    client.put(f"/api/v1/admin/ads/{clip}", json={}, headers=admin)
    resp = client.get("/api/v1/ads/decision", params={"video": str(feature)}, headers=viewer)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/xml")
    root = _vast(resp.text)
    inline = root.find("v:Ad/v:InLine", NS)
    assert inline is not None
    for required in ("v:AdSystem", "v:Impression", "v:AdServingId", "v:AdTitle"):
        assert (inline.findtext(required, namespaces=NS) or "").strip(), required
    assert inline.findtext("v:AdTitle", namespaces=NS) == "Soda Spot"
    linear = inline.find("v:Creatives/v:Creative/v:Linear", NS)
    assert linear is not None
    assert inline.find("v:Creatives/v:Creative/v:UniversalAdId", NS) is not None
    assert linear.findtext("v:Duration", namespaces=NS) == "00:00:15.000"
    media = linear.findall("v:MediaFiles/v:MediaFile", NS)
    assert len(media) == 1
    assert media[0].get("type") == "application/x-mpegURL"
    assert media[0].get("delivery") == "streaming"
    assert media[0].get("height") == "480"  # Free's cap, not the creative's 1080p
    events = {
        t.get("event"): (t.text or "") for t in linear.findall("v:TrackingEvents/v:Tracking", NS)
    }
    assert set(events) == {"start", "firstQuartile", "midpoint", "thirdQuartile", "complete"}

    # The media URL plays the creative, capped at the viewer's height; files of refused
    # rungs and other videos' files stay closed; a forged token opens nothing.
    master_url = (media[0].text or "").strip()
    master = client.get(master_url)
    assert master.status_code == 200, master.text
    assert "1080p" not in master.text and "480p" in master.text
    base = master_url.rsplit("/", 1)[0]
    assert client.get(f"{base}/480p/seg_00001.m4s").status_code == 200
    assert client.get(f"{base}/1080p/seg_00001.m4s").status_code == 403
    assert client.get(f"{base}/kinema.json").status_code == 404
    token = base.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/stream/{token}/master.m3u8").status_code == 403
    assert client.get(f"/api/v1/ads/media/{token[:-2]}xx/master.m3u8").status_code == 403

    # Pixels: each event counted once per decision, as analytics events on the ad.
    impression = (inline.findtext("v:Impression", namespaces=NS) or "").strip()
    assert client.get(impression).status_code == 204
    assert client.get(impression).status_code == 204
    for event in ("start", "firstQuartile", "midpoint", "thirdQuartile", "complete"):
        assert client.get(events[event].strip()).status_code == 204
    with ctx.sessions() as s:
        rows = s.scalars(select(PlaybackEvent).where(PlaybackEvent.video_id == clip)).all()
        kinds = sorted(r.kind for r in rows)
        assert kinds == sorted(
            [
                "ad_impression",
                "ad_start",
                "ad_first_quartile",
                "ad_midpoint",
                "ad_third_quartile",
                "ad_complete",
            ]
        )
        assert {r.payload["content_video"] for r in rows if r.payload} == {feature.hex}
    assert client.get(f"{impression.rsplit('/', 1)[0]}/bogus").status_code == 422


def test_paid_plans_get_no_ad(
    client: TestClient, admin: dict[str, str], videos: tuple[uuid.UUID, uuid.UUID]
) -> None:
    feature, clip = videos
    client.put(f"/api/v1/admin/ads/{clip}", json={}, headers=admin)
    for plan in ("basic", "premium"):
        viewer = _viewer(client, plan)
        assert client.get(f"/api/v1/playback/{feature}", headers=viewer).json()["ads"] is False
        resp = client.get("/api/v1/ads/decision", params={"video": str(feature)}, headers=viewer)
        assert resp.status_code == 204, (plan, resp.text)
        assert resp.content == b""
    client.cookies.clear()
    assert client.get("/api/v1/ads/decision", params={"video": str(feature)}).status_code == 401


def test_window_and_weight_decide_which_creative(
    client: TestClient, ctx: AppContext, admin: dict[str, str]
) -> None:
    with ctx.sessions() as s:
        feature = make_playable_video(s, ctx.store).id
        spots = [make_playable_video(s, ctx.store, duration_s=10).id for _ in range(3)]
        s.commit()
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    client.put(f"/api/v1/admin/ads/{spots[0]}", json={"weight": 1}, headers=admin)
    client.put(f"/api/v1/admin/ads/{spots[1]}", json={"weight": 9}, headers=admin)
    # Ended yesterday: never drawn.
    client.put(
        f"/api/v1/admin/ads/{spots[2]}",
        json={"weight": 1000, "starts_at": past, "ends_at": yesterday},
        headers=admin,
    )
    viewer = _viewer(client, "free")
    seen: dict[str, int] = {}
    for _ in range(60):
        text = client.get(
            "/api/v1/ads/decision", params={"video": str(feature)}, headers=viewer
        ).text
        title_media = _vast(text).find("v:Ad/v:InLine/v:Creatives/v:Creative/v:Linear", NS)
        assert title_media is not None
        url = title_media.findtext("v:MediaFiles/v:MediaFile", namespaces=NS) or ""
        master = client.get(url.strip())
        assert master.status_code == 200
        ad = _vast(text).find("v:Ad", NS)
        assert ad is not None
        seen[ad.get("id", "")] = seen.get(ad.get("id", ""), 0) + 1
    assert len(seen) == 2  # the ended one never
    assert max(seen.values()) > 35  # weight 9 of 10: about 54 of 60
