"""``/clip/<id>``: the web app's shell with the clip's OpenGraph/Twitter card (see
``clips.services.card``); the web app itself draws the page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kinema_api.clips.services import card
from kinema_api.deps import ContextDep, OptionalViewer, ReadSessionDep


def page_router(index: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/clip/{clip_id}", response_class=HTMLResponse)
    def clip_page(
        clip_id: str,
        request: Request,
        viewer: OptionalViewer,
        ctx: ContextDep,
        session: ReadSessionDep,
    ) -> HTMLResponse:
        # Card URLs are absolute: the configured public URL, else this request's.
        base_url = ctx.settings.public_url or str(request.base_url)
        body = card.page(session, viewer=viewer, clip_id=clip_id, index=index, base_url=base_url)
        # The shell names the current hashed assets: always revalidate it.
        return HTMLResponse(body, headers={"Cache-Control": "no-cache"})

    return router
