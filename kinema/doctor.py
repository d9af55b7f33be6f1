"""``kinema doctor``: a real check of this machine against the configured settings.

Every row is measured, not assumed: tool versions are read from the binaries, encoders
are opened with a one-frame trial encode, services are reached over the network. The
exit status is 0 when the embedded default (``kinema up``) can run here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kinema import ffmpeg, kubeconfig
from kinema.errors import KinemaError
from kinema.settings import Settings

PROBE_TIMEOUT_S = 5.0


class State(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    NOT_CONFIGURED = "not configured"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Check:
    area: str
    name: str
    state: State
    detail: str
    # Needed for the embedded default: a failure here makes the exit status non-zero.
    required: bool = False


def _guard(area: str, name: str, required: bool, probe: Callable[[], str]) -> Check:
    try:
        return Check(area, name, State.OK, probe(), required)
    except Exception as exc:  # every failure becomes a row, never a traceback
        return Check(area, name, State.FAILED, _one_line(exc), required)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def check_tools() -> list[Check]:
    rows = [
        _guard("tools", "ffmpeg", True, lambda: _version_detail(ffmpeg.ffmpeg_path())),
        _guard("tools", "ffprobe", True, lambda: _version_detail(ffmpeg.ffprobe_path())),
    ]
    if rows[0].state is not State.OK:
        return rows
    for encoder in ffmpeg.KNOWN_ENCODERS:
        trial = ffmpeg.trial_encode(encoder)
        rows.append(
            Check(
                "encoder",
                encoder,
                State.OK if trial.available else State.UNAVAILABLE,
                trial.reason,
                required=encoder == "libx264",
            )
        )
    return rows


def _version_detail(binary: Path) -> str:
    return f"{ffmpeg.tool_version(binary)} ({binary})"


def check_data_dir(settings: Settings) -> Check:
    def probe() -> str:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.data_dir):
            pass
        free = os.statvfs(settings.data_dir)
        gib = free.f_bavail * free.f_frsize / 2**30
        return f"{settings.data_dir} writable, {gib:.1f} GiB free"

    return _guard("storage", "data dir", True, probe)


def check_database(settings: Settings) -> Check:
    def probe() -> str:
        from sqlalchemy import create_engine, text

        url = settings.resolved_database_url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args=_connect_timeout(url))
        try:
            with engine.connect() as conn:
                version = conn.execute(
                    text(
                        "select sqlite_version()"
                        if url.startswith("sqlite")
                        else "show server_version"
                    )
                ).scalar_one()
        finally:
            engine.dispose()
        return f"{engine.url.render_as_string(hide_password=True)} (server {version})"

    return _guard("services", "database", True, probe)


def _connect_timeout(url: str) -> dict[str, object]:
    return {} if url.startswith("sqlite") else {"connect_timeout": int(PROBE_TIMEOUT_S)}


def check_redis(settings: Settings) -> Check:
    if settings.redis_url is None:
        return Check("services", "redis", State.NOT_CONFIGURED, "in-process cache (embedded)")

    def probe() -> str:
        import redis

        client = redis.Redis.from_url(settings.redis_url or "", socket_timeout=PROBE_TIMEOUT_S)
        try:
            info = client.info("server")
        finally:
            client.close()
        return f"{settings.redis_url} (redis {info['redis_version']})"

    return _guard("services", "redis", False, probe)


def check_object_store(settings: Settings) -> Check:
    if settings.storage_url is None:
        return Check(
            "services",
            "object store",
            State.NOT_CONFIGURED,
            f"local files under {settings.local_media_dir} (embedded)",
        )

    def probe() -> str:
        from kinema.storage import store_from_settings

        return store_from_settings(settings).probe()

    return _guard("services", "object store", False, probe)


def check_kubernetes(settings: Settings) -> Check:
    if not kubeconfig.configured(settings.kubeconfig):
        return Check("services", "kubernetes", State.NOT_CONFIGURED, "local worker pool (embedded)")

    def probe() -> str:
        from kubernetes import client

        with kubeconfig.load(settings.kubeconfig).client as api_client:
            info = client.VersionApi(api_client).get_code(_request_timeout=PROBE_TIMEOUT_S)
            host = api_client.configuration.host
        return f"{host} (Kubernetes {info.git_version})"

    return _guard("services", "kubernetes", False, probe)


def run_checks(settings: Settings) -> list[Check]:
    return [
        *check_tools(),
        check_data_dir(settings),
        check_database(settings),
        check_redis(settings),
        check_object_store(settings),
        check_kubernetes(settings),
    ]


def render(checks: list[Check], console: Console) -> None:
    table = Table(title="kinema doctor", show_lines=False)
    for column in ("area", "check", "state", "detail"):
        table.add_column(column, overflow="fold")
    style = {
        State.OK: "green",
        State.UNAVAILABLE: "yellow",
        State.NOT_CONFIGURED: "dim",
        State.FAILED: "red",
    }
    for c in checks:
        table.add_row(c.area, c.name, f"[{style[c.state]}]{c.state}[/]", c.detail)
    console.print(table)


def embedded_ready(checks: list[Check]) -> bool:
    return all(c.state is State.OK for c in checks if c.required)


def doctor() -> None:
    """Check tools, encoders and configured services; exit 0 when `kinema up` can run."""
    console = Console()
    try:
        settings = Settings()
    except (KinemaError, ValueError) as exc:
        console.print(f"[red]settings: {exc}[/]")
        raise typer.Exit(2) from exc
    checks = run_checks(settings)
    render(checks, console)
    if embedded_ready(checks):
        console.print("[green]The embedded default (`kinema up`) can run on this machine.[/]")
        return
    missing = ", ".join(c.name for c in checks if c.required and c.state is not State.OK)
    console.print(f"[red]The embedded default cannot run: {missing} failed.[/]")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
