"""The clips API (``/api/v1/clips``, the admins' ``/api/v1/moderation/clips``) and the
``/clip/<id>`` page with its card tags."""

from fastapi import APIRouter

from kinema_api.clips.routes import clips, moderation

router = APIRouter()
router.include_router(clips.router)
router.include_router(moderation.router)
