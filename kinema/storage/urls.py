"""Storage URLs: ``s3://bucket[/prefix]`` parsing and choosing a backend from settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kinema.settings import Settings
from kinema.storage.base import ObjectStore, normalize_prefix
from kinema.storage.errors import InvalidKey, InvalidStorageUrl
from kinema.storage.local import LocalStore
from kinema.storage.s3 import S3Store

# S3's bucket naming rules (3-63 chars, lowercase, digits, dots, hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    key: str  # a prefix or an object key, without leading or trailing slash

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.key else f"s3://{self.bucket}"


def parse_s3_url(url: str) -> S3Location:
    """Split ``s3://bucket/some/key`` into bucket and key; raises InvalidStorageUrl."""
    if not url.startswith("s3://"):
        raise InvalidStorageUrl(f"{url!r} is not an s3:// URL (expected s3://bucket/prefix)")
    bucket, _, rest = url.removeprefix("s3://").partition("/")
    if not _BUCKET.match(bucket):
        raise InvalidStorageUrl(f"{url!r} does not name a valid S3 bucket ({bucket!r})")
    try:
        key = normalize_prefix(rest)
    except InvalidKey as exc:
        raise InvalidStorageUrl(f"{url!r} has an invalid key: {exc}") from exc
    return S3Location(bucket=bucket, key=key)


def store_from_settings(settings: Settings) -> ObjectStore:
    """The configured store: S3 when ``KINEMA_STORAGE_URL`` is set, else local files."""
    if settings.storage_url:
        loc = parse_s3_url(settings.storage_url)
        return S3Store(
            loc.bucket,
            loc.key,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return LocalStore(settings.local_media_dir)


def open_url(url: str, settings: Settings | None = None) -> tuple[ObjectStore, str]:
    """A store and the key (or prefix) inside it for ``s3://bucket/key`` or a local path.

    For a local path the store is rooted at the path's parent and the key is its name,
    so ``store.get_file(key, ...)`` / ``store.put_dir(dir, key)`` work the same for both.
    """
    if url.startswith("s3://"):
        loc = parse_s3_url(url)
        if not loc.key:
            raise InvalidStorageUrl(f"{url!r} names a bucket, not an object or prefix")
        cfg = settings or Settings()
        return (
            S3Store(loc.bucket, endpoint_url=cfg.s3_endpoint_url, region=cfg.s3_region),
            loc.key,
        )
    if "://" in url and not url.startswith("file://"):
        raise InvalidStorageUrl(f"{url!r}: only s3:// URLs and local paths are supported")
    path = Path(url.removeprefix("file://")).expanduser().resolve()
    return LocalStore(path.parent), path.name
