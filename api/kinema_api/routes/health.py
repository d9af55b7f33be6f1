"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from kinema import __version__
from kinema_api.deps import ContextDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    database: str
    storage: str
    cache: str


@router.get("/health", summary="Liveness and the backends this API uses")
def health(ctx: ContextDep) -> Health:
    with ctx.engine.connect() as conn:
        conn.execute(text("select 1"))
    return Health(
        status="ok",
        version=__version__,
        database=ctx.engine.dialect.name,
        storage=type(ctx.store).__name__,
        cache=type(ctx.cache).__name__,
    )
