"""Admin uploads: initiate / status / presign parts / complete / abort, and the tus
protocol (1.0.0: core, creation, termination, checksum) for resumable uploads to the API.

A tus PATCH may trickle for minutes over a slow uplink, so it holds no database
transaction while the body arrives: it reads the upload in a short read-only
transaction, streams to the staging file, then records the new offset in one short
write transaction (``services/uploads.py``). Its database calls run in the thread pool,
never on the event loop, so a busy database cannot stall other requests either.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from kinema.catalog.models import UploadMethod, UploadStatus
from kinema.storage import PartInfo
from kinema_api.deps import AdminViewer, ContextDep, ReadSessionDep, SessionDep, WriteRateLimit
from kinema_api.errors import ApiError, BadRequest, ConflictError, PayloadTooLarge
from kinema_api.schemas.admin import (
    MAX_UPLOAD_BYTES,
    PartUrlsPublic,
    PartUrlsRequest,
    UploadComplete,
    UploadCreate,
    UploadPublic,
)
from kinema_api.schemas.common import ERRORS, Message
from kinema_api.services import uploads as upload_service

router = APIRouter(prefix="/admin/uploads", tags=["admin"], responses=ERRORS)

TUS_VERSION = "1.0.0"
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION}
_B64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
# ``key base64value`` pairs, comma-separated (tus 1.0.0 creation extension).
TUS_METADATA_PATTERN = rf"^[A-Za-z0-9_.-]+(?: {_B64})?(?:, ?[A-Za-z0-9_.-]+(?: {_B64})?)*$"
TUS_CHECKSUM_PATTERN = rf"^(?:sha1|md5|sha256) {_B64}$"
_locks: dict[uuid.UUID, threading.Lock] = {}
_locks_guard = threading.Lock()


class ChecksumFailed(ApiError):
    # tus's checksum extension answers a corrupted chunk with 460.
    status_code, code = 460, "checksum_mismatch"


class UploadLocked(ApiError):
    status_code, code = 423, "locked"


class UnsupportedMedia(ApiError):
    status_code, code = 415, "unsupported_media_type"


def _lock_for(upload_id: uuid.UUID) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 10_000:
            for key in [k for k, v in _locks.items() if not v.locked()]:
                del _locks[key]
        return _locks.setdefault(upload_id, threading.Lock())


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
    upload = upload_service.load_active(session, upload_id=upload_id)
    if upload.method is UploadMethod.TUS:
        if upload.status is not UploadStatus.COMPLETED:
            raise ConflictError(
                f"upload {upload_id} has {upload.offset} of {upload.size} bytes; "
                "send the rest with PATCH to its tus_url"
            )
        return upload_service.to_public(ctx, upload)
    parts = (
        [PartInfo(number=p.number, size=0, etag=p.etag) for p in body.parts] if body.parts else None
    )
    upload = upload_service.complete_multipart(ctx, session, upload=upload, parts_in=parts)
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
    meta = upload_service.parse_tus_metadata(upload_metadata)
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
    upload = await run_in_threadpool(
        lambda: upload_service.load_active(session, upload_id=upload_id, method=UploadMethod.TUS)
    )
    if content_type.split(";")[0].strip().lower() != "application/offset+octet-stream":
        raise UnsupportedMedia(
            "tus PATCH bodies must be Content-Type application/offset+octet-stream"
        )
    if upload.status is UploadStatus.COMPLETED:
        raise ConflictError(f"upload {upload_id} is already complete")
    checksum = upload_service.checksum_algorithm(upload_checksum) if upload_checksum else None
    lock = _lock_for(upload.id)
    if not lock.acquire(blocking=False):
        raise UploadLocked(f"another PATCH to upload {upload_id} is in progress")
    try:
        start = upload.offset
        path = upload_service.staging_path(ctx, upload)
        on_disk = path.stat().st_size if path.exists() else 0
        if on_disk != start:
            # A crash between writing and recording: trust the smaller of the two.
            with path.open("ab") as fh:
                fh.truncate(min(on_disk, start))
            if on_disk < start:
                await run_in_threadpool(
                    lambda: upload_service.record_tus_offset(
                        session, upload=upload, expected=start, offset=on_disk
                    )
                )
                start = on_disk
        if upload_offset != start:
            raise ConflictError(
                f"Upload-Offset {upload_offset} does not match the server's {start}; "
                "send HEAD to learn where to resume",
                headers={**TUS_HEADERS, "Upload-Offset": str(start)},
            )
        written = await _receive(request, path, start=start, size=upload.size, checksum=checksum)
        if written:
            await run_in_threadpool(
                lambda: upload_service.record_tus_offset(
                    session, upload=upload, expected=start, offset=start + written
                )
            )
        if upload.offset == upload.size:
            await run_in_threadpool(lambda: upload_service.tus_finish(ctx, session, upload=upload))
    finally:
        lock.release()
    return Response(status_code=204, headers={**TUS_HEADERS, "Upload-Offset": str(upload.offset)})


async def _receive(
    request: Request, path: Path, *, start: int, size: int, checksum: tuple[str, bytes] | None
) -> int:
    """Append the request body to the staging file at ``start``; returns how many bytes
    it kept. A body that runs past ``size`` or fails its checksum is cut off (nothing
    kept); a client that disconnects keeps what arrived, unless a checksum covered it."""
    digest = hashlib.new(checksum[0]) if checksum else None
    written, disconnected = 0, False
    with path.open("r+b") as fh:
        fh.seek(start)
        try:
            async for chunk in request.stream():
                if start + written + len(chunk) > size:
                    fh.truncate(start)
                    raise PayloadTooLarge(f"the body runs past the upload's length ({size} bytes)")
                fh.write(chunk)
                written += len(chunk)
                if digest is not None:
                    digest.update(chunk)
        except ClientDisconnect:
            disconnected = True
        if (
            checksum is not None
            and digest is not None
            and (disconnected or digest.digest() != checksum[1])
        ):
            fh.truncate(start)
            if not disconnected:
                raise ChecksumFailed(
                    f"the chunk's {checksum[0]} does not match Upload-Checksum; resend it",
                    headers=TUS_HEADERS,
                )
            written = 0
        fh.flush()
    return written


@router.delete(
    "/tus/{upload_id}", summary="tus: terminate an upload", status_code=204, response_class=Response
)
def tus_delete(
    upload_id: uuid.UUID, _admin: AdminViewer, ctx: ContextDep, session: SessionDep
) -> Response:
    upload_service.abort(ctx, session, upload=upload_service.get(session, upload_id=upload_id))
    return Response(status_code=204, headers=TUS_HEADERS)
