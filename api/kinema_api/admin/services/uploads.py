"""Admin uploads: browse-direct S3 multipart, or resumable tus uploads to the API.

Both end with the raw file at ``raw/<upload id>/<filename>`` in the object store and an
``uploads`` row marked completed, whose id the admin then passes to ``POST
/admin/videos``. A whole-file SHA-256 announced at initiation is verified before an
upload counts as completed; tus chunks may also carry their own ``Upload-Checksum``.

Slow work (streaming a chunk to disk, hashing a whole file, moving it into the store,
assembling multipart parts on S3) never runs inside a database transaction: on SQLite a
write transaction holds the one write lock, and everyone else's signup, login or
progress report would wait behind an upload. The row is read in a read-only
transaction that ends before the slow part (:func:`load_active`, :func:`_release`), and
the outcome is recorded afterwards in one short write transaction that re-reads the row
first, since the upload may have been aborted meanwhile.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import math
import re
import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from kinema.catalog.db import begin_readonly
from kinema.catalog.models import Upload, UploadMethod, UploadStatus, utcnow
from kinema.storage import PartInfo
from kinema.storage.base import CHUNK_SIZE, MAX_PART_NUMBER, MIN_PART_SIZE
from kinema.storage.errors import ChecksumMismatch, UploadError
from kinema_api.accounts.services.auth import Viewer
from kinema_api.admin.schemas import PartUrl, UploadCreate, UploadPublic
from kinema_api.context import AppContext
from kinema_api.errors import BadRequest, ConflictError, Gone, NotFoundError

TUS_PATH = "/api/v1/admin/uploads/tus"
PRESIGN_TTL_S = 6 * 3600
DEFAULT_PART_SIZE = 16 * 1024 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    cleaned = _SAFE.sub("_", name).strip("._") or "upload"
    return cleaned[-120:]


def part_size_for(size: int) -> int:
    """Parts of 16 MiB, grown (in MiB steps) so a 50 GB file fits in 10 000 parts."""
    needed = math.ceil(size / MAX_PART_NUMBER)
    mib = 1024 * 1024
    return max(DEFAULT_PART_SIZE, math.ceil(needed / mib) * mib, MIN_PART_SIZE)


def staging_path(ctx: AppContext, upload: Upload) -> Path:
    return ctx.settings.data_dir / "uploads" / f"{upload.id.hex}.part"


def to_public(
    ctx: AppContext, upload: Upload, *, parts: list[PartInfo] | None = None
) -> UploadPublic:
    public = UploadPublic.model_validate(upload)
    if upload.method is UploadMethod.TUS:
        public.tus_url = f"{TUS_PATH}/{upload.id}"
    elif upload.part_size:
        public.part_count = math.ceil(upload.size / upload.part_size)
        if parts is not None:
            public.parts_received = [p.number for p in parts]
            public.offset = sum(p.size for p in parts)
    return public


def create(ctx: AppContext, session: Session, *, viewer: Viewer, body: UploadCreate) -> Upload:
    method = body.method or (
        UploadMethod.MULTIPART if ctx.store.supports_presigned else UploadMethod.TUS
    )
    if method is UploadMethod.MULTIPART and not ctx.store.supports_presigned:
        raise ConflictError(
            "browser-direct multipart needs an S3 object store, and this server stores "
            "media locally; use method 'tus'"
        )
    upload = Upload(
        id=uuid.uuid4(),
        user_id=viewer.user.id,
        method=method,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        sha256=body.sha256.lower() if body.sha256 else None,
    )
    upload.key = f"raw/{upload.id.hex}/{safe_filename(body.filename)}"
    if method is UploadMethod.MULTIPART:
        upload.part_size = part_size_for(body.size)
        upload.store_upload_id = ctx.store.create_multipart(
            upload.key, content_type=body.content_type
        )
    else:
        path = staging_path(ctx, upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    session.add(upload)
    session.commit()
    return upload


def get(session: Session, *, upload_id: uuid.UUID) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFoundError(f"no upload {upload_id}")
    return upload


def active(session: Session, *, upload_id: uuid.UUID, method: UploadMethod | None = None) -> Upload:
    upload = get(session, upload_id=upload_id)
    if upload.status is UploadStatus.ABORTED:
        raise Gone(f"upload {upload_id} was aborted")
    if method is not None and upload.method is not method:
        raise ConflictError(f"upload {upload_id} is a {upload.method} upload, not {method}")
    return upload


def load_active(
    session: Session, *, upload_id: uuid.UUID, method: UploadMethod | None = None
) -> Upload:
    """:func:`active`, read in a read-only transaction that is over when this returns,
    so nothing is held while the caller streams a body or calls the object store."""
    if not session.in_transaction():
        begin_readonly(session)
    try:
        upload = active(session, upload_id=upload_id, method=method)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return upload


def _release(session: Session) -> None:
    """End the session's transaction (it has only read) before slow work."""
    if session.in_transaction():
        session.commit()


def _reload_active(session: Session, upload: Upload) -> None:
    """Re-read ``upload`` at the start of a write transaction: refused if it was aborted
    while this request worked without a transaction."""
    session.refresh(upload)
    if upload.status is UploadStatus.ABORTED:
        raise Gone(f"upload {upload.id} was aborted")


def _set_status(session: Session, upload: Upload, status: UploadStatus) -> None:
    upload.status = status
    session.commit()


def parts(ctx: AppContext, upload: Upload) -> list[PartInfo]:
    if upload.method is not UploadMethod.MULTIPART or upload.status is not UploadStatus.ACTIVE:
        return []
    return ctx.store.list_parts(upload.key, upload.store_upload_id or "")


def presign_parts(
    ctx: AppContext, upload: Upload, *, numbers: list[int], content_md5: dict[str, str]
) -> list[PartUrl]:
    if upload.status is not UploadStatus.ACTIVE:
        raise ConflictError(f"upload {upload.id} is {upload.status}")
    count = math.ceil(upload.size / (upload.part_size or upload.size))
    urls = []
    for n in sorted(set(numbers)):
        if n > count:
            raise ConflictError(f"part {n} is past the last part ({count}) of this upload")
        md5 = content_md5.get(str(n))
        if md5 is not None:
            try:
                if len(base64.b64decode(md5, validate=True)) != 16:
                    raise ValueError
            except ValueError as exc:
                raise BadRequest(f"content_md5 for part {n} is not a base64 MD5") from exc
        url = ctx.store.presign_part(
            upload.key,
            upload.store_upload_id or "",
            n,
            expires_s=PRESIGN_TTL_S,
            content_md5=md5,
        )
        urls.append(PartUrl(part_number=n, url=url, headers={"Content-MD5": md5} if md5 else {}))
    return urls


def _verify_sha256(ctx: AppContext, upload: Upload) -> None:
    if upload.sha256 is None:
        return
    digest = hashlib.sha256()
    for chunk in ctx.store.iter_range(upload.key, chunk_size=CHUNK_SIZE * 8):
        digest.update(chunk)
    if digest.hexdigest() != upload.sha256:
        ctx.store.delete(upload.key)
        raise ChecksumMismatch(
            f"upload {upload.id}: the file's SHA-256 is {digest.hexdigest()}, "
            f"not the announced {upload.sha256}; upload it again"
        )


def complete(
    ctx: AppContext, session: Session, *, upload_id: uuid.UUID, parts_in: list[PartInfo] | None
) -> Upload:
    """Finish an upload: assemble a multipart one; a tus one must have all its bytes."""
    upload = load_active(session, upload_id=upload_id)
    if upload.method is UploadMethod.TUS:
        if upload.status is not UploadStatus.COMPLETED:
            raise ConflictError(
                f"upload {upload_id} has {upload.offset} of {upload.size} bytes; "
                "send the rest with PATCH to its tus_url"
            )
        return upload
    return complete_multipart(ctx, session, upload=upload, parts_in=parts_in)


def complete_multipart(
    ctx: AppContext, session: Session, *, upload: Upload, parts_in: list[PartInfo] | None
) -> Upload:
    if upload.status is UploadStatus.COMPLETED:
        return upload
    _release(session)  # assembling and hashing a large file takes minutes
    info = ctx.store.complete_multipart(upload.key, upload.store_upload_id or "", parts_in)
    if info.size != upload.size:
        ctx.store.delete(upload.key)
        _set_status(session, upload, UploadStatus.ABORTED)
        raise UploadError(
            f"upload {upload.id} assembled {info.size} bytes, but {upload.size} were announced"
        )
    try:
        _verify_sha256(ctx, upload)
    except ChecksumMismatch:
        _set_status(session, upload, UploadStatus.ABORTED)
        raise
    try:
        _reload_active(session, upload)
    except Gone:
        ctx.store.delete(upload.key)  # aborted while it was being assembled
        raise
    if upload.status is UploadStatus.ACTIVE:  # not completed meanwhile by another call
        upload.status, upload.offset, upload.completed_at = (
            UploadStatus.COMPLETED,
            info.size,
            utcnow(),
        )
    session.commit()
    return upload


def abort(ctx: AppContext, session: Session, *, upload: Upload) -> None:
    if upload.status is UploadStatus.COMPLETED:
        raise ConflictError(f"upload {upload.id} is already complete; delete its video instead")
    if upload.status is UploadStatus.ACTIVE:
        _release(session)  # the object store may take a while to answer
        if upload.method is UploadMethod.MULTIPART:
            with contextlib.suppress(UploadError):
                ctx.store.abort_multipart(upload.key, upload.store_upload_id or "")
        else:
            staging_path(ctx, upload).unlink(missing_ok=True)
    upload.status = UploadStatus.ABORTED
    session.commit()


# --- tus -------------------------------------------------------------------------


def record_tus_offset(session: Session, *, upload: Upload, expected: int, offset: int) -> None:
    """Record that the staging file now holds ``offset`` bytes, in one short write
    transaction; refused when the row moved on from ``expected`` meanwhile."""
    _reload_active(session, upload)
    if upload.status is not UploadStatus.ACTIVE or upload.offset != expected:
        current = upload.offset
        session.rollback()
        raise ConflictError(
            f"upload {upload.id} changed while this chunk was written (now at byte "
            f"{current}); send HEAD to learn where to resume"
        )
    upload.offset = offset
    session.commit()


def tus_finish(ctx: AppContext, session: Session, *, upload: Upload) -> None:
    """The last byte arrived: verify the whole-file checksum, then move it into the store
    (both with no transaction open), then mark the upload completed."""
    _release(session)
    path = staging_path(ctx, upload)
    if upload.sha256 is not None:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK_SIZE * 8), b""):
                digest.update(chunk)
        if digest.hexdigest() != upload.sha256:
            path.unlink(missing_ok=True)
            _set_status(session, upload, UploadStatus.ABORTED)
            raise ChecksumMismatch(
                f"upload {upload.id}: the file's SHA-256 is {digest.hexdigest()}, "
                f"not the announced {upload.sha256}; upload it again"
            )
    ctx.store.move_file(path, upload.key, content_type=upload.content_type)
    try:
        _reload_active(session, upload)
    except Gone:
        ctx.store.delete(upload.key)  # aborted while it was being moved: nothing is kept
        raise
    upload.status, upload.completed_at = UploadStatus.COMPLETED, utcnow()
    session.commit()
