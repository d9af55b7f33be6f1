"""The local-filesystem object store used by ``kinema up``.

Objects are plain files under one root, so the API can serve them with HTTP Range and
the worker pool can read them in place. Writes go to a temporary file first and are
renamed into place, so a reader never sees half an object. Multipart uploads keep their
parts in a staging folder (``<root>/.multipart/<upload id>/``) until completed, which
makes them resumable across restarts exactly like S3's.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from kinema.storage.base import (
    CHUNK_SIZE,
    MAX_PART_NUMBER,
    ObjectInfo,
    ObjectStore,
    PartInfo,
    check_parts,
    guess_content_type,
    join_key,
    normalize_key,
    normalize_prefix,
)
from kinema.storage.errors import (
    InvalidKey,
    NotSupported,
    ObjectNotFound,
    StorageUnavailable,
    UploadError,
)

STAGING = ".multipart"


class LocalStore(ObjectStore):
    """Objects as files under ``root``."""

    supports_presigned = False

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._staging = self.root / STAGING

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # --- helpers -----------------------------------------------------------------
    def _path(self, key: str) -> Path:
        norm = normalize_key(key)
        if norm == STAGING or norm.startswith(STAGING + "/"):
            raise InvalidKey(f"invalid object key {key!r}: {STAGING}/ is reserved")
        return self.root / norm

    def _info(self, key: str, path: Path) -> ObjectInfo:
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no object at {key!r} in {self.root}") from exc
        if not path.is_file():
            raise ObjectNotFound(f"no object at {key!r} in {self.root}")
        return ObjectInfo(
            key=normalize_key(key),
            size=st.st_size,
            etag=f"{st.st_size:x}-{st.st_mtime_ns:x}",
            last_modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            content_type=guess_content_type(key),
        )

    @contextlib.contextmanager
    def _atomic(self, path: Path) -> Iterator[BinaryIO]:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
            Path(tmp).replace(path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
            raise

    # --- objects -----------------------------------------------------------------
    def put_file(
        self, local_path: Path, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        with local_path.open("rb") as src:
            return self.put_stream(src, key, content_type=content_type)

    def put_bytes(self, data: bytes, key: str, *, content_type: str | None = None) -> ObjectInfo:
        path = self._path(key)
        with self._atomic(path) as fh:
            fh.write(data)
        return self._info(key, path)

    def put_stream(
        self, stream: BinaryIO, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        path = self._path(key)
        with self._atomic(path) as fh:
            shutil.copyfileobj(stream, fh, CHUNK_SIZE)
        return self._info(key, path)

    def move_file(
        self, local_path: Path, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        """Rename a file into the store (same filesystem): no copy of a big upload."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            local_path.replace(path)
        except OSError:
            self.put_file(local_path, key)
            local_path.unlink()
        return self._info(key, path)

    def move_dir(self, local_dir: Path, prefix: str) -> builtins.list[ObjectInfo]:
        """One rename when nothing is at ``prefix`` yet (a transcoder output is never
        copied on the same disk); otherwise, or across filesystems, file by file."""
        base = normalize_prefix(prefix)
        files = sorted(p for p in local_dir.rglob("*") if p.is_file())
        keys = [join_key(base, p.relative_to(local_dir).as_posix()) for p in files]
        for key in keys:
            self._path(key)  # every key is valid before anything moves
        target = self._path(base) if base else None
        if target is None or target.exists() or not _renamed(local_dir, target):
            for path, key in zip(files, keys, strict=True):
                self.move_file(path, key)
            shutil.rmtree(local_dir)
        return [self.head(key) for key in keys]

    def copy(self, src_key: str, dst_key: str) -> None:
        src = self._path(src_key)
        if not src.is_file():
            raise ObjectNotFound(f"no object at {src}")
        dst = self._path(dst_key)
        dst.parent.mkdir(parents=True, exist_ok=True)
        # Objects are never written in place (see _atomic), so a hard link is a copy.
        with contextlib.suppress(FileNotFoundError):
            dst.unlink()
        try:
            os.link(src, dst)
        except OSError:
            with src.open("rb") as fh:
                self.put_stream(fh, dst_key)

    def get_file(self, key: str, local_path: Path) -> ObjectInfo:
        path = self._path(key)
        info = self._info(key, path)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, local_path)
        return info

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        path = self._path(key)
        info = self._info(key, path)
        last = info.size - 1 if end is None else min(end, info.size - 1)
        return self._read(path, start, last, chunk_size)

    @staticmethod
    def _read(path: Path, start: int, last: int, chunk_size: int) -> Iterator[bytes]:
        with path.open("rb") as fh:
            fh.seek(start)
            remaining = last - start + 1
            while remaining > 0:
                chunk = fh.read(min(chunk_size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def head(self, key: str) -> ObjectInfo:
        return self._info(key, self._path(key))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        base = normalize_prefix(prefix)
        top = self.root / base if base else self.root
        if top.is_file():
            # A prefix names a folder; a file with exactly that name is not under it.
            return iter(())
        found: builtins.list[str] = []
        for dirpath, dirnames, filenames in os.walk(top):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            if rel_dir == ".":
                dirnames[:] = [d for d in dirnames if d != STAGING]
            for name in filenames:
                if name.startswith(".tmp-"):
                    continue
                found.append(name if rel_dir == "." else f"{rel_dir}/{name}")
        return (self._info(k, self.root / k) for k in sorted(found))

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def delete_prefix(self, prefix: str) -> int:
        base = normalize_prefix(prefix)
        if not base:
            count = sum(1 for _ in self.list())
            for child in self.root.iterdir():
                if child.name == STAGING:
                    continue
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            return count
        top = self._path(base)
        if not top.is_dir():
            return 0
        count = sum(1 for _ in self.list(base))
        shutil.rmtree(top)
        return count

    def presigned_get(self, key: str, *, expires_s: int = 3600) -> str:
        raise NotSupported(
            "the local object store cannot presign URLs; the API serves local files itself"
        )

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def probe(self) -> str:
        try:
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".tmp-probe-"):
                pass
            stat = os.statvfs(self.root)
        except OSError as exc:
            raise StorageUnavailable(f"{self.root} is not writable: {exc}") from exc
        free = stat.f_bavail * stat.f_frsize / 2**30
        return f"local files under {self.root} ({free:.1f} GiB free)"

    def uri(self, key: str) -> str:
        return self._path(key).as_uri()

    # --- multipart ---------------------------------------------------------------
    def _upload_dir(self, key: str, upload_id: str) -> Path:
        if not upload_id or not all(c in "0123456789abcdef" for c in upload_id):
            raise UploadError(f"unknown upload id {upload_id!r}")
        folder = self._staging / upload_id
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (FileNotFoundError, ValueError) as exc:
            raise UploadError(
                f"unknown upload id {upload_id!r}; it was completed, aborted or never started"
            ) from exc
        if meta.get("key") != normalize_key(key):
            raise UploadError(f"upload {upload_id!r} is not for key {key!r}")
        return folder

    def create_multipart(self, key: str, *, content_type: str | None = None) -> str:
        self._path(key)  # validates the key
        upload_id = uuid.uuid4().hex
        folder = self._staging / upload_id
        folder.mkdir(parents=True)
        meta = {"key": normalize_key(key), "content_type": content_type}
        (folder / "meta.json").write_text(json.dumps(meta))
        return upload_id

    def presign_part(
        self,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_s: int = 3600,
        content_md5: str | None = None,
    ) -> str:
        raise NotSupported(
            "the local object store cannot presign part URLs; "
            "upload through the API's resumable (tus) endpoint instead"
        )

    def upload_part(
        self, key: str, upload_id: str, part_number: int, data: bytes | BinaryIO
    ) -> PartInfo:
        if not 1 <= part_number <= MAX_PART_NUMBER:
            raise UploadError(f"part number {part_number} is outside 1..{MAX_PART_NUMBER}")
        folder = self._upload_dir(key, upload_id)
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        with self._atomic(folder / f"part-{part_number:05d}") as fh:
            if isinstance(data, bytes):
                chunks: Iterator[bytes] = iter((data,))
            else:
                chunks = iter(lambda: data.read(CHUNK_SIZE), b"")
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        etag = digest.hexdigest()
        (folder / f"part-{part_number:05d}.md5").write_text(etag)
        return PartInfo(number=part_number, size=size, etag=etag)

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        folder = self._upload_dir(key, upload_id)
        parts = []
        for md5_file in sorted(folder.glob("part-*.md5")):
            part = md5_file.with_suffix("")
            if not part.exists():
                continue
            number = int(part.name.removeprefix("part-"))
            parts.append(
                PartInfo(number=number, size=part.stat().st_size, etag=md5_file.read_text())
            )
        return parts

    def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[PartInfo] | None = None
    ) -> ObjectInfo:
        folder = self._upload_dir(key, upload_id)
        chosen = check_parts(parts, self.list_parts(key, upload_id))
        path = self._path(key)
        with self._atomic(path) as out:
            for part in chosen:
                with (folder / f"part-{part.number:05d}").open("rb") as src:
                    shutil.copyfileobj(src, out, CHUNK_SIZE)
        shutil.rmtree(folder)
        return self._info(key, path)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        shutil.rmtree(self._upload_dir(key, upload_id))


def _renamed(src: Path, dst: Path) -> bool:
    """Rename ``src`` to ``dst``; False when that cannot be done in one step (another
    filesystem), so the caller moves file by file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        src.rename(dst)
    except OSError:
        return False
    return True
