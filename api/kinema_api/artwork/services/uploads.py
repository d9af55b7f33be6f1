"""Artwork an admin uploads for a title: more variants for its tests (docs/artwork.md).

The image comes through the upload API like a video's source (a completed upload). It
is decoded here, at the edge: only JPEG and PNG, within size and pixel limits, and it is
re-encoded, so what viewers are served carries none of the file's metadata (camera, GPS)
and is an image the decoder produced, not the bytes as sent. Each is kept under
``artwork/<title id>/<name>`` and listed by :func:`kinema_api.artwork.services.variants.
candidates` beside the title's poster and the transcoder's candidates.
"""

from __future__ import annotations

import io
import time
import uuid

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.models import (
    ArtworkTest,
    ArtworkTestState,
    ArtworkVariant,
    Title,
    Upload,
    UploadStatus,
)
from kinema.storage import ObjectNotFound, ObjectStore
from kinema_api.errors import ConflictError, InvalidResource, NotFoundError

PREFIX = "artwork"
MAX_BYTES = 10 * 1024 * 1024
MIN_SIDE = 100
MAX_SIDE = 6000
# A title keeps at most this many uploads (a test shows at most eight variants).
MAX_UPLOADS = 6
# Pillow's format name: the extension the re-encoded copy is kept under.
_FORMATS = {"JPEG": "jpg", "PNG": "png"}


def prefix(title_id: uuid.UUID) -> str:
    return f"{PREFIX}/{title_id.hex}/"


def listed(store: ObjectStore, title_id: uuid.UUID) -> list[str]:
    """The keys of a title's uploaded images, oldest first (names sort by time)."""
    return sorted(o.key for o in store.list(prefix(title_id)))


def _title(session: Session, title_id: uuid.UUID) -> Title:
    title = session.get(Title, title_id)
    if title is None:
        raise NotFoundError(f"no title {title_id}")
    return title


def _decode(data: bytes, where: str) -> tuple[bytes, str]:
    """The image re-encoded, and its extension; InvalidResource otherwise."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            probe.verify()
        if fmt not in _FORMATS:
            raise InvalidResource(f"{where} is a {fmt or 'unknown'} image; upload a JPEG or PNG")
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
                raise InvalidResource(
                    f"{where} is {width}x{height}; each side must be {MIN_SIDE} to "
                    f"{MAX_SIDE} pixels"
                )
            upright = ImageOps.exif_transpose(img)
            out = io.BytesIO()
            if fmt == "JPEG":
                upright.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
            else:
                upright.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise InvalidResource(f"{where} is not an image this server can read ({exc})") from exc
    return out.getvalue(), _FORMATS[fmt]


def add(session: Session, store: ObjectStore, *, title_id: uuid.UUID, upload_id: uuid.UUID) -> str:
    """Turn a completed upload into one of the title's artwork images; its name."""
    _title(session, title_id)
    upload = session.get(Upload, upload_id)
    where = f"upload {upload_id}"
    if upload is None:
        raise NotFoundError(f"no upload {upload_id}")
    if upload.status is not UploadStatus.COMPLETED:
        raise ConflictError(f"{where} is {upload.status}; complete it first")
    if upload.size > MAX_BYTES:
        raise InvalidResource(
            f"{where} is {upload.size} bytes; an image may have at most {MAX_BYTES} bytes"
        )
    if len(listed(store, title_id)) >= MAX_UPLOADS:
        raise ConflictError(
            f"title {title_id} has {MAX_UPLOADS} uploaded images already; delete one first"
        )
    try:
        data = store.get_bytes(upload.key)
    except ObjectNotFound as exc:
        raise ConflictError(f"{where}'s file is gone; upload it again") from exc
    image, ext = _decode(data, f"{where} ({upload.filename})")
    # Time-ordered names: the list shows them in the order they were added.
    name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.{ext}"
    store.put_bytes(image, prefix(title_id) + name)  # content type from the extension
    return name


def key_of(title_id: uuid.UUID, name: str) -> str:
    """The store key of one upload; NotFoundError for a name that is not one."""
    if "/" in name or name.startswith(".") or not name.endswith((".jpg", ".png")):
        raise NotFoundError(f"no artwork {name}")
    return prefix(title_id) + name


def image(store: ObjectStore, *, title_id: uuid.UUID, name: str) -> bytes:
    try:
        return store.get_bytes(key_of(title_id, name))
    except ObjectNotFound as exc:
        raise NotFoundError(f"no artwork {name} for title {title_id}") from exc


def remove(session: Session, store: ObjectStore, *, title_id: uuid.UUID, name: str) -> None:
    """Delete an upload; ConflictError while a running test shows it or it is the
    title's poster (end the test, or pick another winner, first)."""
    title = _title(session, title_id)
    key = key_of(title_id, name)
    if not store.exists(key):
        raise NotFoundError(f"no artwork {name} for title {title_id}")
    if title.poster_key == key:
        raise ConflictError(f"artwork {name} is the title's poster")
    in_test = session.scalar(
        select(ArtworkVariant.id)
        .join(ArtworkTest)
        .where(
            ArtworkTest.title_id == title_id,
            ArtworkTest.state == ArtworkTestState.RUNNING,
            ArtworkVariant.key == key,
        )
    )
    if in_test is not None:
        raise ConflictError(f"artwork {name} is a variant of the title's running test")
    store.delete(key)
