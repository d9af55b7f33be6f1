"""Where a source comes from: a local path, ``s3://bucket/key`` or ``https://``.

ffmpeg reads every kind directly, so a chunk pod streams only the byte ranges of its
slice instead of downloading a 50 GB master: local paths as they are, S3 objects through
a presigned URL (made by ``kinema.storage``, the one door to object stores), HTTP(S)
URLs as given. Reachability is checked first so a bad source fails with one clear line
instead of an ffmpeg network error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from kinema.settings import Settings
from kinema.storage import ObjectNotFound, StorageError, open_url
from kinema_transcoder.errors import SourceUnreachable, UnsupportedSource

HTTP_TIMEOUT_S = 15.0
PRESIGN_TTL_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class Source:
    original: str
    input: str  # what ffmpeg/ffprobe open
    size: int | None


def open_source(src: str, settings: Settings | None = None) -> Source:
    if src.startswith("s3://"):
        try:
            store, key = open_url(src, settings)
            info = store.head(key)
            url = store.presigned_get(key, expires_s=PRESIGN_TTL_S)
        except ObjectNotFound as exc:
            raise SourceUnreachable(f"source {src} does not exist") from exc
        except StorageError as exc:
            raise SourceUnreachable(f"cannot read source {src}: {exc}") from exc
        _not_empty(src, info.size)
        return Source(src, url, info.size)
    if src.startswith(("http://", "https://")):
        size = _http_size(src)
        _not_empty(src, size)
        return Source(src, src, size)
    if "://" in src and not src.startswith("file://"):
        raise SourceUnreachable(f"source {src}: only local paths, s3:// and https:// are supported")
    path = Path(src.removeprefix("file://")).expanduser()
    if not path.exists():
        raise SourceUnreachable(f"source {path} does not exist")
    if not path.is_file():
        raise SourceUnreachable(f"source {path} is not a file")
    size = path.stat().st_size
    _not_empty(str(path), size)
    return Source(src, str(path.resolve()), size)


def _not_empty(src: str, size: int | None) -> None:
    if size == 0:
        raise UnsupportedSource(f"source {src} is empty (0 bytes)")


def _http_size(url: str) -> int | None:
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=True) as client:
            response = client.get(url, headers={"Range": "bytes=0-0"})
    except httpx.HTTPError as exc:
        raise SourceUnreachable(f"cannot reach source {url}: {exc}") from exc
    if response.status_code >= 400:
        raise SourceUnreachable(f"source {url} answered HTTP {response.status_code}")
    content_range = response.headers.get("content-range", "")
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return int(total)
    length = response.headers.get("content-length")
    return int(length) if length and length.isdigit() and response.status_code == 200 else None


def read_text(src: str, settings: Settings | None = None) -> str:
    """A small text file (a subtitle sidecar) from any supported location."""
    try:
        if src.startswith("s3://"):
            store, key = open_url(src, settings)
            data = store.get_bytes(key)
        elif src.startswith(("http://", "https://")):
            with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=True) as client:
                response = client.get(src)
                response.raise_for_status()
                data = response.content
        else:
            data = Path(src.removeprefix("file://")).expanduser().read_bytes()
    except (OSError, StorageError, httpx.HTTPError) as exc:
        raise SourceUnreachable(f"cannot read {src}: {exc}") from exc
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedSource(f"{src} is not text")  # pragma: no cover - latin-1 decodes all
