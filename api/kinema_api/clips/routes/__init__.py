"""The clips API (``/api/v1/clips``) and the ``/clip/<id>`` page with its card tags."""

from fastapi import APIRouter

from kinema_api.clips.routes import clips

router = APIRouter()
router.include_router(clips.router)
