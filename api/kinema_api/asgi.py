"""Small pieces for the ASGI middleware that answers some requests before routing
(:mod:`kinema_api.catalog.fastpath`, :mod:`kinema_api.viewing.fastpath`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import Send


@dataclass(frozen=True)
class MatchedRoute:
    """Put in ``scope["route"]`` by a fast path: what the request metrics read of a
    matched route (its path template), so its answers are counted under the route."""

    path: str


async def send_json(
    send: Send, body: bytes, headers: Sequence[tuple[bytes, bytes]] = (), status: int = 200
) -> None:
    """Answer with a JSON body (and these extra headers)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
