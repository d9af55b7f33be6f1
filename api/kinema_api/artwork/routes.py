"""Artwork A/B tests (docs/artwork.md): impressions from the web app, and the admin's
tests (start, statistics, end). The variant itself is served by ``GET
/titles/{id}/poster``; takes are counted when playback starts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import Response

from kinema.catalog.models import ArtworkTestState
from kinema.storage import guess_content_type
from kinema_api.artwork.schemas import (
    ArtworkTestPublic,
    ArtworkUploadIn,
    ArtworkUploadPublic,
    EndTest,
    ImpressionBatch,
    ImpressionsCounted,
    StartTest,
)
from kinema_api.artwork.services import assign, tests, uploads
from kinema_api.common import ERRORS, Message
from kinema_api.deps import (
    AdminViewer,
    ContextDep,
    CurrentViewer,
    ReadSessionDep,
    SessionDep,
    WriteRateLimit,
    rate_limit,
)

router = APIRouter(tags=["artwork"], responses=ERRORS)

# A page of rows sends a batch or two a minute; this leaves room for fast scrolling.
IMPRESSIONS_PER_MIN = 60


def impressions_rate_limit(request: Request, ctx: ContextDep, viewer: CurrentViewer) -> None:
    rate_limit(ctx, f"rl:artwork:{viewer.profile.id.hex}", IMPRESSIONS_PER_MIN)


@router.post(
    "/artwork/impressions",
    summary="Title cards this profile saw (counted once per title a day)",
    dependencies=[Depends(impressions_rate_limit)],
)
def impressions(
    body: ImpressionBatch, viewer: CurrentViewer, session: SessionDep
) -> ImpressionsCounted:
    counted = assign.record_impressions(session, viewer=viewer, title_ids=body.title_ids)
    return ImpressionsCounted(counted=counted)


@router.get("/admin/artwork/tests", summary="Artwork tests, newest first")
def list_tests(
    _admin: AdminViewer,
    session: SessionDep,
    state: Annotated[ArtworkTestState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ArtworkTestPublic]:
    return tests.listing(session, state=state, limit=limit)


@router.post(
    "/admin/artwork/tests",
    status_code=status.HTTP_201_CREATED,
    summary="Start an artwork test on a title (its poster candidates are the variants)",
    dependencies=[WriteRateLimit],
)
def start_test(
    body: StartTest, admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> ArtworkTestPublic:
    return tests.start(ctx, session, title_id=body.title_id, user_id=admin.user.id)


@router.get("/admin/artwork/tests/{test_id}", summary="One test's take rates per variant")
def get_test(test_id: uuid.UUID, _admin: AdminViewer, session: SessionDep) -> ArtworkTestPublic:
    return tests.get(session, test_id=test_id)


@router.post(
    "/admin/artwork/tests/{test_id}/end",
    summary="End a test: the winner becomes the title's poster",
    dependencies=[WriteRateLimit],
)
def end_test(
    test_id: uuid.UUID, _admin: AdminViewer, session: SessionDep, body: EndTest | None = None
) -> ArtworkTestPublic:
    winner = body.winner_id if body is not None else None
    return tests.end(session, test_id=test_id, winner_id=winner)


@router.get(
    "/admin/artwork/variants/{variant_id}/image",
    summary="A variant's image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def variant_image(
    variant_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> Response:
    data = tests.variant_image(ctx, session, variant_id=variant_id)
    return Response(
        data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"}
    )


def _uploaded(title_id: uuid.UUID, name: str) -> ArtworkUploadPublic:
    return ArtworkUploadPublic(
        name=name, image_url=f"/api/v1/admin/titles/{title_id}/artwork/{name}"
    )


@router.get(
    "/admin/titles/{title_id}/artwork",
    summary="The images admins uploaded for a title (variants of its next test)",
)
def list_uploads(
    title_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep
) -> list[ArtworkUploadPublic]:
    keys = uploads.listed(ctx.store, title_id)
    return [_uploaded(title_id, key.rsplit("/", 1)[-1]) for key in keys]


@router.post(
    "/admin/titles/{title_id}/artwork",
    status_code=status.HTTP_201_CREATED,
    summary="Add a completed upload (JPEG or PNG) as one of the title's artwork images",
    dependencies=[WriteRateLimit],
)
def add_upload(
    title_id: uuid.UUID,
    body: ArtworkUploadIn,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
) -> ArtworkUploadPublic:
    name = uploads.add(session, ctx.store, title_id=title_id, upload_id=body.upload_id)
    return _uploaded(title_id, name)


@router.get(
    "/admin/titles/{title_id}/artwork/{name}",
    summary="An uploaded image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
def upload_image(title_id: uuid.UUID, name: str, _admin: AdminViewer, ctx: ContextDep) -> Response:
    data = uploads.image(ctx.store, title_id=title_id, name=name)
    return Response(
        data,
        media_type=guess_content_type(name),
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.delete(
    "/admin/titles/{title_id}/artwork/{name}",
    summary="Delete an uploaded image (not while a running test shows it)",
    dependencies=[WriteRateLimit],
)
def delete_upload(
    title_id: uuid.UUID, name: str, _admin: AdminViewer, ctx: ContextDep, session: ReadSessionDep
) -> Message:
    uploads.remove(session, ctx.store, title_id=title_id, name=name)
    return Message(message=f"artwork {name} deleted")
