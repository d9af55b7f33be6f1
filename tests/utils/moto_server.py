"""moto as a real HTTP server: the CloudFront API for operator tests.

CloudFront cannot run here, so tests talk to moto's emulation of its API over HTTP,
exactly as the operator talks to AWS (boto3, signed requests, XML), with the endpoint
URL as the only difference. The server runs in a thread of the test process
(``ThreadedMotoServer``); :meth:`MotoServer.reset` empties every emulated account
between tests, and :meth:`MotoServer.set_transition` makes distributions stay
``InProgress`` for a few reads, as real deployments do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from tests.utils.ports import free_port

ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # moto accepts any credentials; these are never real


@dataclass
class MotoServer:
    server: Any
    url: str

    def reset(self) -> None:
        httpx.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def set_transition(self, model: str, transition: dict[str, Any]) -> None:
        """e.g. ``("cloudfront::distribution", {"progression": "manual", "times": 3})``."""
        httpx.post(
            f"{self.url}/moto-api/state-manager/set-transition",
            json={"model_name": model, "transition": transition},
            timeout=10,
        ).raise_for_status()

    def unset_transition(self, model: str) -> None:
        httpx.post(
            f"{self.url}/moto-api/state-manager/unset-transition",
            json={"model_name": model},
            timeout=10,
        ).raise_for_status()

    def cloudfront(self) -> Any:
        """A boto3 CloudFront client of this server (what the tests read moto with)."""
        import boto3

        return boto3.client(
            "cloudfront",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def stop(self) -> None:
        self.server.stop()


def start_moto() -> MotoServer:
    from moto.server import ThreadedMotoServer

    # One access-log line per request would bury the test's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return MotoServer(server, f"http://127.0.0.1:{port}")
