"""Liveness and readiness.

``/health`` must answer while the API is busy: probes that time out restart a pod that
is only loaded. So it runs on the event loop, not in the thread pool that page views
share (a pool full of slow requests would queue it), and pings the database in a
read-only transaction (on SQLite it never waits for the writer) on a thread of its own,
giving up after a few seconds with a 503 rather than hanging the probe.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import Engine, text

from kinema import __version__
from kinema.catalog.db import engine_variant
from kinema_api.context import AppContext
from kinema_api.errors import Unavailable

router = APIRouter(tags=["health"])

DATABASE_TIMEOUT_S = 3.0


class Health(BaseModel):
    status: str
    version: str
    database: str
    storage: str
    cache: str


def _ping(engine: Engine) -> None:
    with engine_variant(engine, readonly=True).connect() as conn:
        conn.execute(text("select 1"))


@router.get("/health", summary="Liveness and the backends this API uses")
async def health(request: Request) -> Health:
    # Read directly, not through ContextDep: a sync dependency would take a pool thread.
    ctx: AppContext = request.app.state.ctx
    try:
        # asyncio's own executor, not the pool sync routes run in.
        await asyncio.wait_for(asyncio.to_thread(_ping, ctx.engine), DATABASE_TIMEOUT_S)
    except TimeoutError:
        raise Unavailable(
            f"the catalog database did not answer within {DATABASE_TIMEOUT_S:.0f} s"
        ) from None
    return Health(
        status="ok",
        version=__version__,
        database=ctx.engine.dialect.name,
        storage=type(ctx.store).__name__,
        cache=type(ctx.cache).__name__,
    )
