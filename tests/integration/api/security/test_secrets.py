"""Secrets no install shares or prints: the playback signing secret (finding 1) and
the first admin's password (finding 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kinema.catalog.models import Role
from kinema.catalog.services import accounts
from kinema.cli import _load_commands, app
from kinema.errors import ConfigError
from kinema.settings import SECRET_FILE
from kinema_api.accounts.services.auth import ensure_admin
from kinema_api.context import AppContext
from kinema_api.keys import derive_key
from kinema_api.serve import bootstrap_admin
from kinema_api.viewing.services.signing import PlaybackGrant, sign
from tests.integration.api.security.viewing import playable_video
from tests.utils.factories import bearer, build_api_context, wait_for
from tests.utils.ports import free_port

pytestmark = [pytest.mark.integration]
KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]


# --- 1. no built-in secret signs anything ---------------------------------------------


def test_a_token_signed_with_the_old_builtin_secret_is_refused(
    stack: AppContext, client: TestClient
) -> None:
    video_id = playable_video(stack)
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
            [*KINEMA, "up", "--no-demo", "--port", str(port), "--data-dir", str(data)],
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


# --- 5. KINEMA_ADMIN_EMAIL never promotes a viewer ------------------------------------


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
