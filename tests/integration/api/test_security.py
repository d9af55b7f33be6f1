"""Security issue regressions: each test replays an attack as it was reported against a
real stack (embedded SQLite + local files, and PostgreSQL + Redis where the finding
involves the database or the cache) and asserts the refusal.

Findings 2, 3, 8, 13 (posters) and 16 have their own modules
(``test_sqlite_concurrency.py``, ``test_client_ip.py``, ``tests/.../test_source_policy.py``).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kinema.catalog.models import Maturity, Role, Title, Video
from kinema.catalog.services import accounts
from kinema.cli import _load_commands, app
from kinema.errors import ConfigError
from kinema.settings import SECRET_FILE
from kinema_api.accounts.services.auth import ensure_admin
from kinema_api.app import create_app
from kinema_api.context import AppContext
from kinema_api.keys import derive_key
from kinema_api.serve import bootstrap_admin
from kinema_api.viewing.services.signing import PlaybackGrant, sign
from tests.utils.factories import (
    admin_token,
    app_context,
    bearer,
    build_api_context,
    live_server,
    make_completed_upload,
    make_playable_video,
    make_title,
    set_plan,
    signup,
    signup_over_http,
    wait_for,
)
from tests.utils.ports import free_port

pytestmark = [pytest.mark.integration]
KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]


@pytest.fixture(params=["embedded", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    """The API's context on SQLite + in-process cache, or PostgreSQL + Redis."""
    if request.param == "postgres":
        ctx = build_api_context(
            tmp_path / "data",
            database_url=request.getfixturevalue("pg_url"),
            redis_url=request.getfixturevalue("redis_url"),
        )
    else:
        ctx = build_api_context(tmp_path / "data")
    yield ctx
    ctx.close()


@pytest.fixture
def client(stack: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=stack, web_dist=None)) as c:
        yield c


def _video(ctx: AppContext, *, maturity: Maturity = Maturity.TEEN) -> uuid.UUID:
    with ctx.sessions() as s:
        title = make_title(s, maturity=maturity)
        video = make_playable_video(s, ctx.store, title=title)
        s.commit()
        return video.id


def _viewer(client: TestClient, plan: str = "premium") -> dict[str, str]:
    h = bearer(signup(client))
    set_plan(app_context(client), client, h, plan)
    return h


def _play(client: TestClient, h: dict[str, str], video_id: uuid.UUID) -> dict[str, object]:
    resp = client.get(f"/api/v1/playback/{video_id}", headers=h)
    assert resp.status_code == 200, resp.text
    body: dict[str, object] = resp.json()
    return body


def _base(play: dict[str, object]) -> str:
    return str(play["hls_url"]).rsplit("/", 1)[0]


# --- 1. no built-in secret signs anything ------------------------------------------


def test_a_token_signed_with_the_old_builtin_secret_is_refused(
    stack: AppContext, client: TestClient
) -> None:
    video_id = _video(stack)
    forged = sign(
        PlaybackGrant(video_id, 2160, int(time.time()) + 10 * 365 * 86400),
        derive_key("development-only-secret", "playback"),
    )
    resp = client.get(f"/api/v1/stream/{forged}/1080p/seg_00001.m4s")
    assert resp.status_code == 403
    assert "signature" in resp.json()["detail"]


def test_kinema_up_makes_its_own_private_secret_and_keeps_it(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "KINEMA_SECRET_KEY"}
    env["KINEMA_WORKERS"] = "1"

    def up() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [*KINEMA, "up", "--no-sample", "--port", str(port), "--data-dir", str(data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)

    proc = up()
    try:
        assert wait_for(healthy, timeout_s=60, interval_s=0.2)
        secret_file = data / SECRET_FILE
        assert secret_file.stat().st_mode & 0o777 == 0o600
        first = secret_file.read_text().strip()
        assert len(first) >= 32
        # The attack: sign a token for any video with the secret every install used to
        # share. A valid signature would reach "no such video" (404); it gets 403.
        forged = sign(
            PlaybackGrant(uuid.uuid4(), 2160, int(time.time()) + 86400),
            derive_key("development-only-secret", "playback"),
        )
        refused = httpx.get(f"{base}/api/v1/stream/{forged}/master.m3u8")
        assert refused.status_code == 403, refused.text
    finally:
        stop(proc)
    proc = up()
    try:
        assert wait_for(healthy, timeout_s=60, interval_s=0.2)
        assert (data / SECRET_FILE).read_text().strip() == first
    finally:
        stop(proc)


def test_kinema_api_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINEMA_")}
    env["KINEMA_DATA_DIR"] = str(tmp_path / "empty")
    done = subprocess.run(
        [*KINEMA, "api", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "KINEMA_SECRET_KEY is unset" in done.stderr


# --- 4. tokens are short-lived, bound to the session, re-checked on manifests --------


def test_logout_ends_playback_at_the_next_manifest(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    h = _viewer(client)
    play = _play(client, h, video_id)
    assert client.get(str(play["hls_url"])).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 200
    after = client.get(str(play["hls_url"]))
    assert after.status_code == 401
    assert client.get(str(play["dash_url"])).status_code == 401
    assert client.get(f"{_base(play)}/480p/playlist.m3u8").status_code == 401
    assert client.post(f"/api/v1/playback/{video_id}/renew", headers=h).status_code == 401


def test_a_revoked_device_loses_its_manifests(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    h = _viewer(client)
    other = client.post(
        "/api/v1/auth/login",
        json={"email": client.get("/api/v1/auth/me", headers=h).json()["email"],
              "password": "correct horse", "device_name": "tv"},
    )  # fmt: skip
    tv = bearer(other.json()["access_token"])
    play = _play(client, tv, video_id)
    sessions = client.get("/api/v1/auth/sessions", headers=h).json()
    tv_session = next(s for s in sessions if s["device_name"] == "tv")
    assert client.delete(f"/api/v1/auth/sessions/{tv_session['id']}", headers=h).is_success
    assert client.get(str(play["hls_url"])).status_code == 401


def test_a_downgrade_caps_the_next_manifest(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    h = _viewer(client, "premium")
    play = _play(client, h, video_id)
    assert "1080p" in client.get(str(play["hls_url"])).text
    set_plan(stack, client, h, "free")
    master = client.get(str(play["hls_url"]))
    assert master.status_code == 200
    assert "1080p" not in master.text and "720p" not in master.text
    assert client.get(f"{_base(play)}/1080p/playlist.m3u8").status_code == 403
    renewed = client.post(f"/api/v1/playback/{video_id}/renew", headers=h).json()
    assert renewed["max_height"] == 480


def test_unpublishing_stops_playback_at_the_next_manifest(
    stack: AppContext, client: TestClient
) -> None:
    video_id = _video(stack)
    h = _viewer(client)
    play = _play(client, h, video_id)
    with stack.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        video.title.published = False
        s.commit()
    assert client.get(str(play["hls_url"])).status_code == 403
    assert client.post(f"/api/v1/playback/{video_id}/renew", headers=h).status_code == 404


def test_tokens_are_short_lived_and_renewed(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    h = _viewer(client)
    play = _play(client, h, video_id)
    assert stack.settings.playback_url_ttl_s <= 600
    lifetime = _expires_in(str(play["expires_at"]))
    assert 0 < lifetime <= stack.settings.playback_url_ttl_s + 1
    assert 0 < int(str(play["renew_after_s"])) < lifetime
    renewed = client.post(f"/api/v1/playback/{video_id}/renew", headers=h)
    assert renewed.status_code == 200, renewed.text
    token = renewed.json()["token"]
    assert token != play["token"]
    new_base = _base(play).replace(str(play["token"]), token)
    assert client.get(f"{new_base}/master.m3u8").status_code == 200
    assert client.get(f"{new_base}/720p/seg_00001.m4s").status_code == 200


def _expires_in(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp() - time.time()


def test_tokens_stay_out_of_access_logs(stack: AppContext) -> None:
    video_id = _video(stack)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    handler = Collect()
    with live_server(create_app(context=stack, web_dist=None)) as base:
        access.setLevel(logging.INFO)
        access.addHandler(handler)
        try:
            h = signup_over_http(base, prefix="log")
            with httpx.Client(base_url=base, timeout=30) as http:
                set_plan(stack, http, h, "premium")
            play = httpx.get(f"{base}/api/v1/playback/{video_id}", headers=h).json()
            assert httpx.get(f"{base}{play['hls_url']}").status_code == 200
            wait_for(lambda: any("/api/v1/stream/" in line for line in lines), timeout_s=5)
        finally:
            access.removeHandler(handler)
    text = "\n".join(lines)
    assert "/api/v1/stream/…/master.m3u8" in text, text
    assert play["token"] not in text


# --- 5. KINEMA_ADMIN_EMAIL never promotes a viewer -----------------------------------


def test_admin_email_of_an_existing_viewer_is_refused_then_promoted_explicitly(
    stack: AppContext, client: TestClient
) -> None:
    email = f"viewer{uuid.uuid4().hex[:8]}@example.com"
    client.post("/api/v1/auth/signup", json={"email": email, "password": "viewer password"})
    settings = stack.settings.model_copy(update={"admin_email": email, "admin_password": None})
    ctx = AppContext(**{**stack.__dict__, "settings": settings})
    with pytest.raises(ConfigError, match="kinema admin promote"):
        bootstrap_admin(ctx)
    with stack.sessions() as s:
        user = accounts.find_user_by_email(s, email=email)
        assert user is not None and user.role is Role.VIEWER
    # The console never offers a password that does not log in.
    assert not (settings.data_dir / "admin-password.txt").exists()

    _load_commands()
    env = {
        "KINEMA_DATA_DIR": str(settings.data_dir),
        "KINEMA_DATABASE_URL": stack.settings.resolved_database_url,
    }
    result = CliRunner().invoke(app, ["admin", "promote", email.upper()], env=env)
    assert result.exit_code == 0, result.output
    login = client.post("/api/v1/auth/login", json={"email": email, "password": "viewer password"})
    assert client.get(
        "/api/v1/admin/videos", headers=bearer(login.json()["access_token"])
    ).is_success
    missing = CliRunner().invoke(app, ["admin", "promote", "nobody@example.com"], env=env)
    assert missing.exit_code == 2 and "no account" in missing.output


def test_a_stale_stored_admin_password_is_not_printed(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", admin_email="boss@example.com")
    try:
        email, password = bootstrap_admin(ctx)
        assert email == "boss@example.com" and password
        with ctx.sessions() as s:  # the admin changes the password elsewhere
            ensure_admin(s, email=email, password="a brand new password")
        assert bootstrap_admin(ctx) == (email, None)
    finally:
        ctx.close()


# --- 6, 7. kids profiles: maturity for everyone, no account actions, profile locks ----


def _kids_session(client: TestClient, h: dict[str, str]) -> dict[str, str]:
    kids = client.post("/api/v1/profiles", json={"name": "Kid", "is_kids": True}, headers=h)
    assert kids.status_code == 201, kids.text
    assert client.post(f"/api/v1/profiles/{kids.json()['id']}/select", headers=h).is_success
    return h


def test_a_kids_profile_in_an_admin_account_sees_only_kids_titles(
    stack: AppContext, client: TestClient
) -> None:
    adult_video = _video(stack, maturity=Maturity.ADULT)
    h = _kids_session(client, bearer(admin_token(stack, client)))
    with stack.sessions() as s:
        adult_title = s.get(Video, adult_video)
        assert adult_title is not None
        title_id = adult_title.title_id
    detail = client.get(f"/api/v1/titles/{title_id}", headers=h)
    assert detail.status_code == 403
    assert client.get(f"/api/v1/playback/{adult_video}", headers=h).status_code == 403
    listed = client.get("/api/v1/titles", headers=h).json()
    assert str(title_id) not in {t["id"] for t in listed}
    admin = client.get("/api/v1/admin/videos", headers=h)
    assert admin.status_code == 403


def test_a_kids_profile_cannot_act_for_the_account(stack: AppContext, client: TestClient) -> None:
    h = _kids_session(client, _viewer(client))
    profile_id = client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"]
    refused = [
        client.post("/api/v1/billing/checkout", json={"plan": "premium"}, headers=h),
        client.post("/api/v1/billing/cancel", headers=h),
        client.get("/api/v1/billing/invoices", headers=h),
        client.get("/api/v1/auth/sessions", headers=h),
        client.delete(f"/api/v1/auth/sessions/{uuid.uuid4()}", headers=h),
        client.post("/api/v1/profiles", json={"name": "Another"}, headers=h),
        client.patch(f"/api/v1/profiles/{profile_id}", json={"max_maturity": "18+"}, headers=h),
        client.delete(f"/api/v1/profiles/{profile_id}", headers=h),
        client.put(
            f"/api/v1/profiles/{profile_id}/pin",
            json={"pin": "1234", "password": "correct horse"},
            headers=h,
        ),
    ]
    for resp in refused:
        assert resp.status_code == 403, (resp.request.url, resp.text)
        assert resp.json()["code"] == "kids_profile"


def test_a_locked_profile_needs_its_pin(stack: AppContext, client: TestClient) -> None:
    h = _viewer(client)
    parent = client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"]
    wrong_password = client.put(
        f"/api/v1/profiles/{parent}/pin", json={"pin": "2468", "password": "nope"}, headers=h
    )
    assert wrong_password.status_code == 403
    assert wrong_password.json()["code"] == "wrong_password"
    locked = client.put(
        f"/api/v1/profiles/{parent}/pin",
        json={"pin": "2468", "password": "correct horse"},
        headers=h,
    )
    assert locked.status_code == 200 and locked.json()["has_pin"] is True
    for bad in ("12", "abcd", "1234567"):
        resp = client.put(
            f"/api/v1/profiles/{parent}/pin",
            json={"pin": bad, "password": "correct horse"},
            headers=h,
        )
        assert resp.status_code == 422, bad
    _kids_session(client, h)
    # The attack: from the kids profile, switch back to the parent's.
    no_pin = client.post(f"/api/v1/profiles/{parent}/select", headers=h)
    assert no_pin.status_code == 403 and no_pin.json()["code"] == "pin_required"
    wrong = client.post(f"/api/v1/profiles/{parent}/select", json={"pin": "1111"}, headers=h)
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_pin"
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["is_kids"] is True
    right = client.post(f"/api/v1/profiles/{parent}/select", json={"pin": "2468"}, headers=h)
    assert right.status_code == 200, right.text
    assert client.get("/api/v1/auth/me", headers=h).json()["profile"]["id"] == parent
    listed = client.get("/api/v1/profiles", headers=h).json()
    assert [p["has_pin"] for p in listed] == [True, False]
    # Guessing is bounded per profile.
    _kids_back = next(p["id"] for p in listed if not p["has_pin"])
    assert client.post(f"/api/v1/profiles/{_kids_back}/select", headers=h).is_success
    codes = [
        client.post(
            f"/api/v1/profiles/{parent}/select", json={"pin": f"{n:04d}"}, headers=h
        ).status_code
        for n in range(12)
    ]
    assert codes[-1] == 429


# --- 9, 10, 15, 17. the stream route's edges ---------------------------------------


def test_a_non_ascii_token_is_refused_not_a_crash(client: TestClient) -> None:
    resp = client.get("/api/v1/stream/%E2%82%AC.%E2%82%AC/x.m4s")
    assert resp.status_code == 403
    assert resp.headers["access-control-allow-origin"] == "*"


def test_a_missing_file_names_no_server_path(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    play = _play(client, _viewer(client), video_id)
    missing = client.get(f"{_base(play)}/480p/seg_09999.m4s")
    assert missing.status_code == 404
    assert str(stack.settings.data_dir) not in missing.text
    assert missing.json()["detail"] == "no file '480p/seg_09999.m4s'"
    assert missing.headers["access-control-allow-origin"] == "*"


def test_stream_errors_carry_cors_headers(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    play = _play(client, _viewer(client, "free"), video_id)
    origin = {"Origin": "https://receiver.example"}
    above = client.get(f"{_base(play)}/1080p/seg_00001.m4s", headers=origin)
    assert above.status_code == 403
    assert above.headers["access-control-allow-origin"] == "*"
    with stack.sessions() as s:
        video = s.get(Video, video_id)
        assert video is not None
        video.generation += 1
        s.commit()
    gone = client.get(f"{_base(play)}/480p/seg_00001.m4s", headers=origin)
    assert gone.status_code == 410
    assert gone.headers["access-control-allow-origin"] == "*"


def test_case_folded_paths_get_the_same_checks(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    play = _play(client, _viewer(client, "free"), video_id)
    base = _base(play)
    master = client.get(f"{base}/MASTER.M3U8")
    if master.status_code == 200:  # a case-insensitive filesystem serves it: filtered
        assert "1080p" not in master.text and "720p" not in master.text
    else:
        assert master.status_code == 404
    for path in ("720P/SEG_00001.M4S", "1080p/Playlist.m3u8", "720p/INIT.MP4"):
        assert client.get(f"{base}/{path}").status_code in (403, 404), path
    assert client.get(f"{base}/720P/SEG_00001.M4S").status_code == 403
    for private in ("KINEMA.JSON", "Records.Json", "CHUNKS/0.json"):
        assert client.get(f"{base}/{private}").status_code == 404, private


# --- 11. deleting a video keeps an upload another video uses ------------------------


def test_deleting_one_video_keeps_a_shared_upload(stack: AppContext, client: TestClient) -> None:
    h = bearer(admin_token(stack, client))
    with stack.sessions() as s:
        upload_id = make_completed_upload(s, stack.store, data=b"\x00" * 4096)
        s.commit()
    first = client.post(
        "/api/v1/admin/videos", json={"title": "One", "upload_id": str(upload_id)}, headers=h
    ).json()
    second = client.post(
        "/api/v1/admin/videos", json={"title": "Two", "upload_id": str(upload_id)}, headers=h
    ).json()
    key = f"raw/{upload_id.hex}/movie.mp4"
    assert client.delete(f"/api/v1/admin/videos/{first['id']}", headers=h).is_success
    assert stack.store.exists(key)
    assert client.delete(f"/api/v1/admin/videos/{second['id']}", headers=h).is_success
    assert not stack.store.exists(key)


# --- 12. the Host header never reaches playback URLs -------------------------------


def test_playback_urls_ignore_the_host_header(stack: AppContext, client: TestClient) -> None:
    video_id = _video(stack)
    h = {**_viewer(client), "Host": "evil.example"}
    play = _play(client, h, video_id)
    for key in ("hls_url", "dash_url", "thumbnails_url"):
        assert str(play[key]).startswith("/api/v1/stream/"), play[key]
        assert "evil.example" not in str(play[key])


def test_playback_urls_use_the_public_url(tmp_path: Path) -> None:
    ctx = build_api_context(tmp_path / "data", public_url="https://tv.example.com")
    try:
        video_id = _video(ctx)
        with TestClient(create_app(context=ctx, web_dist=None)) as client:
            h = {**_viewer(client), "Host": "evil.example"}
            play = _play(client, h, video_id)
        assert str(play["hls_url"]).startswith("https://tv.example.com/api/v1/stream/")
    finally:
        ctx.close()


# --- 13. a refused title is not named ------------------------------------------------


def test_a_refused_title_detail_does_not_name_the_title(
    stack: AppContext, client: TestClient
) -> None:
    with stack.sessions() as s:
        title: Title = make_title(s, name="Secret Grown-up Film", maturity=Maturity.ADULT)
        s.commit()
        title_id = title.id
    h = _kids_session(client, _viewer(client))
    resp = client.get(f"/api/v1/titles/{title_id}", headers=h)
    assert resp.status_code == 403
    assert "Secret Grown-up Film" not in resp.text


# --- 14. security headers ----------------------------------------------------------------


def test_security_headers(stack: AppContext, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Kinema</title>")
    with TestClient(create_app(context=stack, web_dist=dist)) as client:
        page = client.get("/browse")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert re.search(r"script-src 'self'( https://www\.gstatic\.com)?;", csp)
        assert "object-src 'none'" in csp
        for resp in (page, client.get("/api/v1/health"), client.get("/api/v1/titles")):
            assert resp.headers["x-content-type-options"] == "nosniff"
            assert resp.headers["referrer-policy"] == "same-origin"
            assert resp.headers["x-frame-options"] == "DENY"
        docs = client.get("/api/docs")
        assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"
