"""Where a run's files go: a local OUTDIR, or an object-store prefix (``s3://``).

Files are always produced in a local folder first (``root``). For a local OUTDIR that
folder IS the output and publishing is a no-op; for ``s3://`` it is a staging folder and
every published file is uploaded in the background as soon as it is final (segments
while ffmpeg is still encoding), through ``kinema.storage``. Manifests and
``kinema.json`` are published synchronously, last, which is what makes completion
atomic for readers of the store.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from kinema.settings import Settings
from kinema.storage import ObjectNotFound, ObjectStore, StorageError, join_key, open_url
from kinema_transcoder.errors import OutputFailed

UPLOAD_THREADS = 4


def _os_failure(exc: OSError, where: str) -> OutputFailed:
    if exc.errno == errno.ENOSPC:
        return OutputFailed(f"no space left on device while writing {where}")
    return OutputFailed(f"cannot write {where}: {exc.strerror or exc}")


class Sink:
    """A run's output location."""

    def __init__(
        self, outdir: str, settings: Settings | None = None, *, create: bool = True
    ) -> None:
        """``create=False`` opens an output only to read it (an earlier run's): a local
        folder that does not exist is not made, and reads from it find nothing."""
        self.outdir = outdir
        self.store: ObjectStore | None = None
        self.prefix = ""
        self._staging: tempfile.TemporaryDirectory[str] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        if outdir.startswith("s3://"):
            try:
                self.store, self.prefix = open_url(outdir, settings)
            except StorageError as exc:
                raise OutputFailed(f"cannot use output {outdir}: {exc}") from exc
            self._staging = tempfile.TemporaryDirectory(prefix="kinema-out-")
            self.root = Path(self._staging.name)
            self._pool = ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="kinema-upload")
        else:
            self.root = Path(outdir.removeprefix("file://")).expanduser().resolve()
            try:
                if create:
                    self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _os_failure(exc, str(self.root)) from exc

    @property
    def remote(self) -> bool:
        return self.store is not None

    def path(self, rel: str) -> Path:
        return self.root / rel

    def _key(self, rel: str) -> str:
        return join_key(self.prefix, rel)

    def publish(self, path: Path) -> None:
        """``path`` (under root) is final: upload it in the background when remote."""
        if self.store is None or self._pool is None:
            return
        rel = path.relative_to(self.root).as_posix()
        self._pending.append(self._pool.submit(self._upload, path, rel))

    def _upload(self, path: Path, rel: str) -> None:
        if self.store is None:  # pragma: no cover - only scheduled when remote
            return
        self.store.put_file(path, self._key(rel))

    def adopt(self, other: Sink, rel: str) -> None:
        """Copy ``rel`` of another output (an earlier run's) to the same name here.

        Within one bucket this is a server-side copy, queued like an upload (``flush``
        waits for it); between two local folders a hard link; otherwise the bytes pass
        through this process.
        """
        same_bucket = (
            self.store is not None
            and other.store is not None
            and self.store.uri("") == other.store.uri("")
        )
        if same_bucket and self.store is not None and self._pool is not None:
            src, dst = other._key(rel), self._key(rel)
            self._pending.append(self._pool.submit(self.store.copy, src, dst))
            return
        target = self.path(rel)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            if other.store is None and self.store is None:
                try:
                    os.link(other.path(rel), target)
                except FileNotFoundError:
                    raise
                except OSError:  # another filesystem
                    shutil.copyfile(other.path(rel), target)
                return
            data = other.read_bytes(rel)
            if data is None:
                raise FileNotFoundError(rel)
            target.write_bytes(data)
        except FileNotFoundError as exc:
            raise OutputFailed(f"{other.outdir}/{rel} is missing: cannot copy it") from exc
        except OSError as exc:
            raise _os_failure(exc, f"{self.outdir}/{rel}") from exc
        self.publish(target)

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write and publish synchronously (manifests, reports)."""
        path = self.path(rel)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            raise _os_failure(exc, f"{self.outdir}/{rel}") from exc
        if self.store is not None:
            self.flush()
            try:
                self.store.put_bytes(data, self._key(rel))
            except StorageError as exc:
                raise OutputFailed(f"cannot upload {rel} to {self.outdir}: {exc}") from exc

    def flush(self) -> None:
        """Wait for background uploads; the first failure becomes an OutputFailed."""
        pending, self._pending = self._pending, []
        errors: list[BaseException] = []
        for future in pending:
            exc = future.exception()
            if exc is not None:
                errors.append(exc)
        if errors:
            first = errors[0]
            raise OutputFailed(f"upload to {self.outdir} failed: {first}") from first

    def read_bytes(self, rel: str) -> bytes | None:
        if self.store is not None:
            try:
                return self.store.get_bytes(self._key(rel))
            except ObjectNotFound:
                return None
            except StorageError as exc:
                raise OutputFailed(f"cannot read {rel} from {self.outdir}: {exc}") from exc
        try:
            return self.path(rel).read_bytes()
        except FileNotFoundError:
            return None

    def list(self, rel_prefix: str) -> list[str]:
        """Relative names of every file under ``rel_prefix``."""
        if self.store is not None:
            base = self._key(rel_prefix)
            try:
                return sorted(
                    info.key[len(self.prefix) + 1 :] if self.prefix else info.key
                    for info in self.store.list(base)
                )
            except StorageError as exc:
                raise OutputFailed(f"cannot list {self.outdir}/{rel_prefix}: {exc}") from exc
        folder = self.path(rel_prefix)
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def remove(self, rel: str) -> None:
        """Delete a file or a whole folder, here and in the store."""
        local = self.path(rel)
        if local.is_dir():
            shutil.rmtree(local, ignore_errors=True)
        else:
            local.unlink(missing_ok=True)
        if self.store is not None:
            try:
                self.store.delete(self._key(rel))
                self.store.delete_prefix(self._key(rel))
            except StorageError as exc:
                raise OutputFailed(f"cannot delete {rel} from {self.outdir}: {exc}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self.store is not None:
            self.store.close()
        if self._staging is not None:
            self._staging.cleanup()
