"""``kinema.storage``: the one door to object stores.

Every object-store call in Kinema goes through an :class:`ObjectStore`: S3 (or any
S3-compatible server) in a cluster, a local directory for ``kinema up``. Callers name
objects with relative keys; ``store_from_settings`` picks the backend from
``KINEMA_STORAGE_URL``, and ``open_url`` resolves a full URL (``s3://bucket/key`` or a
local path) to a store and key, which is what the transcoder does with its source and
output arguments.
"""

from __future__ import annotations

from kinema.storage.base import (
    MIN_PART_SIZE,
    ObjectInfo,
    ObjectStore,
    PartInfo,
    guess_content_type,
    join_key,
    md5_base64,
    md5_hex,
    normalize_key,
)
from kinema.storage.errors import (
    ChecksumMismatch,
    InvalidKey,
    InvalidStorageUrl,
    NotSupported,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    UploadError,
)
from kinema.storage.local import LocalStore
from kinema.storage.s3 import S3Store
from kinema.storage.urls import S3Location, open_url, parse_s3_url, store_from_settings

__all__ = [
    "MIN_PART_SIZE",
    "ChecksumMismatch",
    "InvalidKey",
    "InvalidStorageUrl",
    "LocalStore",
    "NotSupported",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "PartInfo",
    "S3Location",
    "S3Store",
    "StorageError",
    "StorageUnavailable",
    "UploadError",
    "guess_content_type",
    "join_key",
    "md5_base64",
    "md5_hex",
    "normalize_key",
    "open_url",
    "parse_s3_url",
    "store_from_settings",
]
