"""Personal home rows and "More like this". Both only read stored lists."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kinema_api.common import ERRORS
from kinema_api.deps import CurrentViewer, OptionalViewer, ReadSessionDep
from kinema_api.discovery.schemas import DiscoveryRows, SimilarTitles
from kinema_api.discovery.services import rows

router = APIRouter(tags=["discovery"], responses=ERRORS)

OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"HTTPBearer": []}, {"APIKeyCookie": []}]}


@router.get("/discovery/home", summary="Top picks and Because you watched, for this profile")
def home_rows(
    viewer: CurrentViewer,
    session: ReadSessionDep,
    lang: Annotated[
        Literal["en", "es"],
        Query(description="The language of the top picks' notes (written with a Claude key)"),
    ] = "en",
) -> DiscoveryRows:
    return rows.home_rows(session, viewer=viewer, language=lang)


@router.get(
    "/titles/{title_id}/similar",
    summary="More like this: similar titles, each with the reason",
    openapi_extra=OPTIONAL_AUTH,
)
def similar(title_id: uuid.UUID, viewer: OptionalViewer, session: ReadSessionDep) -> SimilarTitles:
    return rows.more_like_this(session, viewer=viewer, title_id=title_id)
