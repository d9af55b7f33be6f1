"""The admin page's S3 path: ``kinema up`` on S3 storage (versitygw, a real S3 server),
the browser PUTs the parts straight to the object store on presigned URLs, reads each
part's ETag (the bucket's CORS rules expose it) and asks the API to assemble them.

versitygw 1.8 implements PutBucketCors/GetBucketCors and answers CORS preflights from
the bucket's rules, which is what a browser upload to S3 needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.web import webapp
from tests.utils.ports import free_port
from tests.utils.s3_server import S3Server

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def s3_up(s3: S3Server, s3_prefix: str, tmp_path: Path) -> Iterator[webapp.KinemaUp]:
    try:
        webapp.ensure_web_build()
    except webapp.StackError as exc:
        pytest.skip(str(exc))
    port = free_port()
    client = s3.client()
    client.put_bucket_cors(
        Bucket=s3.bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [f"http://127.0.0.1:{port}"],
                    "AllowedMethods": ["PUT", "GET", "HEAD"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
    env = {
        "AWS_ACCESS_KEY_ID": s3.access_key,
        "AWS_SECRET_ACCESS_KEY": s3.secret_key,
        "AWS_DEFAULT_REGION": s3.region,
        "KINEMA_S3_ENDPOINT_URL": s3.endpoint_url,
        "KINEMA_STORAGE_URL": f"s3://{s3.bucket}/{s3_prefix.rstrip('/')}",
    }
    up = webapp.KinemaUp(data_dir=tmp_path / "data", port=port, env=env)
    try:
        up.start()
    except webapp.StackError as exc:
        client.delete_bucket_cors(Bucket=s3.bucket)
        pytest.fail(str(exc), pytrace=False)
    try:
        yield up
    finally:
        up.stop()
        client.delete_bucket_cors(Bucket=s3.bucket)


def test_browser_multipart_upload_to_s3(
    page: Page, s3: S3Server, s3_prefix: str, s3_up: webapp.KinemaUp, tmp_path: Path
) -> None:
    # Two 16 MiB parts' worth: the API's part size for a file this big.
    clip = webapp.make_clip(tmp_path / "s3-upload.mp4", seconds=8, video_bitrate="24M", noise=True)
    assert clip.stat().st_size > 16 * 1024 * 1024
    part_puts: list[Request] = []
    completes: list[Any] = []

    def on_request(request: Request) -> None:
        if request.method == "PUT" and request.url.startswith(s3.endpoint_url):
            part_puts.append(request)
        if request.method == "POST" and request.url.endswith("/complete"):
            completes.append(request.post_data_json)

    page.on("request", on_request)
    page.set_viewport_size({"width": 1280, "height": 900})
    webapp.login(page, s3_up.base)
    page.goto(f"{s3_up.base}/admin")
    page.set_input_files("#up-file", str(clip))
    page.get_by_label("Title", exact=True).fill("Straight To S3")
    page.get_by_label("Description").fill("Uploaded to S3 by the browser, part by part.")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("Upload complete")).to_be_visible(timeout=120_000)

    # The parts went to the object store, not through the API...
    assert len(part_puts) >= 2, [r.url for r in part_puts]
    assert all("partNumber=" in r.url and "uploadId=" in r.url for r in part_puts)
    statuses = [r.response().status for r in part_puts]  # type: ignore[union-attr]
    assert all(200 <= s < 300 for s in statuses), statuses
    # ...and the page could read every part's ETag (exposed by the bucket's CORS rules).
    assert completes, "the page never asked the API to complete the upload"
    parts = completes[-1]["parts"]
    assert parts is not None, json.dumps(completes[-1])
    assert sorted(p["number"] for p in parts) == list(range(1, len(parts) + 1))
    assert all(p["etag"].strip('"') for p in parts)

    # The assembled object is the file, byte for byte in size.
    row = page.locator("[data-testid=admin-video]", has_text="Straight To S3")
    expect(row).to_be_visible()
    client = s3.client()
    sizes = [
        obj["Size"]
        for obj in client.list_objects_v2(Bucket=s3.bucket, Prefix=s3_prefix).get("Contents", [])
        if obj["Key"].endswith("s3-upload.mp4")
    ]
    assert clip.stat().st_size in sizes, sizes
