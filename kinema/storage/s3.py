"""The S3 (and S3-compatible) object store, through boto3.

A store is a bucket plus an optional key prefix (``s3://bucket/prefix``), so several
Kinema installations can share a bucket. Path-style addressing and SigV4 are used
because S3-compatible servers (MinIO, versitygw) and presigned browser uploads need
them; on AWS they work unchanged.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

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
    ChecksumMismatch,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    UploadError,
)

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_NO_UPLOAD = {"NoSuchUpload"}
_BAD_DIGEST = {"BadDigest", "InvalidDigest", "InvalidPart"}
_TRANSFER = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=16 << 20)


class S3Store(ObjectStore):
    """Objects under ``s3://bucket/prefix``."""

    supports_presigned = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        client: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = normalize_prefix(prefix)
        self.endpoint_url = endpoint_url
        self._client: S3Client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=120,
            ),
        )

    def __repr__(self) -> str:
        return f"S3Store({self.uri('') if self.prefix else 's3://' + self.bucket!r})"

    @property
    def client(self) -> S3Client:
        return self._client

    # --- helpers -----------------------------------------------------------------
    def _full(self, key: str) -> str:
        norm = normalize_key(key)
        return f"{self.prefix}/{norm}" if self.prefix else norm

    def _relative(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1 :] if self.prefix else full_key

    def _fail(self, exc: Exception, what: str, key: str) -> NoReturn:
        where = f"s3://{self.bucket}/{self._full(key) if key else self.prefix}"
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            message = str(exc.response.get("Error", {}).get("Message", "")) or code
            if code in _NOT_FOUND:
                raise ObjectNotFound(f"no object at {where}") from exc
            if code in _NO_UPLOAD:
                raise UploadError(
                    f"unknown upload for {where}; it was completed, aborted or never started"
                ) from exc
            if code in _BAD_DIGEST:
                raise ChecksumMismatch(f"{what} {where}: {message}") from exc
            if code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
                raise StorageUnavailable(
                    f"{what} {where} was refused ({code}); check the S3 credentials"
                ) from exc
            raise StorageError(f"{what} {where} failed: {code}: {message}") from exc
        raise StorageUnavailable(
            f"{what} {where} failed: {exc}; is the S3 endpoint "
            f"{self.endpoint_url or 'AWS'} reachable?"
        ) from exc

    def _managed(self, what: str, key: str, call: Callable[[], object]) -> None:
        """Run a managed transfer (s3transfer), its failures as storage errors."""
        try:
            call()
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, what, key)
        except Exception as exc:  # s3transfer wraps ClientError in its own failure type
            if isinstance(exc.__cause__, ClientError | BotoCoreError):
                self._fail(exc.__cause__, what, key)
            raise

    def _info_from_head(self, key: str, head: Any) -> ObjectInfo:
        return ObjectInfo(
            key=normalize_key(key),
            size=int(head["ContentLength"]),
            etag=str(head.get("ETag", "")).strip('"'),
            last_modified=head.get("LastModified"),
            content_type=head.get("ContentType"),
        )

    # --- objects -----------------------------------------------------------------
    def put_file(
        self, local_path: Path, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        self._managed(
            "upload to",
            key,
            lambda: self._client.upload_file(
                str(local_path),
                self.bucket,
                self._full(key),
                ExtraArgs={"ContentType": content_type or guess_content_type(key)},
                Config=_TRANSFER,
            ),
        )
        return self.head(key)

    def put_bytes(self, data: bytes, key: str, *, content_type: str | None = None) -> ObjectInfo:
        try:
            self._client.put_object(
                Bucket=self.bucket,
                Key=self._full(key),
                Body=data,
                ContentType=content_type or guess_content_type(key),
            )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "upload to", key)
        return self.head(key)

    def put_stream(
        self, stream: BinaryIO, key: str, *, content_type: str | None = None
    ) -> ObjectInfo:
        self._managed(
            "upload to",
            key,
            lambda: self._client.upload_fileobj(
                stream,
                self.bucket,
                self._full(key),
                ExtraArgs={"ContentType": content_type or guess_content_type(key)},
                Config=_TRANSFER,
            ),
        )
        return self.head(key)

    def get_file(self, key: str, local_path: Path) -> ObjectInfo:
        info = self.head(key)
        local_path.parent.mkdir(parents=True, exist_ok=True)
        self._managed(
            "download of",
            key,
            lambda: self._client.download_file(self.bucket, self._full(key), str(local_path)),
        )
        return info

    def iter_range(
        self, key: str, start: int = 0, end: int | None = None, *, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        byte_range = f"bytes={start}-{'' if end is None else end}"
        try:
            if start == 0 and end is None:
                resp = self._client.get_object(Bucket=self.bucket, Key=self._full(key))
            else:
                resp = self._client.get_object(
                    Bucket=self.bucket, Key=self._full(key), Range=byte_range
                )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "read of", key)
        return resp["Body"].iter_chunks(chunk_size)

    def head(self, key: str) -> ObjectInfo:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self._full(key))
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "head of", key)
        return self._info_from_head(key, head)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        base = normalize_prefix(prefix)
        full = join_key(self.prefix, base) + "/" if (self.prefix or base) else ""
        return self._list_full(full)

    def _list_full(self, full_prefix: str) -> Iterator[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=self._relative(item["Key"]),
                        size=int(item["Size"]),
                        etag=str(item.get("ETag", "")).strip('"'),
                        last_modified=item.get("LastModified"),
                    )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "listing of", full_prefix.rstrip("/") or "")

    def copy(self, src_key: str, dst_key: str) -> None:
        # The managed copy switches to UploadPartCopy above the multipart threshold.
        self._managed(
            "copy of",
            src_key,
            lambda: self._client.copy(
                {"Bucket": self.bucket, "Key": self._full(src_key)},
                self.bucket,
                self._full(dst_key),
                Config=_TRANSFER,
            ),
        )

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "delete of", key)

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list(prefix)]
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            try:
                resp = self._client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": self._full(k)} for k in batch], "Quiet": True},
                )
            except (ClientError, BotoCoreError) as exc:
                self._fail(exc, "delete under", prefix)
            errors = resp.get("Errors", [])
            if errors:
                first = errors[0]
                raise StorageError(
                    f"deleting under s3://{self.bucket}/{join_key(self.prefix, prefix)} "
                    f"failed for {len(errors)} objects, e.g. {first.get('Key')}: "
                    f"{first.get('Message')}"
                )
        return len(keys)

    def presigned_get(self, key: str, *, expires_s: int = 3600) -> str:
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._full(key)},
            ExpiresIn=expires_s,
        )

    def close(self) -> None:
        self._client.close()

    def probe(self) -> str:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "access to bucket", "")
        return f"bucket {self.bucket!r} reachable at {self.endpoint_url or 'AWS'}"

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key) if key else self.prefix}"

    # --- multipart ---------------------------------------------------------------
    def create_multipart(self, key: str, *, content_type: str | None = None) -> str:
        try:
            resp = self._client.create_multipart_upload(
                Bucket=self.bucket,
                Key=self._full(key),
                ContentType=content_type or guess_content_type(key),
            )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "multipart upload to", key)
        return resp["UploadId"]

    def presign_part(
        self,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_s: int = 3600,
        content_md5: str | None = None,
    ) -> str:
        if not 1 <= part_number <= MAX_PART_NUMBER:
            raise UploadError(f"part number {part_number} is outside 1..{MAX_PART_NUMBER}")
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._full(key),
            "UploadId": upload_id,
            "PartNumber": part_number,
        }
        if content_md5:
            params["ContentMD5"] = content_md5
        return self._client.generate_presigned_url(
            "upload_part", Params=params, ExpiresIn=expires_s
        )

    def upload_part(
        self, key: str, upload_id: str, part_number: int, data: bytes | BinaryIO
    ) -> PartInfo:
        if not 1 <= part_number <= MAX_PART_NUMBER:
            raise UploadError(f"part number {part_number} is outside 1..{MAX_PART_NUMBER}")
        body = data if isinstance(data, bytes) else data.read()
        try:
            resp = self._client.upload_part(
                Bucket=self.bucket,
                Key=self._full(key),
                UploadId=upload_id,
                PartNumber=part_number,
                Body=body,
            )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "part upload to", key)
        return PartInfo(number=part_number, size=len(body), etag=resp["ETag"].strip('"'))

    def list_parts(self, key: str, upload_id: str) -> builtins.list[PartInfo]:
        parts: builtins.list[PartInfo] = []
        marker = 0
        while True:
            try:
                resp = self._client.list_parts(
                    Bucket=self.bucket,
                    Key=self._full(key),
                    UploadId=upload_id,
                    PartNumberMarker=marker,
                )
            except (ClientError, BotoCoreError) as exc:
                self._fail(exc, "listing parts of", key)
            for item in resp.get("Parts", []):
                parts.append(
                    PartInfo(
                        number=int(item["PartNumber"]),
                        size=int(item["Size"]),
                        etag=str(item["ETag"]).strip('"'),
                    )
                )
            if not resp.get("IsTruncated"):
                return parts
            marker = int(resp.get("NextPartNumberMarker", 0))

    def complete_multipart(
        self, key: str, upload_id: str, parts: Sequence[PartInfo] | None = None
    ) -> ObjectInfo:
        chosen = check_parts(parts, self.list_parts(key, upload_id))
        try:
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self._full(key),
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": p.number, "ETag": f'"{p.etag}"'} for p in chosen]
                },
            )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "completing upload of", key)
        return self.head(key)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._client.abort_multipart_upload(
                Bucket=self.bucket, Key=self._full(key), UploadId=upload_id
            )
        except (ClientError, BotoCoreError) as exc:
            self._fail(exc, "aborting upload of", key)
