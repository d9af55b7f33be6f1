"""The social routers (comments, reports and the moderation queue for admins, reactions
on a video, reviews and ratings), gathered into one router the app includes."""

from __future__ import annotations

from fastapi import APIRouter

from kinema_api.social.routes import comments, moderation, reactions, reports, reviews

router = APIRouter()
for _module in (comments, reports, moderation, reactions, reviews):
    router.include_router(_module.router)
