"""Where a source comes from: a local path, ``s3://bucket/key`` or ``https://``.

ffmpeg reads every kind directly, so a chunk pod streams only the byte ranges of its
slice instead of downloading a 50 GB master: local paths as they are, S3 objects through
a presigned URL (made by ``kinema.storage``, the one door to object stores), HTTP(S)
URLs at the end of their redirects. Reachability is checked first so a bad source fails
with one clear line instead of an ffmpeg network error.

A source names what the transcoder reads from inside the cluster, so it is also checked
against what the deployment allows (the same rules for sidecar subtitles):

- ``s3://`` only from the storage bucket and ``KINEMA_SOURCE_BUCKETS``, decided before
  any request, since the Job's credentials may open far more buckets than Videos should;
- ``http(s)://`` only to public addresses unless ``KINEMA_ALLOW_PRIVATE_SOURCES``
  (:mod:`kinema_transcoder.netguard`). Redirects are followed here, one hop at a time
  with the same check on each, and ffmpeg gets the final URL with
  :data:`NO_REDIRECTS` (``Source.input_options``) so it cannot follow one the check
  never saw.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx

from kinema.settings import Settings
from kinema.storage import ObjectNotFound, StorageError, open_url, parse_s3_url
from kinema_transcoder import netguard
from kinema_transcoder.errors import SourceUnreachable, UnsupportedSource
from kinema_transcoder.netguard import Resolver, check_url

HTTP_TIMEOUT_S = 15.0
PRESIGN_TTL_S = 24 * 3600
MAX_REDIRECTS = 5
BUCKETS_SETTING = "KINEMA_SOURCE_BUCKETS"
# ffmpeg/ffprobe options before ``-i`` for a checked http(s) URL: ffmpeg's own default
# (8 redirects) would follow one to an address nobody checked. Only http(s) inputs take
# it: ffmpeg refuses an input option that nothing consumes ("Option ... not found").
NO_REDIRECTS = ("-max_redirects", "0")


@dataclass(frozen=True, slots=True)
class Source:
    original: str
    input: str  # what ffmpeg/ffprobe open
    size: int | None
    # Options ffmpeg and ffprobe must be given before ``-i input``.
    input_options: tuple[str, ...] = ()


def open_source(src: str, settings: Settings | None = None) -> Source:
    if src.startswith("s3://"):
        settings = settings or Settings()
        check_bucket(src, settings)
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
        allow_private = (settings or Settings()).allow_private_sources
        url, size = _http_source(src, allow_private=allow_private)
        _not_empty(src, size)
        return Source(src, url, size, NO_REDIRECTS)
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


def check_bucket(src: str, settings: Settings) -> None:
    """Refuse an ``s3://`` source outside the buckets sources may come from."""
    try:
        bucket = parse_s3_url(src).bucket
    except StorageError as exc:
        raise SourceUnreachable(f"cannot read source {src}: {exc}") from exc
    allowed = settings.source_bucket_names
    if bucket not in allowed:
        listed = ", ".join(sorted(allowed)) or "none"
        raise SourceUnreachable(
            f"source {src} refused: bucket {bucket} is not one sources may come from "
            f"(allowed: {listed}); add it to {BUCKETS_SETTING} to read sources from it"
        )


def get_checked(
    client: httpx.Client,
    url: str,
    *,
    allow_private: bool,
    headers: dict[str, str] | None = None,
    resolve: Resolver = netguard.resolve,
) -> httpx.Response:
    """The streamed response at the end of ``url``'s redirects (the caller closes it),
    each hop's host checked before it is asked anything. ``client`` must not follow
    redirects itself."""
    hop = url
    for _ in range(MAX_REDIRECTS + 1):
        check_url(
            hop, allow_private=allow_private, origin=None if hop == url else url, resolve=resolve
        )
        response = client.send(client.build_request("GET", hop, headers=headers), stream=True)
        if not response.is_redirect:
            return response
        response.close()
        hop = str(response.url.join(response.headers["location"]))
    raise SourceUnreachable(f"source {url} redirects more than {MAX_REDIRECTS} times")


def _http_source(url: str, *, allow_private: bool) -> tuple[str, int | None]:
    """The URL ffmpeg should read for ``url`` (where its redirects end) and its size."""
    try:
        with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False) as client:
            response = get_checked(
                client, url, allow_private=allow_private, headers={"Range": "bytes=0-0"}
            )
            # Closed unread: a server that ignores Range would send the whole file.
            response.close()
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceUnreachable(f"cannot reach source {url}: {exc}") from exc
    if response.status_code >= 400:
        raise SourceUnreachable(f"source {url} answered HTTP {response.status_code}")
    content_range = response.headers.get("content-range", "")
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return str(response.url), int(total)
    length = response.headers.get("content-length")
    size = int(length) if length and length.isdigit() and response.status_code == 200 else None
    return str(response.url), size


def read_text(src: str, settings: Settings | None = None) -> str:
    """A small text file (a subtitle sidecar) from any supported location."""
    try:
        if src.startswith("s3://"):
            settings = settings or Settings()
            check_bucket(src, settings)
            store, key = open_url(src, settings)
            data = store.get_bytes(key)
        elif src.startswith(("http://", "https://")):
            allow_private = (settings or Settings()).allow_private_sources
            with (
                httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False) as client,
                closing(get_checked(client, src, allow_private=allow_private)) as response,
            ):
                response.raise_for_status()
                data = response.read()
        else:
            data = Path(src.removeprefix("file://")).expanduser().read_bytes()
    except (OSError, StorageError, httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceUnreachable(f"cannot read {src}: {exc}") from exc
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedSource(f"{src} is not text")  # pragma: no cover - latin-1 decodes all
