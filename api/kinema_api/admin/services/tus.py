"""The tus protocol (1.0.0: core, creation, termination, checksum) over
``services/uploads.py``: its headers, and appending a PATCH body to an upload.

A tus PATCH may trickle for minutes over a slow uplink, so it holds no database
transaction while the body arrives: it reads the upload in a short read-only
transaction, streams to the staging file, then records the new offset in one short
write transaction. Its database calls run in the thread pool, never on the event loop,
so a busy database cannot stall other requests either. One PATCH at a time per upload:
a second one while the first streams is refused (423), not queued.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from kinema.catalog.models import UploadMethod, UploadStatus
from kinema_api.admin.services import uploads
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, BadRequest, ConflictError, PayloadTooLarge

TUS_VERSION = "1.0.0"
TUS_HEADERS = {"Tus-Resumable": TUS_VERSION}
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


def parse_tus_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata: key base64value,key2 base64value2`` (values may be empty)."""
    out: dict[str, str] = {}
    if not header:
        return out
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, value = pair.partition(" ")
        try:
            raw = base64.b64decode(value.strip(), validate=True) if value else b""
        except ValueError as exc:
            raise BadRequest(f"Upload-Metadata value for {key!r} is not base64") from exc
        # Values are informational text (file name, type): undecodable bytes are replaced.
        out[key] = raw.decode("utf-8", errors="replace")
    return out


def checksum_algorithm(header: str) -> tuple[str, bytes]:
    """``Upload-Checksum: sha1 <base64>`` → (algorithm, digest)."""
    algo, _, value = header.strip().partition(" ")
    algo = algo.lower()
    if algo not in {"sha1", "md5", "sha256"}:
        raise BadRequest(f"unsupported Upload-Checksum algorithm {algo!r} (use sha1, md5, sha256)")
    try:
        return algo, base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise BadRequest("Upload-Checksum value is not base64") from exc


async def append(
    ctx: AppContext,
    session: Session,
    *,
    upload_id: uuid.UUID,
    offset: int,
    content_type: str,
    checksum: str,
    body: AsyncIterator[bytes],
) -> int:
    """Append ``body`` (a PATCH's bytes) at ``offset`` (its ``Upload-Offset``), checked
    against ``checksum`` (its ``Upload-Checksum``, or empty); returns the upload's new
    offset. Completes the upload when its last byte arrives."""
    upload = await run_in_threadpool(
        lambda: uploads.load_active(session, upload_id=upload_id, method=UploadMethod.TUS)
    )
    if content_type.split(";")[0].strip().lower() != "application/offset+octet-stream":
        raise UnsupportedMedia(
            "tus PATCH bodies must be Content-Type application/offset+octet-stream"
        )
    if upload.status is UploadStatus.COMPLETED:
        raise ConflictError(f"upload {upload_id} is already complete")
    algorithm = checksum_algorithm(checksum) if checksum else None
    lock = _lock_for(upload.id)
    if not lock.acquire(blocking=False):
        raise UploadLocked(f"another PATCH to upload {upload_id} is in progress")
    try:
        start = upload.offset
        path = uploads.staging_path(ctx, upload)
        on_disk = path.stat().st_size if path.exists() else 0
        if on_disk != start:
            # A crash between writing and recording: trust the smaller of the two.
            with path.open("ab") as fh:
                fh.truncate(min(on_disk, start))
            if on_disk < start:
                await run_in_threadpool(
                    lambda: uploads.record_tus_offset(
                        session, upload=upload, expected=start, offset=on_disk
                    )
                )
                start = on_disk
        if offset != start:
            raise ConflictError(
                f"Upload-Offset {offset} does not match the server's {start}; "
                "send HEAD to learn where to resume",
                headers={**TUS_HEADERS, "Upload-Offset": str(start)},
            )
        written = await _receive(body, path, start=start, size=upload.size, checksum=algorithm)
        if written:
            await run_in_threadpool(
                lambda: uploads.record_tus_offset(
                    session, upload=upload, expected=start, offset=start + written
                )
            )
        if upload.offset == upload.size:
            await run_in_threadpool(lambda: uploads.tus_finish(ctx, session, upload=upload))
    finally:
        lock.release()
    return upload.offset


async def _receive(
    body: AsyncIterator[bytes],
    path: Path,
    *,
    start: int,
    size: int,
    checksum: tuple[str, bytes] | None,
) -> int:
    """Append ``body`` to the staging file at ``start``; returns how many bytes
    it kept. A body that runs past ``size`` or fails its checksum is cut off (nothing
    kept); a client that disconnects keeps what arrived, unless a checksum covered it."""
    digest = hashlib.new(checksum[0]) if checksum else None
    written, disconnected = 0, False
    with path.open("r+b") as fh:
        fh.seek(start)
        try:
            async for chunk in body:
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
