"""The storage exception tree.

    KinemaError
    ├── ConfigError
    │   └── InvalidStorageUrl      a storage URL that is not ``s3://bucket[/prefix]``
    └── StorageError               an object-store operation failed
        ├── InvalidKey             a key that is empty, absolute or escapes the store
        ├── ObjectNotFound         no object under that key
        ├── NotSupported           the backend cannot do this (e.g. presign on local files)
        ├── UploadError            a multipart upload is unknown, incomplete or corrupt
        │   └── ChecksumMismatch   uploaded bytes differ from what the client announced
        └── StorageUnavailable     the store cannot be reached or refused our credentials

Backend errors (botocore, OSError) are wrapped with ``raise ... from`` so callers only
ever catch these.
"""

from __future__ import annotations

from kinema.errors import ConfigError, KinemaError


class InvalidStorageUrl(ConfigError):
    """A storage URL that cannot be parsed."""


class StorageError(KinemaError):
    """An object-store operation failed."""


class InvalidKey(StorageError):
    """A key that is empty, absolute, or climbs out of the store with ``..``."""


class ObjectNotFound(StorageError):
    """No object exists under the key."""


class NotSupported(StorageError):
    """The backend cannot perform this operation."""


class UploadError(StorageError):
    """A multipart upload is unknown, incomplete, or its parts are inconsistent."""


class ChecksumMismatch(UploadError):
    """The stored bytes do not match the checksum the client announced."""


class StorageUnavailable(StorageError):
    """The store cannot be reached or refused the request."""
