"""The party routers gathered into one the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from kinema_api.party.routes import parties

router = APIRouter()
router.include_router(parties.router)
