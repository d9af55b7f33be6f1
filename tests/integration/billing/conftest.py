"""Billing on real services: PostgreSQL, Redis, and stripe-mock (Stripe's own API
simulator) behind a recording proxy, so a test can read what the API asked Stripe.

stripe-mock keeps no state and sends no webhooks: tests sign events themselves
(``tests.utils.stripe_events``) and post them to the API. ``stripe_remembering`` adds a
memory of the Products and Prices made through the proxy (``tests.utils.stripe_memory``),
for tests that start twice and must see the first start's objects again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import update

from kinema.catalog.models import Plan
from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import build_api_context, live_server
from tests.utils.stripe_events import WEBHOOK_SECRET
from tests.utils.stripe_memory import StripeMemory

if TYPE_CHECKING:
    from tests.utils.stripe_mock import StripeMock

PUBLIC_URL = "https://tv.example.com"
PRICES = {"basic": "price_basic_test", "premium": "price_premium_test"}  # family: not synced


@dataclass(frozen=True)
class StripeCall:
    method: str
    path: str
    params: dict[str, str]  # form fields (Stripe's ``a[b][0]`` keys) or the query
    idempotency_key: str | None


@dataclass
class StripeRecorder:
    url: str
    calls: list[StripeCall] = field(default_factory=list)

    def to(self, method: str, path: str) -> list[StripeCall]:
        return [c for c in self.calls if c.method == method and c.path == path]


def stripe_proxy(
    target: str, calls: list[StripeCall], memory: StripeMemory | None = None
) -> FastAPI:
    app = FastAPI()
    forwarded = ("authorization", "content-type", "idempotency-key", "stripe-version")

    @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
    async def forward(path: str, request: Request) -> Response:
        body = await request.body()
        fields = parse_qsl(body.decode() or request.url.query, keep_blank_values=True)
        calls.append(
            StripeCall(
                request.method, f"/{path}", dict(fields), request.headers.get("idempotency-key")
            )
        )
        headers = {k: v for k, v in request.headers.items() if k.lower() in forwarded}
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.request(
                request.method,
                f"{target}/{path}",
                params=request.query_params,
                content=body,
                headers=headers,
            )
        content = answer.content
        if memory is not None:
            body = memory.answer(
                request.method, f"/{path}", dict(fields), answer.status_code, answer.json()
            )
            content = json.dumps(body).encode()
        return Response(content, answer.status_code, media_type="application/json")

    return app


@pytest.fixture
def stripe_calls(stripe_mock: StripeMock) -> Iterator[StripeRecorder]:
    """stripe-mock behind a proxy that records each request the API makes."""
    calls: list[StripeCall] = []
    with live_server(stripe_proxy(stripe_mock.url, calls)) as url:
        yield StripeRecorder(url, calls)


@pytest.fixture
def stripe_remembering(stripe_mock: StripeMock) -> Iterator[StripeRecorder]:
    """As ``stripe_calls``, and the Products and Prices made through it are remembered."""
    calls: list[StripeCall] = []
    with live_server(stripe_proxy(stripe_mock.url, calls, StripeMemory())) as url:
        yield StripeRecorder(url, calls)


def billing_context(
    data_dir: Path,
    *,
    database_url: str | None,
    redis_url: str | None,
    stripe_base: str,
    api_key: str,
) -> AppContext:
    ctx = build_api_context(
        data_dir,
        database_url=database_url,
        redis_url=redis_url,
        stripe_api_key=api_key,
        stripe_api_base=stripe_base,
        stripe_webhook_secret=WEBHOOK_SECRET,
        public_url=PUBLIC_URL,
    )
    with ctx.sessions() as s:  # what the operator's Stripe sync leaves in the catalog
        for slug, price in PRICES.items():
            s.execute(update(Plan).where(Plan.slug == slug).values(stripe_price_id=price))
        s.commit()
    return ctx


@pytest.fixture(params=["postgres", "sqlite"])
def billing_ctx(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    stripe_mock: StripeMock,
    stripe_calls: StripeRecorder,
) -> Iterator[AppContext]:
    """Billing on: PostgreSQL + Redis as a cluster runs it, and the embedded SQLite."""
    pg = request.param == "postgres"
    ctx = billing_context(
        tmp_path / "data",
        database_url=request.getfixturevalue("pg_url") if pg else None,
        redis_url=request.getfixturevalue("redis_url") if pg else None,
        stripe_base=stripe_calls.url,
        api_key=stripe_mock.api_key,
    )
    yield ctx
    ctx.close()


@pytest.fixture
def pg_billing_ctx(
    tmp_path: Path,
    pg_url: str,
    redis_url: str,
    stripe_mock: StripeMock,
    stripe_calls: StripeRecorder,
) -> Iterator[AppContext]:
    ctx = billing_context(
        tmp_path / "data",
        database_url=pg_url,
        redis_url=redis_url,
        stripe_base=stripe_calls.url,
        api_key=stripe_mock.api_key,
    )
    yield ctx
    ctx.close()


@pytest.fixture
def client(billing_ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=billing_ctx, web_dist=None)) as c:
        yield c


@pytest.fixture
def pg_client(pg_billing_ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context=pg_billing_ctx, web_dist=None)) as c:
        yield c
