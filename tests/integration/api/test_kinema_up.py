"""``kinema up`` as a newcomer runs it: a real process on a fresh data directory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kinema.catalog import migrate
from kinema.cli import _load_commands, app
from kinema_api.worker.ingest import make_clip
from tests.utils.factories import wait_for
from tests.utils.ports import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]


def _start(data_dir: Path, port: int, *args: str) -> tuple[subprocess.Popen[str], Path]:
    log = data_dir.parent / f"up-{port}.log"
    env = {**os.environ, "KINEMA_WORKERS": "1"}
    env.pop("KINEMA_ADMIN_PASSWORD", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*KINEMA, "up", "--port", str(port), "--data-dir", str(data_dir), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    return proc, log


def _stop(proc: subprocess.Popen[str]) -> int:
    """Ctrl-C, as a user stops it; 130 (128 + SIGINT) is the conventional clean status."""
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_kinema_up_from_scratch_then_restart(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "holiday.mp4", seconds=3, size="426x240")
    data = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc, log = _start(data, port, "--ingest", str(clip))
    try:
        assert wait_for(lambda: _healthy(base), timeout_s=60, interval_s=0.2), log.read_text()
        text = log.read_text()
        found = re.search(r"admin account (\S+) / password (\S+)", text)
        assert found, text
        assert "web app is not built" in text or "web app at" in text
        email, password = found.groups()
        token = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": password}
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}

        def ready() -> list[dict[str, object]] | None:
            videos = httpx.get(f"{base}/api/v1/admin/videos", headers=h).json()
            return videos if videos and all(v["status"] == "ready" for v in videos) else None

        videos = wait_for(ready, timeout_s=180, interval_s=0.5)
        assert videos, httpx.get(f"{base}/api/v1/admin/videos", headers=h).text
        assert [v["title"] for v in videos] == ["Holiday"]
        play = httpx.get(f"{base}/api/v1/playback/{videos[0]['id']}", headers=h).json()
        assert httpx.get(f"{base}{play['hls_url']}").text.startswith("#EXTM3U")
    finally:
        assert _stop(proc) in (0, 130), log.read_text()[-2000:]

    # A second start finds everything in place: same admin, nothing ingested twice.
    proc, log = _start(data, port, "--ingest", str(clip))
    try:
        assert wait_for(lambda: _healthy(base), timeout_s=60, interval_s=0.2), log.read_text()
        text = log.read_text()
        assert f"admin account {email} / password {password}" in text
        assert "already in the catalog" in text
        token = httpx.post(
            f"{base}/api/v1/auth/login", json={"email": email, "password": password}
        ).json()["access_token"]
        videos = httpx.get(
            f"{base}/api/v1/admin/videos", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert len(videos) == 1 and videos[0]["status"] == "ready"
    finally:
        assert _stop(proc) in (0, 130), log.read_text()[-2000:]


def test_kinema_migrate_on_postgres(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINEMA_DATABASE_URL", pg_url)
    _load_commands()
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "catalog migrated" in result.output
    assert migrate.is_up_to_date(pg_url)
    # Running it again is harmless.
    assert CliRunner().invoke(app, ["migrate"]).exit_code == 0
