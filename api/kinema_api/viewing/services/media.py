"""Media files behind a stream token: their size and tag, the requested byte range,
and their bytes, read from the object store (local files and S3 alike)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kinema.storage import guess_content_type
from kinema_api.context import AppContext
from kinema_api.errors import RangeNotSatisfiable
from kinema_api.viewing.services.ranges import ByteRange, UnsatisfiableRange, parse_range


@dataclass(frozen=True, slots=True)
class MediaFile:
    key: str
    size: int
    etag: str
    content_type: str
    # None: the whole file.
    byte_range: ByteRange | None


def media_file(ctx: AppContext, *, key: str, range_header: str | None) -> MediaFile:
    """The file at ``key`` and the part of it a ``Range`` header asks for."""
    info = ctx.store.head(key)
    try:
        byte_range = parse_range(range_header, info.size)
    except UnsatisfiableRange as exc:
        raise RangeNotSatisfiable(
            f"range {range_header!r} is outside the file ({info.size} bytes)",
            headers={"Content-Range": f"bytes */{info.size}"},
        ) from exc
    return MediaFile(
        key=key,
        size=info.size,
        etag=info.etag,
        content_type=guess_content_type(key),
        byte_range=byte_range,
    )


def read(ctx: AppContext, media: MediaFile) -> Iterator[bytes]:
    if media.byte_range is None:
        return ctx.store.iter_range(media.key)
    return ctx.store.iter_range(media.key, media.byte_range.start, media.byte_range.end)
