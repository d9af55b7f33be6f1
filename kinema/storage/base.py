"""The object-store interface every Kinema component talks to.

Keys are relative, ``/``-separated paths (``raw/<upload>/movie.mp4``,
``processed/<video>/master.m3u8``); the backend maps them onto a bucket prefix or a
directory. Everything streams: files are copied in bounded chunks and ranges are read
lazily, so a 50 GB upload never sits in memory.

Multipart uploads have the same shape on both backends (create, upload or presign parts,
list parts to resume, complete, abort). On S3 the parts travel browser-direct through
presigned URLs; the local backend stores parts in a staging folder so the same service
code drives both.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import mimetypes
import posixpath
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from kinema.storage.errors import InvalidKey, ObjectNotFound

CHUNK_SIZE = 1 << 20
# S3's limits, enforced on both backends so code tested locally behaves the same on S3.
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10_000


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What a store knows about one object."""

    key: str
    size: int
    # An opaque version identifier: S3's ETag, or size+mtime on local files.
    etag: str
    last_modified: datetime | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class PartInfo:
    """One uploaded part of a multipart upload."""

    number: int
    size: int
    # S3's part ETag: the hex MD5 of the part's bytes (quoted on S3, bare here).
    etag: str


def normalize_key(key: str) -> str:
    """Validate a key and return its canonical form (no ``./``, no doubled slashes)."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKey(f"invalid object key {key!r}: keys are relative '/'-separated paths")
    parts = [p for p in key.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise InvalidKey(f"invalid object key {key!r}: it must name an object inside the store")
    return "/".join(parts)


def normalize_prefix(prefix: str) -> str:
    """A prefix is a key or empty; the canonical form has no trailing slash."""
    stripped = prefix.strip("/")
    return normalize_key(stripped) if stripped else ""


def join_key(*parts: str) -> str:
    return normalize_key(posixpath.join(*[p.strip("/") for p in parts if p.strip("/")]))


def guess_content_type(key: str) -> str:
    """Content types for what Kinema stores, including the streaming formats."""
    suffix = posixpath.splitext(key)[1].lower()
    known = {
        ".m3u8": "application/vnd.apple.mpegurl",
        ".mpd": "application/dash+xml",
        ".m4s": "video/iso.segment",
        ".mp4": "video/mp4",
        ".m4a": "audio/mp4",
        ".vtt": "text/vtt",
        ".json": "application/json",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".webp": "image/webp",
    }
    if suffix in known:
        return known[suffix]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_base64(data: bytes) -> str:
    """The ``Content-MD5`` header value for ``data``."""
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


class ObjectStore(ABC):
    """One object store: S3 (or compatible) or a local directory."""

    #: True when clients can upload/download directly with presigned URLs.
    supports_presigned: bool = False

    # --- objects -------------------------------------------------------------------
    @abstractmethod
    def put_file(
        self, local_path: Path, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        """Copy a local file to ``key`` (streamed; multipart on S3 for large files)."""

    @abstractmethod
    def put_bytes(self, data: bytes, key: str, *, content_type: str | None = None) -> ObjectInfo:
        """Store small in-memory content (manifests, JSON) at ``key``."""

    @abstractmethod
    def put_stream(
        self, stream: BinaryIO, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        """Store everything read from ``stream`` at ``key`` without buffering it whole."""

    @abstractmethod
    def get_file(self, key: str, local_path: Path) -> ObjectInfo:
        """Download ``key`` to ``local_path`` (parent folders are created)."""

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.iter_range(key))

    @abstractmethod
    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Stream bytes ``start..end`` inclusive (``end=None``: to the end of the object)."""

    def read_range(self, key: str, start: int, end: int) -> bytes:
        return b"".join(self.iter_range(key, start, end))

    @abstractmethod
    def head(self, key: str) -> ObjectInfo:
        """Size, etag and type of ``key``; raises ObjectNotFound."""

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except ObjectNotFound:
            return False
        return True

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix/`` (or everything), in key order."""

    @abstractmethod
    def copy(self, src_key: str, dst_key: str) -> None:
        """Copy ``src_key`` to ``dst_key`` inside this store, without a round trip through
        the caller (a server-side copy on S3); raises ObjectNotFound."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete one object; deleting a missing object is not an error."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix/``; returns how many were deleted."""

    def put_dir(self, local_dir: Path, prefix: str) -> builtins.list[ObjectInfo]:
        """Upload a directory tree under ``prefix`` (transcoder outputs)."""
        infos: builtins.list[ObjectInfo] = []
        for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(local_dir).as_posix()
            infos.append(self.put_file(path, join_key(prefix, rel)))
        return infos

    def move_file(
        self, local_path: Path, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        """Move a local file to ``key``: afterwards it is in the store and gone from disk.

        This default uploads, then deletes the file; a local store renames it instead,
        so a finished upload or output is never copied on the same disk.
        """
        info = self.put_file(local_path, key, content_type=content_type)
        local_path.unlink(missing_ok=True)
        return info

    def move_dir(self, local_dir: Path, prefix: str) -> builtins.list[ObjectInfo]:
        """Move a directory tree under ``prefix`` (transcoder outputs): :meth:`put_dir`,
        then ``local_dir`` is removed. Objects already under ``prefix`` with other keys
        stay; a local store renames the whole tree when ``prefix`` holds nothing yet."""
        infos = self.put_dir(local_dir, prefix)
        shutil.rmtree(local_dir)
        return infos

    def get_dir(self, prefix: str, local_dir: Path) -> builtins.list[ObjectInfo]:
        """Download every object under ``prefix`` into ``local_dir``."""
        base = normalize_prefix(prefix)
        infos: builtins.list[ObjectInfo] = []
        for info in self.list(base):
            rel = info.key[len(base) + 1 :] if base else info.key
            infos.append(self.get_file(info.key, local_dir / rel))
        return infos

    @abstractmethod
    def presigned_get(self, key: str, *, expires_s: int = 3600) -> str:
        """A URL anyone can GET for ``expires_s`` seconds; NotSupported on local files."""

    def local_path(self, key: str) -> Path | None:
        """The file behind ``key`` when the store is a local directory, else None."""
        return None

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release connections (an S3 client's pool); the store is not used afterwards."""

    @abstractmethod
    def probe(self) -> str:
        """Check the store is usable (reachable, writable); a one-line description.

        Raises StorageUnavailable. ``kinema doctor`` reports this.
        """

    @abstractmethod
    def uri(self, key: str) -> str:
        """A URL naming the object (``s3://bucket/prefix/key`` or ``file:///...``)."""

    # --- multipart ---------------------------------------------------------------
    @abstractmethod
    def create_multipart(self, key: str, *, content_type: str | None = None) -> str:
        """Start a multipart upload to ``key``; returns its upload id."""

    @abstractmethod
    def presign_part(
        self,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_s: int = 3600,
        content_md5: str | None = None,
    ) -> str:
        """A URL the client PUTs one part to. With ``content_md5`` (base64) the client
        must send that ``Content-MD5`` header and the store rejects corrupted bytes."""

    @abstractmethod
    def upload_part(
        self, key: str, upload_id: str, part_number: int, data: bytes | BinaryIO
    ) -> PartInfo:
        """Upload one part through this process (servers, tests, the local backend)."""

    @abstractmethod
    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        """Parts received so far, by number: what a resuming client can skip."""

    @abstractmethod
    def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[PartInfo] | None = None
    ) -> ObjectInfo:
        """Assemble the object. With ``parts`` (number + the client's etag/MD5 for each),
        a part the store holds with different bytes raises ChecksumMismatch."""

    @abstractmethod
    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop an upload and its parts."""


def check_parts(
    expected: Sequence[PartInfo] | None, stored: Iterable[PartInfo]
) -> builtins.list[PartInfo]:
    """The parts to assemble, checked against what the client says it sent."""
    from kinema.storage.errors import ChecksumMismatch, UploadError

    held = {p.number: p for p in stored}
    if not held:
        raise UploadError("the upload has no parts; upload at least one part before completing")
    if expected is None:
        chosen = [held[n] for n in sorted(held)]
    else:
        chosen = []
        for want in sorted(expected, key=lambda p: p.number):
            have = held.get(want.number)
            if have is None:
                raise UploadError(f"part {want.number} was never uploaded; upload it and retry")
            if want.etag and want.etag.strip('"').lower() != have.etag.strip('"').lower():
                raise ChecksumMismatch(
                    f"part {want.number} holds different bytes than announced "
                    f"(stored MD5 {have.etag.strip(chr(34))}, announced {want.etag}); "
                    "upload that part again"
                )
            chosen.append(have)
    numbers = [p.number for p in chosen]
    if numbers != list(range(1, len(numbers) + 1)):
        raise UploadError(f"parts must be numbered 1..N without gaps, got {numbers}")
    for part in chosen[:-1]:
        if part.size < MIN_PART_SIZE:
            raise UploadError(
                f"part {part.number} is {part.size} bytes; every part but the last must be "
                f"at least {MIN_PART_SIZE} bytes"
            )
    return chosen
