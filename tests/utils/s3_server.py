"""A real S3-compatible server for tests: versitygw over a POSIX directory.

versitygw (built from Go modules by ``scripts/bootstrap``) translates the S3 API to
files under a temp dir, storing object metadata in extended attributes. Clients talk
to it with path-style addressing over plain HTTP on a free loopback port. The harness
creates one bucket per session; tests isolate themselves with key prefixes.

Nothing here touches process-wide state: ``client()`` builds its own boto3 session, so
the default session and the environment stay as they were (``s3_env`` sets the
environment explicitly for tests that need it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import httpx
from botocore.config import Config

from tests.utils import binaries
from tests.utils.ports import free_port
from tests.utils.procs import ServiceProcess

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

REGION = "us-east-1"
BUCKET = "kinema-test"


def versitygw_command(
    versitygw: Path,
    root: Path,
    port: int,
    access_key: str,
    secret_key: str,
    region: str,
    host: str = "127.0.0.1",
) -> list[str]:
    return [
        str(versitygw),
        "--access",
        access_key,
        "--secret",
        secret_key,
        "--region",
        region,
        "--port",
        f"{host}:{port}",
        "--quiet",
        "posix",
        str(root),
    ]


@dataclass
class S3Server:
    """A running S3 endpoint with one bucket created."""

    process: ServiceProcess
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str = REGION
    bucket: str = BUCKET

    def client(self) -> S3Client:
        """A boto3 S3 client for this server, from its own session."""
        session = boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )
        return session.client(
            "s3",
            endpoint_url=self.endpoint_url,
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def env(self) -> dict[str, str]:
        """The environment a Kinema process (operator, transcoder) needs to reach it."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "KINEMA_S3_ENDPOINT_URL": self.endpoint_url,
        }

    def download(self, prefix: str, into: Path) -> list[str]:
        """Copy every object under ``prefix`` into ``into`` (keys relative to the prefix);
        the keys copied."""
        client = self.client()
        keys: list[str] = []
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"]
                keys.append(key)
                target = into / key[len(prefix) :].lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(self.bucket, key, str(target))
        client.close()
        return keys

    def empty_prefix(self, prefix: str) -> None:
        """Delete every object and abort every multipart upload under ``prefix``."""
        s3 = self.client()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys: list[ObjectIdentifierTypeDef] = [
                {"Key": obj["Key"]} for obj in page.get("Contents", [])
            ]
            if keys:
                s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
        uploads = s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        for upload in uploads.get("Uploads", []):
            s3.abort_multipart_upload(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        s3.close()

    def stop(self) -> None:
        self.process.stop()


def _answers_http(endpoint_url: str) -> bool:
    # Any S3 reply (an AccessDenied error for an unsigned request) means it listens.
    response = httpx.get(endpoint_url, timeout=2)
    return response.status_code < 500


def start_s3(work_dir: Path, *, timeout: float = 30, host: str = "127.0.0.1") -> S3Server:
    """Start versitygw with its objects under ``work_dir`` and create the test bucket.

    ``host`` is the address it listens on (a real node's pods reach this host at its
    bridge address, not at loopback)."""
    executable = binaries.go_binary("versitygw")
    root = work_dir / "objects"
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    access_key = "kinema" + secrets.token_hex(4)
    secret_key = secrets.token_urlsafe(24)
    process = ServiceProcess(
        name="versitygw",
        argv=versitygw_command(executable, root, port, access_key, secret_key, REGION, host),
        log_path=work_dir / "versitygw.log",
    )
    server = S3Server(process, f"http://{host}:{port}", access_key, secret_key)
    process.start()
    endpoint = server.endpoint_url
    process.wait_ready(lambda: _answers_http(endpoint), timeout=timeout)
    try:
        client = server.client()
        client.create_bucket(Bucket=server.bucket)
        client.close()
    except Exception as exc:
        process.stop()
        raise process.failure(f"started but creating bucket {server.bucket} failed: {exc}") from exc
    return server
