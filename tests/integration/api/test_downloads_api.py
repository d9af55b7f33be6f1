"""Download grants over HTTP on SQLite and PostgreSQL: who may download, the plan's
limit, the online check's answers, offline play, revocation (own and from the Devices
page), and the signed media URLs that live as long as a grant and no longer."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, update

from kinema.catalog import migrate
from kinema.catalog.db import create_db_engine
from kinema.catalog.models import (
    DownloadGrant,
    Maturity,
    Title,
    Track,
    TrackKind,
    Video,
    utcnow,
)
from kinema.catalog.services import accounts
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import (
    admin_token,
    bearer,
    build_api_context,
    make_playable_video,
    make_title,
    set_plan,
)

pytestmark = pytest.mark.integration
PASSWORD = "correct horse"


@pytest.fixture(params=["sqlite", "postgresql"])
def ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    context = build_api_context(tmp_path / "data", database_url=url)
    plan_limit(context, "premium", 3)
    yield context
    context.close()


def plan_limit(ctx: AppContext, slug: str, limit: int) -> None:
    """Set a sample plan's ``downloadLimit`` the way the operator syncs a Plan resource."""
    spec = next(p for p in accounts.SAMPLE_PLANS if p.slug == slug)
    with ctx.sessions() as s:
        accounts.upsert_plan(s, spec=dataclasses.replace(spec, download_limit=limit))
        s.commit()


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=ctx, web_dist=None)) as c:
        yield c


@pytest.fixture
def admin(ctx: AppContext, client: TestClient) -> dict[str, str]:
    return bearer(admin_token(ctx, client))


def device(client: TestClient, email: str, *, new: bool = False) -> dict[str, str]:
    """A browser of the account: its own device id, signed in; returns bearer headers."""
    body = {"email": email, "password": PASSWORD, "device_id": f"web-{uuid.uuid4().hex}"}
    resp = client.post(f"/api/v1/auth/{'signup' if new else 'login'}", json=body)
    assert resp.status_code in (200, 201), resp.text
    client.cookies.clear()  # each device is its bearer token, never the shared jar
    return bearer(str(resp.json()["access_token"]))


def account(
    ctx: AppContext, client: TestClient, admin: dict[str, str], plan: str = "premium"
) -> tuple[str, dict[str, str]]:
    email = f"dl-{uuid.uuid4().hex[:10]}@example.com"
    h = device(client, email, new=True)
    if plan != "free":
        set_plan(ctx, client, h, plan, admin=admin)
    return email, h


def video(ctx: AppContext, *, maturity: Maturity = Maturity.TEEN) -> uuid.UUID:
    with ctx.sessions() as s:
        title = make_title(s, maturity=maturity)
        made = make_playable_video(s, ctx.store, title=title).id
        s.commit()
        return made


def grant(
    client: TestClient, h: dict[str, str], video_id: uuid.UUID, quality: str = "high"
) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/downloads", json={"video_id": str(video_id), "quality": quality}, headers=h
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def path_of(url: str) -> str:
    return url[url.index("/api/v1/") :]


def test_free_plan_is_refused_and_premium_gets_a_capped_grant(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    vid = video(ctx)
    _, free = account(ctx, client, admin, plan="free")
    refused = client.post("/api/v1/downloads", json={"video_id": str(vid)}, headers=free)
    assert refused.status_code == 403
    assert refused.json()["code"] == "downloads_not_in_plan"
    offered = client.get(f"/api/v1/downloads/options/{vid}", headers=free).json()
    assert offered["allowed"] is False and offered["options"] == []
    _, basic = account(ctx, client, admin, plan="basic")
    assert (
        client.post("/api/v1/downloads", json={"video_id": str(vid)}, headers=basic).json()["code"]
        == "downloads_not_in_plan"
    )

    _, premium = account(ctx, client, admin)
    options = client.get(f"/api/v1/downloads/options/{vid}", headers=premium).json()
    assert [(o["quality"], o["height"]) for o in options["options"]] == [
        ("standard", 480),
        ("high", 1080),
    ]
    assert options["options"][0]["estimated_bytes"] == (1_200_000 + 128_000) * 600 // 8
    assert (options["limit"], options["used"]) == (3, 0)
    standard = grant(client, premium, vid, "standard")
    assert standard["height"] == 480 and standard["current_device"] is True
    created = datetime.fromisoformat(standard["created_at"])
    assert datetime.fromisoformat(standard["expires_at"]) - created == timedelta(days=30)
    # The manifest offers nothing above the grant's height; a taller rung's files are refused.
    master = client.get(path_of(standard["hls_url"]))
    assert master.status_code == 200, master.text
    assert "480p/playlist.m3u8" in master.text and "720p" not in master.text
    assert client.get(path_of(standard["hls_url"]).replace("master.m3u8", "480p/seg_00001.m4s"))
    tall = client.get(path_of(standard["hls_url"]).replace("master.m3u8", "720p/seg_00001.m4s"))
    assert tall.status_code == 403
    assert client.get(path_of(standard["dash_url"])).status_code == 200
    listed = client.get("/api/v1/downloads", headers=premium).json()
    assert [d["id"] for d in listed] == [standard["id"]]
    assert listed[0]["hls_url"]


def test_bad_input_and_other_accounts(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    vid = video(ctx)
    _, premium = account(ctx, client, admin)
    _, stranger = account(ctx, client, admin)
    for body in (
        {"video_id": "not-a-uuid"},
        {"video_id": str(vid), "quality": "ultra"},
        {},
    ):
        resp = client.post("/api/v1/downloads", json=body, headers=premium)
        assert resp.status_code == 422, body
    missing = client.post(
        "/api/v1/downloads", json={"video_id": str(uuid.uuid4())}, headers=premium
    )
    assert missing.status_code == 404
    assert client.post("/api/v1/downloads", json={"video_id": str(vid)}).status_code == 401
    mine = grant(client, premium, vid)
    naive = client.post(
        f"/api/v1/downloads/{mine['id']}/offline-play",
        json={"played_at": "2026-12-03T10:00:00"},
        headers=premium,
    )
    assert naive.status_code == 422
    for method, path in [
        ("POST", f"/api/v1/downloads/{mine['id']}/renew"),
        ("DELETE", f"/api/v1/downloads/{mine['id']}"),
        ("POST", f"/api/v1/downloads/{uuid.uuid4()}/renew"),
    ]:
        assert client.request(method, path, headers=stranger).status_code == 404, path
    assert client.get("/api/v1/downloads", headers=stranger).json() == []
    # A title above the profile's maturity is refused like playback refuses it.
    adult = video(ctx, maturity=Maturity.ADULT)
    kids = client.post(
        "/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=premium
    ).json()
    selected = client.post(f"/api/v1/profiles/{kids['id']}/select", json={}, headers=premium)
    assert selected.status_code == 200, selected.text
    refused = client.post("/api/v1/downloads", json={"video_id": str(adult)}, headers=premium)
    assert refused.status_code == 403


def test_limit_across_devices_and_redownload_counts_once(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    email, laptop = account(ctx, client, admin)
    phone = device(client, email)
    videos = [video(ctx) for _ in range(3)]
    grant(client, laptop, videos[0])
    first = grant(client, laptop, videos[1])
    again = grant(client, laptop, videos[1], "standard")  # replaces, does not add
    assert again["id"] != first["id"]
    grant(client, phone, videos[0])  # the same title on another device counts
    over = client.post("/api/v1/downloads", json={"video_id": str(videos[2])}, headers=phone)
    assert over.status_code == 409
    assert over.json()["code"] == "download_limit"
    # The replaced grant's media stops answering.
    assert client.get(path_of(first["hls_url"])).status_code == 403
    # Deleting one frees a place.
    assert client.delete(f"/api/v1/downloads/{again['id']}", headers=laptop).status_code == 204
    grant(client, phone, videos[2])
    assert len(client.get("/api/v1/downloads?account=true", headers=laptop).json()) == 3


def test_the_limit_is_the_plans_and_follows_its_changes(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    plan_limit(ctx, "family", 2)
    _, h = account(ctx, client, admin, plan="family")
    videos = [video(ctx) for _ in range(3)]
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me["entitlements"]["download_limit"] == 2
    assert me["plan"]["download_limit"] == 2
    grant(client, h, videos[0])
    grant(client, h, videos[1])
    over = client.post("/api/v1/downloads", json={"video_id": str(videos[2])}, headers=h)
    assert over.status_code == 409
    assert over.json()["code"] == "download_limit"
    assert "Family" in over.json()["detail"]
    offered = client.get(f"/api/v1/downloads/options/{videos[2]}", headers=h).json()
    assert (offered["limit"], offered["used"]) == (2, 2)

    plan_limit(ctx, "family", 4)  # the Plan resource changed: the next answer follows
    assert client.get(f"/api/v1/downloads/options/{videos[2]}", headers=h).json()["limit"] == 4
    grant(client, h, videos[2])
    plan_limit(ctx, "family", 0)  # downloads on, none held: every new grant is refused
    refused = client.post("/api/v1/downloads", json={"video_id": str(videos[0])}, headers=h)
    assert refused.json()["code"] == "download_limit"
    # A plan without downloads offers none, whatever its limit says.
    _, basic = account(ctx, client, admin, plan="basic")
    assert (
        client.get("/api/v1/auth/me", headers=basic).json()["entitlements"]["download_limit"] == 0
    )


def test_the_limit_holds_when_devices_ask_at_once(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    """One place left and six devices asking for it at the same moment: one gets it."""
    email, laptop = account(ctx, client, admin)
    devices = [device(client, email) for _ in range(6)]
    videos = [video(ctx) for _ in range(8)]
    grant(client, laptop, videos[0])
    grant(client, laptop, videos[1])
    start = threading.Barrier(len(devices))

    def ask(n: int) -> int:
        start.wait()
        body = {"video_id": str(videos[2 + n])}
        return client.post("/api/v1/downloads", json=body, headers=devices[n]).status_code

    with ThreadPoolExecutor(len(devices)) as pool:
        statuses = sorted(pool.map(ask, range(len(devices))))
    assert statuses == [201] + [409] * (len(devices) - 1), statuses
    assert len(client.get("/api/v1/downloads?account=true", headers=laptop).json()) == 3


def test_online_check_renews_or_says_why_to_delete(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    _, h = account(ctx, client, admin)
    kept, played, expired = (grant(client, h, video(ctx)) for _ in range(3))
    check = client.post(f"/api/v1/downloads/{kept['id']}/renew", headers=h).json()
    assert (check["verdict"], check["reason"]) == ("keep", None)
    assert check["download"]["hls_url"]

    # First offline play: the grant now ends 48 hours after it, renewals included.
    with ctx.sessions() as s:
        s.execute(
            update(DownloadGrant)
            .where(DownloadGrant.id == uuid.UUID(played["id"]))
            .values(created_at=utcnow() - timedelta(hours=5))
        )
        s.commit()
    at = utcnow() - timedelta(hours=1)
    reported = client.post(
        f"/api/v1/downloads/{played['id']}/offline-play",
        json={"played_at": at.isoformat()},
        headers=h,
    ).json()
    assert abs(datetime.fromisoformat(reported["expires_at"]) - (at + timedelta(hours=48))) < (
        timedelta(seconds=1)
    )
    later = client.post(
        f"/api/v1/downloads/{played['id']}/offline-play",
        json={"played_at": utcnow().isoformat()},
        headers=h,
    ).json()
    assert later["first_offline_play_at"] == reported["first_offline_play_at"]
    renewed = client.post(f"/api/v1/downloads/{played['id']}/renew", headers=h).json()
    assert renewed["download"]["expires_at"] == reported["expires_at"]

    with ctx.sessions() as s:
        s.execute(
            update(DownloadGrant)
            .where(DownloadGrant.id == uuid.UUID(expired["id"]))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        s.commit()
    gone = client.post(f"/api/v1/downloads/{expired['id']}/renew", headers=h).json()
    assert (gone["verdict"], gone["reason"]) == ("delete", "expired")
    assert gone["message"] and gone["download"]["hls_url"] is None
    assert client.get(path_of(expired["hls_url"])).status_code == 403

    unpublished = grant(client, h, video(ctx))
    with ctx.sessions() as s:
        title_id = s.get(Video, uuid.UUID(unpublished["video_id"])).title_id  # type: ignore[union-attr]
        s.execute(update(Title).where(Title.id == title_id).values(published=False))
        s.commit()
    answer = client.post(f"/api/v1/downloads/{unpublished['id']}/renew", headers=h).json()
    assert answer.get("reason") == "unavailable", answer

    # The plan no longer allows downloads: every check says delete, and media stops.
    set_plan(ctx, client, h, "basic", admin=admin)
    assert client.get(path_of(check["download"]["hls_url"])).status_code == 403
    answer = client.post(f"/api/v1/downloads/{kept['id']}/renew", headers=h).json()
    assert (answer["verdict"], answer["reason"]) == ("delete", "plan")


def test_revoked_from_the_devices_page(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    email, laptop = account(ctx, client, admin)
    tv = device(client, email)
    on_tv = grant(client, tv, video(ctx))
    segment = path_of(on_tv["hls_url"]).replace("master.m3u8", "1080p/seg_00001.m4s")
    assert client.get(segment).status_code == 200
    tv_id = next(d["id"] for d in client.get("/api/v1/devices", headers=tv).json() if d["current"])
    # A kids profile on the laptop may not; the account holder may.
    kids = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=laptop)
    kid_id = kids.json()["id"]
    adult_id = client.get("/api/v1/auth/me", headers=laptop).json()["profile"]["id"]
    client.post(f"/api/v1/profiles/{kid_id}/select", json={}, headers=laptop)
    assert client.delete(f"/api/v1/downloads/devices/{tv_id}", headers=laptop).status_code == 403
    assert client.delete(f"/api/v1/downloads/{on_tv['id']}", headers=laptop).status_code == 403
    client.post(f"/api/v1/profiles/{adult_id}/select", json={}, headers=laptop)
    everywhere = client.get("/api/v1/downloads?account=true", headers=laptop).json()
    assert [(d["id"], d["current_device"], d["hls_url"]) for d in everywhere] == [
        (on_tv["id"], False, None)
    ]
    done = client.delete(f"/api/v1/downloads/devices/{tv_id}", headers=laptop)
    assert done.status_code == 200 and done.json() == {"revoked": 1}
    # The segment stops at once; the TV's next online check deletes its copy.
    assert client.get(segment).status_code == 403
    answer = client.post(f"/api/v1/downloads/{on_tv['id']}/renew", headers=tv).json()
    assert (answer["verdict"], answer["reason"]) == ("delete", "revoked")
    unknown = client.delete(f"/api/v1/downloads/devices/{uuid.uuid4()}", headers=laptop)
    assert unknown.status_code == 404


def test_tokens_open_only_their_own_door(
    ctx: AppContext, client: TestClient, admin: dict[str, str]
) -> None:
    vid = video(ctx)
    with ctx.sessions() as s:
        made = s.get(Video, vid)
        assert made is not None and made.output_prefix
        s.add(Track(video_id=vid, kind=TrackKind.SUBTITLE, language="es", path="subs/es.vtt"))
        ctx.store.put_bytes(
            b"WEBVTT\n\n00:00.000 --> 00:01.000\nHola\n", f"{made.output_prefix}/subs/es.vtt"
        )
        s.commit()
    _, h = account(ctx, client, admin)
    granted = grant(client, h, vid)
    # Every subtitle track comes with the grant, under the same signed root.
    assert [(t["language"], t["label"]) for t in granted["subtitles"]] == [("es", "es")]
    assert client.get(path_of(granted["subtitles"][0]["url"])).text.startswith("WEBVTT")
    offline = path_of(granted["hls_url"])
    token = offline.split("/")[4]
    playback = client.get(f"/api/v1/playback/{vid}", headers=h).json()
    stream_token = playback["token"]
    assert client.get(f"/api/v1/stream/{token}/master.m3u8").status_code == 403
    assert client.get(f"/api/v1/offline/{stream_token}/master.m3u8").status_code == 403
    body, _, mac = token.partition(".")
    forged = f"{body[:-2]}AA.{mac}"
    assert client.get(f"/api/v1/offline/{forged}/master.m3u8").status_code == 403
    assert client.get(f"/api/v1/offline/{token}/kinema.json").status_code == 404
    assert client.get(f"/api/v1/offline/{token}/../../etc/passwd").status_code == 404
    ranged = client.get(
        f"/api/v1/offline/{token}/480p/seg_00001.m4s", headers={"Range": "bytes=0-9"}
    )
    assert ranged.status_code == 206 and len(ranged.content) == 10
    assert ranged.headers["access-control-allow-origin"] == "*"
    # A grant whose expiry passed stops its URLs even though the token itself says later.
    with ctx.sessions() as s:
        s.execute(update(DownloadGrant).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        s.commit()
    assert client.get(f"/api/v1/offline/{token}/480p/seg_00001.m4s").status_code == 403


def test_migration_0010_goes_down_and_up(ctx: AppContext) -> None:
    url = ctx.settings.resolved_database_url
    ctx.engine.dispose()
    migrate.downgrade(url, "0009")
    engine = create_db_engine(url)
    try:
        assert "download_grants" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    migrate.upgrade(url)
    assert migrate.pending_changes(url) == []
