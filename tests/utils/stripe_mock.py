"""stripe-mock: Stripe's own API simulator, answering from its OpenAPI spec and fixtures.

It validates requests against the real Stripe API definition and returns canned
objects; it keeps no state between calls. Billing tests point the Stripe SDK at ``url``
with any ``sk_test_...`` key, and sign webhooks themselves with a real secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.utils import binaries
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess

API_KEY = "sk_test_kinema"


def stripe_mock_command(stripe_mock: Path, port: int) -> list[str]:
    # Without -https-addr it also binds HTTPS on :12112, which a second stripe-mock on
    # the machine (another test run) already holds: let the system choose that port.
    return [str(stripe_mock), "-http-addr", f"127.0.0.1:{port}", "-https-addr", "127.0.0.1:"]


@dataclass
class StripeMock:
    process: ServiceProcess
    url: str
    api_key: str = API_KEY

    def stop(self) -> None:
        self.process.stop()


def _lists_customers(url: str) -> bool:
    response = httpx.get(
        f"{url}/v1/customers", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=2
    )
    return response.status_code == 200


def start_stripe_mock(work_dir: Path, *, timeout: float = 30) -> StripeMock:
    executable = binaries.go_binary("stripe-mock")
    port = free_port()
    process = ServiceProcess(
        name="stripe-mock",
        argv=stripe_mock_command(executable, port),
        log_path=work_dir / "stripe-mock.log",
    )
    url = f"http://127.0.0.1:{port}"
    process.start()
    process.wait_ready(lambda: _lists_customers(url), timeout=timeout)
    return StripeMock(process, url)
