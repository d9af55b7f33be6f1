"""Clips over HTTP: making one, bad ranges and captions, reading it signed in and out,
kids profiles, the viewer's own plan (never the maker's), listing, deleting (own,
another's, an admin's), the rate limit, and the ``/clip/<id>`` card with its tags
escaped."""

from __future__ import annotations

import html
import re
import uuid

from fastapi.testclient import TestClient

from kinema.catalog.models import Clip, PreviewState
from kinema_api.context import AppContext
from tests.unit.social.helpers import API, Catalog, Headers, admin, kid, switch_profile, viewer
from tests.utils.factories import make_playable_video, set_plan

SCRIPT = '"><script>alert(1)</script> & <b>x</b>'


def _make(
    client: TestClient,
    headers: Headers,
    video: uuid.UUID,
    start: float,
    end: float,
    **extra: object,
) -> dict[str, object]:
    resp = client.post(
        f"{API}/clips",
        json={"video_id": str(video), "start_s": start, "end_s": end, **extra},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, object] = resp.json()
    return body


def test_a_clip_is_made_read_and_listed(client: TestClient, catalog: Catalog) -> None:
    ana = viewer(client)
    clip = _make(client, ana, catalog.episode1, 30, 75.5, caption="  the twist!  ")
    assert clip["start_s"] == 30 and clip["end_s"] == 75.5
    assert clip["caption"] == "the twist!"
    assert clip["url"] == f"/clip/{clip['id']}"
    assert clip["title"] == "The Show" and str(clip["episode"]).startswith("S1:E1")
    assert clip["preview"] == {"state": "pending", "video_url": None, "still_url": None}
    assert clip["mine"] is True and clip["can_delete"] is True and clip["playable"] is True

    ben = viewer(client)
    seen = client.get(f"{API}/clips/{clip['id']}", headers=ben).json()
    assert seen["mine"] is False and seen["can_delete"] is False and seen["playable"] is True
    assert seen["video_id"] == str(catalog.episode1) and seen["start_s"] == 30

    _make(client, ana, catalog.movie_video, 0, 60)
    listed = client.get(f"{API}/clips", headers=ana).json()
    assert [c["title"] for c in listed] == ["Ocean Voyage", "The Show"]
    assert client.get(f"{API}/clips", headers=ben).json() == []


BAD: list[dict[str, object]] = [
    {"start_s": 10, "end_s": 10},  # empty
    {"start_s": 10, "end_s": 10.5},  # under a second
    {"start_s": 20, "end_s": 10},  # reversed
    {"start_s": 0, "end_s": 60.5},  # over a minute
    {"start_s": -1, "end_s": 5},
    {"start_s": "soon", "end_s": 5},
    {"start_s": 0, "end_s": 5, "caption": ""},
    {"start_s": 0, "end_s": 5, "caption": "   "},
    {"start_s": 0, "end_s": 5, "caption": "x" * 281},
    {"start_s": 0, "end_s": 5, "caption": "bell \x07"},
    {"end_s": 5},
]


def test_bad_ranges_and_captions_are_refused(client: TestClient, catalog: Catalog) -> None:
    h = viewer(client)
    for payload in BAD:
        resp = client.post(
            f"{API}/clips", json={"video_id": str(catalog.movie_video), **payload}, headers=h
        )
        assert resp.status_code == 422, (payload, resp.text)
        assert resp.json()["code"] == "validation_error"
    assert client.get(f"{API}/clips", headers=h).json() == []


def test_a_range_past_the_end_of_the_video_is_refused(client: TestClient, catalog: Catalog) -> None:
    h = viewer(client)  # the movie runs 600 s
    resp = client.post(
        f"{API}/clips",
        json={"video_id": str(catalog.movie_video), "start_s": 590, "end_s": 620},
        headers=h,
    )
    assert resp.status_code == 422 and resp.json()["code"] == "clip_out_of_range"
    # The player's rounding of the last frame is the end.
    assert _make(client, h, catalog.movie_video, 570, 600.3)["end_s"] == 600
    unknown = client.post(
        f"{API}/clips", json={"video_id": str(uuid.uuid4()), "start_s": 0, "end_s": 5}, headers=h
    )
    assert unknown.status_code == 404


def test_caption_html_is_inert(client: TestClient, catalog: Catalog) -> None:
    h = viewer(client)
    clip = _make(client, h, catalog.movie_video, 0, 10, caption=SCRIPT)
    assert clip["caption"] == SCRIPT  # verbatim in JSON: clients render it as text
    got = client.get(f"{API}/clips/{clip['id']}")
    assert got.headers["content-type"] == "application/json"
    assert got.json()["caption"] == SCRIPT

    page = client.get(f"/clip/{clip['id']}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in page.text and "<b>x</b>" not in page.text
    escaped = html.escape(SCRIPT, quote=True)
    assert f'<meta property="og:description" content="{escaped} (0:00\u20130:10)" />' in page.text
    assert '<meta property="og:title" content="Ocean Voyage" />' in page.text
    assert "<title>Ocean Voyage · Kinema</title>" in page.text
    assert page.text.count("<title>") == 1 and page.text.count('name="description"') == 1
    assert '<div id="root"></div>' in page.text


def test_signed_out_visitors_get_the_card_and_preview_but_no_playback(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    h = viewer(client)
    clip = _make(client, h, catalog.movie_video, 5, 15, caption="Look")
    clip_id = uuid.UUID(str(clip["id"]))
    # No preview yet: nothing to fetch, and a card without an image.
    assert client.get(f"{API}/clips/{clip_id}/still.jpg").status_code == 404
    assert "og:image" not in client.get(f"/clip/{clip_id}").text

    with ctx.sessions() as s:  # as a preview worker leaves it
        row = s.get(Clip, clip_id)
        assert row is not None
        row.preview_state = PreviewState.READY
        s.commit()
    ctx.store.put_bytes(b"\xff\xd8still", f"clips/{clip_id.hex}/still.jpg")
    ctx.store.put_bytes(b"mp4 bytes", f"clips/{clip_id.hex}/preview.mp4")
    client.cookies.clear()  # signed out from here (``h`` still signs in explicitly)

    anon = client.get(f"{API}/clips/{clip_id}").json()
    assert anon["playable"] is False and anon["mine"] is False and anon["can_delete"] is False
    assert anon["preview"] == {
        "state": "ready",
        "video_url": f"{API}/clips/{clip_id}/preview.mp4",
        "still_url": f"{API}/clips/{clip_id}/still.jpg",
    }
    still = client.get(anon["preview"]["still_url"])
    assert still.status_code == 200 and still.content == b"\xff\xd8still"
    part = client.get(anon["preview"]["video_url"], headers={"Range": "bytes=0-2"})
    assert part.status_code == 206 and part.content == b"mp4"
    assert client.get(f"{API}/clips/{clip_id}/other.txt").status_code == 422
    page = client.get(f"/clip/{clip_id}").text
    assert (
        f'<meta property="og:image" content="http://testserver{API}/clips/{clip_id}/still.jpg" />'
        in page
    )
    assert '<meta name="twitter:card" content="summary_large_image" />' in page
    # Playback itself needs an account, whatever the clip.
    assert client.get(f"{API}/playback/{catalog.movie_video}").status_code == 401
    # Deleting it removes its files.
    assert client.delete(f"{API}/clips/{clip_id}", headers=h).status_code == 204
    assert not list(ctx.store.list(f"clips/{clip_id.hex}/"))
    assert client.get(f"{API}/clips/{clip_id}").status_code == 404
    assert "og:title" not in client.get(f"/clip/{clip_id}").text


def test_a_clip_plays_under_the_viewers_own_plan_not_the_makers(
    ctx: AppContext, client: TestClient
) -> None:
    with ctx.sessions() as s:
        video = make_playable_video(s, ctx.store, duration_s=12).id
        s.commit()
    maker = viewer(client)
    set_plan(ctx, client, maker, "premium")
    client.cookies.clear()  # the admin's login set its cookie: each request signs in
    clip = _make(client, maker, video, 2, 8)
    assert client.get(f"{API}/playback/{video}", headers=maker).json()["max_height"] == 2160

    free = viewer(client)
    opened = client.get(f"{API}/clips/{clip['id']}", headers=free).json()
    assert opened["playable"] is True and opened["video_id"] == str(video)
    # What the clip's page then asks for: the Free plan's rungs, whoever made the clip.
    play = client.get(f"{API}/playback/{opened['video_id']}", headers=free)
    assert play.status_code == 200, play.text
    assert play.json()["max_height"] == 480
    assert max(r["height"] for r in play.json()["renditions"]) == 480


def test_kids_profiles_neither_clip_nor_open_clips_above_their_limit(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    adult_clip = _make(client, viewer(client), catalog.adult_video, 0, 20)
    cartoon_clip = _make(client, viewer(client), catalog.cartoon_video, 0, 20)
    child = kid(ctx, client)
    refused = client.post(
        f"{API}/clips",
        json={"video_id": str(catalog.cartoon_video), "start_s": 0, "end_s": 5},
        headers=child,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "kids_profile"
    above = client.get(f"{API}/clips/{adult_clip['id']}", headers=child)
    assert above.status_code == 403
    assert client.get(f"{API}/clips/{adult_clip['id']}/still.jpg", headers=child).status_code == 403
    # The card tells a kids profile nothing about a title it may not see.
    assert "og:title" not in client.get(f"/clip/{adult_clip['id']}", headers=child).text
    assert client.get(f"{API}/clips/{cartoon_clip['id']}", headers=child).status_code == 200


def test_unpublished_titles_are_not_clipped_or_shown(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    h = viewer(client)
    resp = client.post(
        f"{API}/clips",
        json={"video_id": str(catalog.unpublished_video), "start_s": 0, "end_s": 5},
        headers=h,
    )
    assert resp.status_code == 404


def test_only_the_maker_or_an_admin_deletes(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana = viewer(client)
    first = _make(client, ana, catalog.movie_video, 0, 10)
    second = _make(client, ana, catalog.movie_video, 10, 20)
    ben = viewer(client)
    refused = client.delete(f"{API}/clips/{first['id']}", headers=ben)
    assert refused.status_code == 403 and refused.json()["code"] == "not_author"
    # Another profile of the same account is another maker.
    other_profile = switch_profile(ctx, client, ana)
    assert client.delete(f"{API}/clips/{first['id']}", headers=other_profile).status_code == 403
    boss = admin(ctx, client)
    assert client.get(f"{API}/clips/{second['id']}", headers=boss).json()["can_delete"] is True
    assert client.delete(f"{API}/clips/{second['id']}", headers=boss).status_code == 204
    assert client.delete(f"{API}/clips/{second['id']}", headers=boss).status_code == 404
    client.cookies.clear()  # signed out
    assert client.get(f"{API}/clips/{first['id']}").status_code == 200
    assert client.delete(f"{API}/clips/{first['id']}").status_code == 401
    # A deleted video takes its clips with it, preview files included.
    ctx.store.put_bytes(b"jpeg", f"clips/{uuid.UUID(str(first['id'])).hex}/still.jpg")
    gone = client.delete(f"{API}/admin/videos/{catalog.movie_video}", headers=boss)
    assert gone.status_code in (200, 202, 204), gone.text
    assert client.get(f"{API}/clips/{first['id']}").status_code == 404
    assert not list(ctx.store.list("clips/"))


def test_clips_are_rate_limited_per_profile(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    h = viewer(client)
    for n in range(ctx.settings.clip_rate_limit_per_min):
        _make(client, h, catalog.movie_video, n, n + 5)
    resp = client.post(
        f"{API}/clips",
        json={"video_id": str(catalog.movie_video), "start_s": 0, "end_s": 5},
        headers=h,
    )
    assert resp.status_code == 429 and resp.headers["retry-after"] == "60"
    assert len(client.get(f"{API}/clips", headers=h).json()) == ctx.settings.clip_rate_limit_per_min
    # A refused clip uses no allowance of another profile.
    assert _make(client, viewer(client), catalog.movie_video, 0, 5)["start_s"] == 0


def test_clip_page_of_an_unknown_or_malformed_id_is_the_plain_shell(client: TestClient) -> None:
    for path in (f"/clip/{uuid.uuid4()}", "/clip/not-a-uuid"):
        page = client.get(path)
        assert page.status_code == 200
        assert "og:" not in page.text and "<title>Kinema</title>" in page.text
    assert re.search(r"<title>", client.get("/clip/x").text)


def test_admins_list_every_clip_and_delete_one(
    ctx: AppContext, client: TestClient, catalog: Catalog
) -> None:
    ana, ben = viewer(client), viewer(client)
    boss = admin(ctx, client)
    first = _make(client, ana, catalog.movie_video, 0, 10, caption=SCRIPT)
    second = _make(client, ben, catalog.episode1, 5, 20)
    listed = client.get(f"{API}/moderation/clips", headers=boss)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 2 and page["next_offset"] is None
    assert [c["id"] for c in page["items"]] == [second["id"], first["id"]]  # newest first
    mine = page["items"][1]
    assert mine["caption"] == SCRIPT and mine["maker"]["name"] and mine["can_delete"] is True
    assert mine["preview"]["state"] == "pending" and mine["preview_error"] is None
    paged = client.get(f"{API}/moderation/clips", params={"limit": 1}, headers=boss).json()
    assert len(paged["items"]) == 1 and paged["next_offset"] == 1

    assert client.get(f"{API}/moderation/clips", headers=ana).status_code == 403
    assert client.delete(f"{API}/clips/{first['id']}", headers=boss).status_code == 204
    left = client.get(f"{API}/moderation/clips", headers=boss).json()
    assert [c["id"] for c in left["items"]] == [second["id"]] and left["total"] == 1
