"""200 MB uploads through both paths, each interrupted and resumed, checksums verified:
browser-direct S3 multipart with presigned part URLs (harness S3 server), and the
resumable tus path to the embedded API (a live server, so the interruption is a real
dropped connection). Data is generated block by block, never held whole in memory."""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kinema_api.app import create_app
from kinema_api.context import AppContext
from tests.utils.factories import admin_token, bearer, live_server, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MIB = 1 << 20
TOTAL = 200 * MIB


def block(i: int) -> bytes:
    """The i-th MiB of the test file (deterministic, incompressible)."""
    return random.Random(i).randbytes(MIB)  # noqa: S311 - test data, not security


def stream(start: int, end: int) -> Iterator[bytes]:
    """Bytes [start, end) of the test file, in at most 1 MiB pieces."""
    pos = start
    while pos < end:
        i, off = divmod(pos, MIB)
        piece = block(i)[off : off + min(MIB - off, end - pos)]
        pos += len(piece)
        yield piece


def file_sha256() -> str:
    digest = hashlib.sha256()
    for piece in stream(0, TOTAL):
        digest.update(piece)
    return digest.hexdigest()


def _admin(ctx: AppContext) -> tuple[Any, dict[str, str]]:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(context=ctx, web_dist=None))
    return client, bearer(admin_token(ctx, client))


def test_s3_presigned_multipart_200mb_resumed(cluster_ctx: AppContext) -> None:
    client, h = _admin(cluster_ctx)
    sha = file_sha256()
    created = client.post(
        "/api/v1/admin/uploads",
        json={"filename": "big.mov", "size": TOTAL, "sha256": sha},
        headers=h,
    )
    assert created.status_code == 201, created.text
    upload = created.json()
    assert upload["method"] == "multipart"
    part_size, count = upload["part_size"], upload["part_count"]
    assert count == -(-TOTAL // part_size)

    def part(n: int) -> bytes:
        return b"".join(stream((n - 1) * part_size, min(n * part_size, TOTAL)))

    def send(numbers: list[int], http: httpx.Client) -> dict[int, str]:
        etags = {}
        for n in numbers:
            data = part(n)
            md5 = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324
            urls = client.post(
                f"/api/v1/admin/uploads/{upload['id']}/parts",
                json={"part_numbers": [n], "content_md5": {str(n): md5}},
                headers=h,
            ).json()["urls"]
            resp = http.put(urls[0]["url"], content=data, headers=urls[0]["headers"])
            assert resp.status_code == 200, resp.text
            etags[n] = resp.headers["ETag"].strip('"')
        return etags

    with httpx.Client(timeout=120) as http:
        first = send(list(range(1, count // 2 + 1)), http)
        # The browser tab closes. A new one asks what the store already holds.
        state = client.get(f"/api/v1/admin/uploads/{upload['id']}", headers=h).json()
        assert state["parts_received"] == sorted(first)
        assert state["offset"] == len(first) * part_size
        # A corrupted part is refused by the store itself (the signed Content-MD5).
        n = count // 2 + 1
        good = part(n)
        md5 = base64.b64encode(hashlib.md5(good).digest()).decode()  # noqa: S324
        url = client.post(
            f"/api/v1/admin/uploads/{upload['id']}/parts",
            json={"part_numbers": [n], "content_md5": {str(n): md5}},
            headers=h,
        ).json()["urls"][0]
        bad = http.put(url["url"], content=b"\x00" + good[1:], headers=url["headers"])
        assert bad.status_code == 400
        rest = send([p for p in range(1, count + 1) if p not in state["parts_received"]], http)
    etags = {**first, **rest}
    done = client.post(
        f"/api/v1/admin/uploads/{upload['id']}/complete",
        json={"parts": [{"number": k, "etag": v} for k, v in sorted(etags.items())]},
        headers=h,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert cluster_ctx.store.head(upload["key"]).size == TOTAL
    # The server verified the SHA-256; check it independently from the store, too.
    digest = hashlib.sha256()
    for chunk in cluster_ctx.store.iter_range(upload["key"]):
        digest.update(chunk)
    assert digest.hexdigest() == sha


def test_tus_200mb_resumed_after_dropped_connection(embedded_ctx: AppContext) -> None:
    sha = file_sha256()
    app = create_app(context=embedded_ctx, web_dist=None)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=120) as http:
        from fastapi.testclient import TestClient

        h = bearer(admin_token(embedded_ctx, TestClient(app)))
        created = http.post(
            "/api/v1/admin/uploads",
            json={"filename": "big.mp4", "size": TOTAL, "sha256": sha},
            headers=h,
        )
        assert created.status_code == 201, created.text
        tus_url = created.json()["tus_url"]
        patch_headers = {
            **h,
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
        }

        def dropping() -> Iterator[bytes]:
            yield from stream(0, 80 * MIB)
            raise ConnectionAbortedError("network dropped")

        with pytest.raises((ConnectionAbortedError, httpx.HTTPError)):
            http.patch(
                tus_url,
                content=dropping(),
                headers={**patch_headers, "Upload-Offset": "0", "Content-Length": str(TOTAL)},
            )

        def settled_offset() -> int | None:
            first = int(http.head(tus_url, headers=h).headers["Upload-Offset"])
            again = http.patch(
                tus_url, content=b"", headers={**patch_headers, "Upload-Offset": str(first)}
            )
            # 204: no PATCH in progress and the offset is what the server holds.
            return first if again.status_code == 204 and first > 0 else None

        offset = wait_for(settled_offset, timeout_s=30, interval_s=0.2)
        assert offset is not None
        assert 0 < offset <= 80 * MIB
        resumed = http.patch(
            tus_url,
            content=stream(offset, TOTAL),
            headers={**patch_headers, "Upload-Offset": str(offset)},
        )
        assert resumed.status_code == 204, resumed.text
        assert int(resumed.headers["Upload-Offset"]) == TOTAL
        state = http.get(created.json()["tus_url"].replace("/tus/", "/"), headers=h).json()
    assert state["status"] == "completed"
    path = embedded_ctx.store.local_path(state["key"])
    assert path is not None and path.stat().st_size == TOTAL
