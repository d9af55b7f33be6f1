"""`kinema doctor` measures the machine and exits 0 only when the embedded default can run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinema import doctor
from kinema.cli import _load_commands, app
from kinema.settings import Settings


def test_embedded_settings_pass_and_report_libx264(tmp_path: Path) -> None:
    checks = doctor.run_checks(Settings(data_dir=tmp_path))
    by_name = {c.name: c for c in checks}
    assert by_name["libx264"].state is doctor.State.OK
    assert by_name["database"].state is doctor.State.OK
    assert by_name["kubernetes"].state is doctor.State.NOT_CONFIGURED
    assert doctor.embedded_ready(checks)


def test_unreachable_services_fail_their_row_not_the_command(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        redis_url="redis://127.0.0.1:1/0",
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",
    )
    rows = {c.name: c for c in (doctor.check_redis(settings), doctor.check_database(settings))}
    assert rows["redis"].state is doctor.State.FAILED
    assert rows["database"].state is doctor.State.FAILED
    assert "Connection refused" in rows["redis"].detail or "Error" in rows["redis"].detail


@pytest.mark.parametrize("ready", [True, False])
def test_exit_status_follows_required_rows(ready: bool) -> None:
    state = doctor.State.OK if ready else doctor.State.FAILED
    checks = [
        doctor.Check("tools", "ffmpeg", state, "", required=True),
        doctor.Check("services", "redis", doctor.State.FAILED, "", required=False),
    ]
    assert doctor.embedded_ready(checks) is ready


def test_cli_prints_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINEMA_DATA_DIR", str(tmp_path))
    _load_commands()
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "libx264" in result.output
    assert "embedded default" in result.output
