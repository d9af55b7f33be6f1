"""The ads routers (admin creatives, the decision with its media and pixels), gathered
into one router the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from kinema_api.ads.routes import admin, decision

router = APIRouter()
for _module in (admin, decision):
    router.include_router(_module.router)
