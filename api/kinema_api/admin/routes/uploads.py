"""Admin uploads: initiate / status / presign parts / complete / abort, and the tus
protocol (1.0.0: core, creation, termination, checksum) for resumable uploads to the API.

The routes parse headers and bodies and shape responses; everything else is in
``services/uploads.py`` (upload rows, the object store) and ``services/tus.py`` (the
tus PATCH: streaming to the staging file, its lock and its commits).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import Response

from kinema.catalog.models import UploadMethod
from kinema.storage import PartInfo
from kinema_api.admin.schemas import (
    MAX_UPLOAD_BYTES,
    PartUrlsPublic,
    PartUrlsRequest,
    UploadComplete,
    UploadCreate,
    UploadPublic,
)
from kinema_api.admin.services import tus as tus_service
from kinema_api.admin.services import uploads as upload_service
from kinema_api.admin.services.tus import TUS_HEADERS, TUS_VERSION
from kinema_api.common import ERRORS, Message
from kinema_api.deps import AdminViewer, ContextDep, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.errors import BadRequest

router = APIRouter(prefix="/admin/uploads", tags=["admin"], responses=ERRORS)

_B64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
# ``key base64value`` pairs, comma-separated (tus 1.0.0 creation extension).
TUS_METADATA_PATTERN = rf"^[A-Za-z0-9_.-]+(?: {_B64})?(?:, ?[A-Za-z0-9_.-]+(?: {_B64})?)*$"
TUS_CHECKSUM_PATTERN = rf"^(?:sha1|md5|sha256) {_B64}$"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Start an upload (S3: presigned multipart; embedded: tus)",
    dependencies=[WriteRateLimit],
)
def initiate(
    body: UploadCreate, admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> UploadPublic:
    upload = upload_service.create(ctx, session, viewer=admin, body=body)
    return upload_service.to_public(ctx, upload, parts=[])


@router.get("/{upload_id}", summary="Upload state: bytes or parts received (to resume)")
def upload_status(
    upload_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: ReadSessionDep
) -> UploadPublic:
    upload = upload_service.get(session, upload_id=upload_id)
    return upload_service.to_public(ctx, upload, parts=upload_service.parts(ctx, upload))


@router.post(
    "/{upload_id}/parts",
    summary="Presigned URLs to PUT parts to, straight to the object store",
    dependencies=[WriteRateLimit],
)
def presign_parts(
    upload_id: uuid.UUID,
    body: PartUrlsRequest,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: ReadSessionDep,
) -> PartUrlsPublic:
    upload = upload_service.active(session, upload_id=upload_id, method=UploadMethod.MULTIPART)
    urls = upload_service.presign_parts(
        ctx, upload, numbers=body.part_numbers, content_md5=body.content_md5
    )
    return PartUrlsPublic(urls=urls, expires_in_s=upload_service.PRESIGN_TTL_S)


@router.post(
    "/{upload_id}/complete",
    summary="Assemble the parts and verify checksums",
    dependencies=[WriteRateLimit],
)
def complete(
    upload_id: uuid.UUID,
    body: UploadComplete,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
) -> UploadPublic:
    parts = (
        [PartInfo(number=p.number, size=0, etag=p.etag) for p in body.parts] if body.parts else None
    )
    upload = upload_service.complete(ctx, session, upload_id=upload_id, parts_in=parts)
    return upload_service.to_public(ctx, upload)


@router.delete("/{upload_id}", summary="Abort an upload", dependencies=[WriteRateLimit])
def abort(
    upload_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> Message:
    upload_service.abort(ctx, session, upload=upload_service.get(session, upload_id=upload_id))
    return Message(message="upload aborted")


# --- tus ---------------------------------------------------------------------------


@router.options("/tus", summary="tus: server capabilities", status_code=204)
def tus_options() -> Response:
    return Response(
        status_code=204,
        headers={
            "Tus-Resumable": TUS_VERSION,
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": "creation,termination,checksum",
            "Tus-Checksum-Algorithm": "sha1,md5,sha256",
            "Tus-Max-Size": str(MAX_UPLOAD_BYTES),
        },
    )


@router.post(
    "/tus",
    summary="tus: create an upload (Upload-Length, Upload-Metadata: filename, sha256)",
    status_code=201,
    response_class=Response,
    dependencies=[WriteRateLimit],
)
def tus_create(
    admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
    upload_length: Annotated[int, Header(alias="Upload-Length", gt=0, le=MAX_UPLOAD_BYTES)],
    # Plain strings with an empty default (not Optional): a nullable header schema makes
    # generic clients send the text "null".
    upload_metadata: Annotated[
        str, Header(alias="Upload-Metadata", max_length=4096, pattern=TUS_METADATA_PATTERN)
    ] = "",
) -> Response:
    meta = tus_service.parse_tus_metadata(upload_metadata)
    try:
        body = UploadCreate(
            filename=upload_service.safe_filename(meta.get("filename") or "upload.bin"),
            size=upload_length,
            content_type=(
                meta.get("filetype") or meta.get("content_type") or "application/octet-stream"
            )[:255],
            sha256=meta.get("sha256") or None,
            method=UploadMethod.TUS,
        )
    except ValueError as exc:
        raise BadRequest(f"invalid Upload-Metadata: {exc}") from exc
    upload = upload_service.create(ctx, session, viewer=admin, body=body)
    return Response(
        status_code=201,
        headers={**TUS_HEADERS, "Location": f"{upload_service.TUS_PATH}/{upload.id}"},
    )


@router.head(
    "/tus/{upload_id}", summary="tus: how many bytes the server has", response_class=Response
)
def tus_head(upload_id: uuid.UUID, _admin: AdminViewer, session: ReadSessionDep) -> Response:
    upload = upload_service.active(session, upload_id=upload_id, method=UploadMethod.TUS)
    return Response(
        status_code=200,
        headers={
            **TUS_HEADERS,
            "Upload-Offset": str(upload.offset),
            "Upload-Length": str(upload.size),
            "Cache-Control": "no-store",
        },
    )


@router.patch(
    "/tus/{upload_id}",
    summary="tus: append bytes at Upload-Offset (body: application/offset+octet-stream)",
    status_code=204,
    response_class=Response,
)
async def tus_patch(
    upload_id: uuid.UUID,
    request: Request,
    _admin: AdminViewer,
    ctx: ContextDep,
    session: SessionDep,
    upload_offset: Annotated[int, Header(alias="Upload-Offset", ge=0, le=MAX_UPLOAD_BYTES)],
    content_type: Annotated[str, Header(alias="Content-Type", max_length=200)] = "",
    upload_checksum: Annotated[
        str, Header(alias="Upload-Checksum", max_length=200, pattern=TUS_CHECKSUM_PATTERN)
    ] = "",
) -> Response:
    offset = await tus_service.append(
        ctx,
        session,
        upload_id=upload_id,
        offset=upload_offset,
        content_type=content_type,
        checksum=upload_checksum,
        body=request.stream(),
    )
    return Response(status_code=204, headers={**TUS_HEADERS, "Upload-Offset": str(offset)})


@router.delete(
    "/tus/{upload_id}", summary="tus: terminate an upload", status_code=204, response_class=Response
)
def tus_delete(
    upload_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> Response:
    upload_service.abort(ctx, session, upload=upload_service.get(session, upload_id=upload_id))
    return Response(status_code=204, headers=TUS_HEADERS)
