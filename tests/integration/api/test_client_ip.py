"""Whose address a rate limit counts: the client's, and only proxies we trust may say so.

The attack: login attempts from one machine, each with a new ``X-Forwarded-For``. When
any peer's header is believed (uvicorn's ``proxy_headers`` trusts loopback), every
attempt lands in a fresh bucket and the limit never bites. The opposite failure: behind
an ingress every client has the ingress's address, so one user's attempts exhaust
everyone's bucket. Tests run ``kinema api`` and ``kinema up`` as real processes, on
SQLite with the in-process cache and on PostgreSQL with Redis.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kinema_api.deps import forwarded_client
from tests.utils import helm
from tests.utils.errors import BinaryNotFound
from tests.utils.factories import build_api_context, wait_for
from tests.utils.ports import free_port

KINEMA = [sys.executable, "-c", "from kinema.cli import main; main()"]
LIMIT = 5


# --- the rule, case by case ----------------------------------------------------------

PROXIES = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # An untrusted peer is the client, whatever it claims.
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        ("203.0.113.7", [], "203.0.113.7"),
        # A trusted proxy's right-most entry is the client...
        ("10.1.2.3", ["198.51.100.1"], "198.51.100.1"),
        # ...and what the client wrote left of it proves nothing.
        ("10.1.2.3", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        # Chains of trusted proxies are walked, over several header lines too.
        ("127.0.0.1", ["198.51.100.1, 10.9.9.9", "10.0.0.5"], "198.51.100.1"),
        # Nothing but proxies: the last hop is the best anyone knows.
        ("10.1.2.3", ["10.0.0.8"], "10.0.0.8"),
        ("10.1.2.3", [], "10.1.2.3"),
        # Garbage ends the walk at the last trusted hop.
        ("10.1.2.3", ["198.51.100.1, not-an-ip"], "10.1.2.3"),
        ("10.1.2.3", ["198.51.100.1, 10.0.0.9, unknown"], "10.1.2.3"),
        # IPv6, and IPv4 seen through an IPv4-mapped IPv6 socket.
        ("::ffff:10.1.2.3", ["2001:db8::1"], "2001:db8::1"),
        ("::1", ["198.51.100.1"], "::1"),
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_forwarded_client(peer: str, forwarded: list[str], client: str) -> None:
    assert forwarded_client(peer, forwarded, PROXIES) == client


# --- the real servers ----------------------------------------------------------------


def _serve(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    with log.open("w") as out:
        return subprocess.Popen(
            [*KINEMA, *argv], stdout=out, stderr=subprocess.STDOUT, text=True, env=env
        )


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(params=["api-sqlite", "api-postgres-redis", "up"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Starts a server with the given trusted proxies; yields a function doing so."""
    procs: list[subprocess.Popen[str]] = []
    data = tmp_path / "data"
    extra: dict[str, str] = {}
    if request.param == "api-postgres-redis":
        extra = {
            "KINEMA_DATABASE_URL": request.getfixturevalue("pg_url"),
            "KINEMA_REDIS_URL": request.getfixturevalue("redis_url"),
        }
    # Migrated, with the data directory's signing secret, as `kinema up` leaves it.
    build_api_context(
        data,
        database_url=extra.get("KINEMA_DATABASE_URL"),
        redis_url=extra.get("KINEMA_REDIS_URL"),
    ).close()

    def start(trusted: str) -> str:
        port = free_port()
        env = {
            **os.environ,
            **extra,
            "KINEMA_DATA_DIR": str(data),
            "KINEMA_AUTH_RATE_LIMIT_PER_MIN": str(LIMIT),
            "KINEMA_TRUSTED_PROXIES": trusted,
            "KINEMA_WORKERS": "1",
        }
        if request.param == "up":
            argv = ["up", "--port", str(port), "--data-dir", str(data), "--no-demo"]
        else:
            argv = ["api", "--port", str(port), "--host", "127.0.0.1"]
        log = tmp_path / f"server-{port}.log"
        procs.append(_serve(argv, env, log))
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: _healthy(base), timeout_s=60, interval_s=0.2), log.read_text()
        return base

    try:
        yield start
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _login_statuses(base: str, forwarded_for: list[str]) -> list[int]:
    """One failed login per entry, each sent with that X-Forwarded-For, all in one of the
    limiter's one-minute windows."""
    while time.time() % 60 > 50:
        time.sleep(0.5)
    with httpx.Client(base_url=base, timeout=30) as client:
        return [
            client.post(
                "/api/v1/auth/login",
                json={"email": "nobody@example.com", "password": "wrong password"},
                headers={"X-Forwarded-For": xff},
            ).status_code
            for xff in forwarded_for
        ]


def _rotating(n: int) -> list[str]:
    return [f"198.51.100.{i + 1}" for i in range(n)]


@pytest.mark.integration
def test_a_rotating_forwarded_for_from_an_untrusted_peer_is_one_client(
    server: Callable[[str], str],
) -> None:
    base = server("")
    statuses = _login_statuses(base, _rotating(LIMIT + 2))
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT:] == [429, 429], statuses


@pytest.mark.integration
def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(
    server: Callable[[str], str],
) -> None:
    base = server("127.0.0.1, 10.0.0.0/8")
    # Many clients behind the proxy: none is limited by the others' attempts.
    assert _login_statuses(base, _rotating(LIMIT + 2)) == [401] * (LIMIT + 2)
    # One client is limited, however it varies what it writes left of the proxy's entry.
    client = f"203.0.113.{uuid.uuid4().int % 200 + 1}"
    spoofed = [f"192.0.2.{i + 1}, {client}, 10.0.0.7" for i in range(LIMIT + 2)]
    statuses = _login_statuses(base, spoofed)
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT:] == [429, 429], statuses


# --- the chart ----------------------------------------------------------------------


def _api_env(**set_values: str) -> dict[str, Any]:
    try:
        objects = helm.render(set_values=set_values)
    except BinaryNotFound as exc:
        pytest.skip(str(exc))
    deployment = helm.find(objects, "Deployment", "-api")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_the_chart_trusts_no_proxy_without_an_ingress() -> None:
    assert "KINEMA_TRUSTED_PROXIES" not in _api_env()


def test_the_chart_trusts_the_pod_networks_behind_its_ingress() -> None:
    env = _api_env(**{"api.ingress.enabled": "true"})
    assert env["KINEMA_TRUSTED_PROXIES"] == "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"


def test_the_chart_passes_configured_proxies() -> None:
    env = _api_env(
        **{
            "api.ingress.enabled": "true",
            "api.trustedProxies[0]": "10.42.0.0/16",
            "api.trustedProxies[1]": "192.0.2.10",
        }
    )
    assert env["KINEMA_TRUSTED_PROXIES"] == "10.42.0.0/16,192.0.2.10"


def test_the_chart_refuses_a_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("api:\n  trustedProxies: ['ingress-nginx']\n")
    try:
        result = helm.template(values_files=[values])
    except BinaryNotFound as exc:
        pytest.skip(str(exc))
    assert not result.ok
    assert "/api/trustedProxies/0" in result.stderr
