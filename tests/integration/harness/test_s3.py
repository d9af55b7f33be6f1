"""The S3 server from the harness: multipart uploads, presigned and ranged GETs."""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

import boto3
import httpx
import pytest

from tests.utils.s3_server import S3Server

if TYPE_CHECKING:
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

pytestmark = pytest.mark.integration

PART = 5 * 1024 * 1024  # S3's minimum size for every part but the last


def _payload() -> bytes:
    # Two full parts and a short tail, each part different so a misplaced part shows.
    return os.urandom(PART) + os.urandom(PART) + b"tail-of-the-upload"


def test_multipart_upload_then_presigned_and_ranged_get(s3: S3Server, s3_prefix: str) -> None:
    client = s3.client()
    key = f"{s3_prefix}raw/source.bin"
    data = _payload()
    chunks = [data[:PART], data[PART : 2 * PART], data[2 * PART :]]

    upload = client.create_multipart_upload(
        Bucket=s3.bucket, Key=key, ContentType="application/octet-stream"
    )
    parts: list[CompletedPartTypeDef] = []
    for number, chunk in enumerate(chunks, start=1):
        done = client.upload_part(
            Bucket=s3.bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=chunk
        )
        parts.append({"PartNumber": number, "ETag": done["ETag"]})
    listed = client.list_parts(Bucket=s3.bucket, Key=key, UploadId=upload["UploadId"])
    assert [p["Size"] for p in listed["Parts"]] == [len(c) for c in chunks]
    client.complete_multipart_upload(
        Bucket=s3.bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )

    head = client.head_object(Bucket=s3.bucket, Key=key)
    assert head["ContentLength"] == len(data)
    assert head["ETag"].strip('"').endswith("-3")  # S3's multipart ETag: md5-of-md5s "-N"

    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": s3.bucket, "Key": key}, ExpiresIn=300
    )
    with httpx.Client(timeout=30) as http:
        whole = http.get(url)
        assert whole.status_code == 200
        assert hashlib.sha256(whole.content).digest() == hashlib.sha256(data).digest()

        start, end = PART - 10, PART + 9  # a range straddling the first part boundary
        ranged = http.get(url, headers={"Range": f"bytes={start}-{end}"})
        assert ranged.status_code == 206
        assert ranged.headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"
        assert ranged.content == data[start : end + 1]

        unsigned = http.get(url.split("?", 1)[0])
        assert unsigned.status_code == 403

    tail = client.get_object(Bucket=s3.bucket, Key=key, Range="bytes=-18")
    assert tail["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert tail["Body"].read() == b"tail-of-the-upload"
    client.close()


def test_prefix_cleanup_removes_objects_and_open_uploads(s3: S3Server) -> None:
    client = s3.client()
    prefix = "harness-cleanup/"
    client.put_object(Bucket=s3.bucket, Key=f"{prefix}a.txt", Body=b"a")
    client.put_object(Bucket=s3.bucket, Key=f"{prefix}nested/b.txt", Body=b"b")
    client.create_multipart_upload(Bucket=s3.bucket, Key=f"{prefix}open.bin")
    outside = "harness-keep/c.txt"
    client.put_object(Bucket=s3.bucket, Key=outside, Body=b"c")

    s3.empty_prefix(prefix)

    assert client.list_objects_v2(Bucket=s3.bucket, Prefix=prefix).get("KeyCount") == 0
    uploads = client.list_multipart_uploads(Bucket=s3.bucket, Prefix=prefix)
    assert uploads.get("Uploads", []) == []
    assert client.get_object(Bucket=s3.bucket, Key=outside)["Body"].read() == b"c"
    client.delete_object(Bucket=s3.bucket, Key=outside)
    client.close()


def test_env_alone_is_enough_for_a_client(s3_env: S3Server, s3_prefix: str) -> None:
    assert os.environ["KINEMA_S3_ENDPOINT_URL"] == s3_env.endpoint_url
    client = boto3.session.Session().client("s3")  # credentials and endpoint from env
    client.put_object(Bucket=s3_env.bucket, Key=f"{s3_prefix}env.txt", Body=b"from env")
    body = s3_env.client().get_object(Bucket=s3_env.bucket, Key=f"{s3_prefix}env.txt")["Body"]
    assert body.read() == b"from env"
    client.close()


def test_wrong_secret_is_refused(s3: S3Server) -> None:
    from botocore.exceptions import ClientError

    client = boto3.session.Session(
        aws_access_key_id=s3.access_key, aws_secret_access_key="not-the-secret"
    ).client("s3", endpoint_url=s3.endpoint_url, region_name=s3.region)
    with pytest.raises(ClientError) as refused:
        client.list_objects_v2(Bucket=s3.bucket)
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    client.close()
