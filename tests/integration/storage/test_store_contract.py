"""The behaviour both object-store backends share, run on local files and on the
harness's real S3 server."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kinema.storage import (
    MIN_PART_SIZE,
    ChecksumMismatch,
    LocalStore,
    ObjectNotFound,
    ObjectStore,
    PartInfo,
    S3Store,
    UploadError,
    md5_base64,
    md5_hex,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    s3: Any = request.getfixturevalue("s3")
    prefix: str = request.getfixturevalue("s3_prefix")
    yield S3Store(s3.bucket, prefix, client=s3.client())


def test_put_head_get_roundtrip(store: ObjectStore, tmp_path: Path) -> None:
    info = store.put_bytes(b"hello world", "a/b/hello.txt")
    assert info.size == 11
    head = store.head("a/b/hello.txt")
    assert head.size == 11
    assert head.etag
    assert store.exists("a/b/hello.txt")
    assert not store.exists("a/b/other.txt")
    out = tmp_path / "dl" / "hello.txt"
    store.get_file("a/b/hello.txt", out)
    assert out.read_bytes() == b"hello world"
    assert store.get_bytes("a/b/hello.txt") == b"hello world"


def test_put_file_and_stream(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    data = bytes(range(256)) * 4096  # 1 MiB
    src.write_bytes(data)
    assert store.put_file(src, "raw/src.bin").size == len(data)
    assert store.put_stream(io.BytesIO(data), "raw/stream.bin").size == len(data)
    assert hashlib.sha256(store.get_bytes("raw/stream.bin")).digest() == (
        hashlib.sha256(data).digest()
    )


def test_ranges(store: ObjectStore) -> None:
    store.put_bytes(b"0123456789", "r.bin")
    assert store.read_range("r.bin", 2, 5) == b"2345"
    assert b"".join(store.iter_range("r.bin", 7)) == b"789"
    assert b"".join(store.iter_range("r.bin", 0, 100)) == b"0123456789"


def test_missing_object(store: ObjectStore, tmp_path: Path) -> None:
    with pytest.raises(ObjectNotFound):
        store.head("nope/x")
    with pytest.raises(ObjectNotFound):
        store.get_file("nope/x", tmp_path / "x")
    with pytest.raises(ObjectNotFound):
        store.get_bytes("nope/x")


def test_list_and_delete_prefix(store: ObjectStore) -> None:
    for key in ["p/v1/a", "p/v1/sub/b", "p/v10/c", "q/d"]:
        store.put_bytes(key.encode(), key)
    assert [i.key for i in store.list("p/v1")] == ["p/v1/a", "p/v1/sub/b"]
    assert [i.key for i in store.list("p")] == ["p/v1/a", "p/v1/sub/b", "p/v10/c"]
    assert store.delete_prefix("p/v1") == 2
    assert [i.key for i in store.list("")] == ["p/v10/c", "q/d"]
    store.delete("q/d")
    store.delete("q/d")  # deleting twice is fine
    assert [i.key for i in store.list()] == ["p/v10/c"]


def test_copy(store: ObjectStore) -> None:
    store.put_bytes(b"segment bytes", "out/a/video/seg_00001.m4s")
    store.put_bytes(b"older", "out/b/video/seg_00001.m4s")
    store.copy("out/a/video/seg_00001.m4s", "out/b/video/seg_00001.m4s")
    assert store.get_bytes("out/b/video/seg_00001.m4s") == b"segment bytes"
    head = store.head("out/b/video/seg_00001.m4s")
    assert head.etag == store.head("out/a/video/seg_00001.m4s").etag
    # The copy is its own object: deleting the original leaves it.
    store.delete_prefix("out/a")
    assert store.get_bytes("out/b/video/seg_00001.m4s") == b"segment bytes"
    with pytest.raises(ObjectNotFound):
        store.copy("out/a/video/seg_00001.m4s", "out/c/x")


def test_put_dir_get_dir(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "out"
    (src / "720p").mkdir(parents=True)
    (src / "master.m3u8").write_text("#EXTM3U\n")
    (src / "720p" / "seg_1.m4s").write_bytes(b"\x00" * 100)
    store.put_dir(src, "processed/v")
    assert store.head("processed/v/master.m3u8").content_type in {
        "application/vnd.apple.mpegurl",
        None,
    }
    dest = tmp_path / "back"
    store.get_dir("processed/v", dest)
    assert (dest / "720p" / "seg_1.m4s").read_bytes() == b"\x00" * 100
    assert (dest / "master.m3u8").read_text() == "#EXTM3U\n"


def test_move_file_leaves_nothing_behind(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "upload.bin"
    src.write_bytes(b"finished upload")
    info = store.move_file(src, "raw/u/upload.bin", content_type="video/mp4")
    assert info.size == len(b"finished upload")
    assert not src.exists()
    assert store.get_bytes("raw/u/upload.bin") == b"finished upload"


def test_move_dir_publishes_the_tree_and_removes_it(store: ObjectStore, tmp_path: Path) -> None:
    src = tmp_path / "out"
    (src / "video" / "720p").mkdir(parents=True)
    (src / "master.m3u8").write_text("#EXTM3U\n")
    (src / "video" / "720p" / "seg_00001.m4s").write_bytes(b"\x00" * 100)
    infos = store.move_dir(src, "processed/v/1")
    assert sorted(i.key for i in infos) == [
        "processed/v/1/master.m3u8",
        "processed/v/1/video/720p/seg_00001.m4s",
    ]
    assert not src.exists()
    assert store.get_bytes("processed/v/1/master.m3u8") == b"#EXTM3U\n"
    assert store.head("processed/v/1/video/720p/seg_00001.m4s").size == 100


def test_move_dir_into_a_used_prefix_replaces_same_keys_only(
    store: ObjectStore, tmp_path: Path
) -> None:
    store.put_bytes(b"old manifest", "processed/v/1/master.m3u8")
    store.put_bytes(b"kept", "processed/v/1/posters/p.jpg")
    src = tmp_path / "out"
    src.mkdir()
    (src / "master.m3u8").write_text("#EXTM3U\n")
    store.move_dir(src, "processed/v/1")
    assert not src.exists()
    assert store.get_bytes("processed/v/1/master.m3u8") == b"#EXTM3U\n"
    assert store.get_bytes("processed/v/1/posters/p.jpg") == b"kept"


def test_multipart_resume_and_checksums(store: ObjectStore) -> None:
    part1 = b"a" * MIN_PART_SIZE
    part2 = b"b" * 1234
    upload = store.create_multipart("raw/big.bin")
    sent = store.upload_part("raw/big.bin", upload, 1, part1)
    assert sent.etag == md5_hex(part1)
    # A client that lost its state asks what the store holds and resumes from there.
    held = store.list_parts("raw/big.bin", upload)
    assert [(p.number, p.size, p.etag) for p in held] == [(1, len(part1), md5_hex(part1))]
    store.upload_part("raw/big.bin", upload, 2, io.BytesIO(part2))
    with pytest.raises(ChecksumMismatch):
        store.complete_multipart(
            "raw/big.bin",
            upload,
            [PartInfo(1, len(part1), md5_hex(part1)), PartInfo(2, len(part2), md5_hex(b"x"))],
        )
    info = store.complete_multipart(
        "raw/big.bin",
        upload,
        [PartInfo(1, len(part1), md5_hex(part1)), PartInfo(2, len(part2), md5_hex(part2))],
    )
    assert info.size == len(part1) + len(part2)
    assert store.read_range("raw/big.bin", MIN_PART_SIZE - 2, MIN_PART_SIZE + 1) == b"aabb"


def test_multipart_refusals(store: ObjectStore) -> None:
    upload = store.create_multipart("raw/x.bin")
    store.upload_part("raw/x.bin", upload, 1, b"small")
    store.upload_part("raw/x.bin", upload, 2, b"tail")
    with pytest.raises(UploadError, match="at least"):
        store.complete_multipart("raw/x.bin", upload)
    with pytest.raises(UploadError, match="never uploaded"):
        store.complete_multipart("raw/x.bin", upload, [PartInfo(3, 1, "")])
    store.abort_multipart("raw/x.bin", upload)
    with pytest.raises(UploadError):
        store.list_parts("raw/x.bin", upload)
    assert not store.exists("raw/x.bin")


def test_presigned_urls(request: pytest.FixtureRequest) -> None:
    s3: Any = request.getfixturevalue("s3")
    prefix: str = request.getfixturevalue("s3_prefix")
    store = S3Store(s3.bucket, prefix, client=s3.client())
    store.put_bytes(b"presigned!", "p.txt")
    resp = httpx.get(store.presigned_get("p.txt", expires_s=60))
    assert resp.status_code == 200
    assert resp.content == b"presigned!"

    # Browser-direct part uploads: the MD5 is signed, so corrupted bytes are refused.
    body = b"z" * MIN_PART_SIZE
    upload = store.create_multipart("raw/direct.bin")
    url = store.presign_part("raw/direct.bin", upload, 1, content_md5=md5_base64(body))
    bad = httpx.put(url, content=b"y" * MIN_PART_SIZE, headers={"Content-MD5": md5_base64(body)})
    assert bad.status_code >= 400
    ok = httpx.put(url, content=body, headers={"Content-MD5": md5_base64(body)})
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"].strip('"') == md5_hex(body)
    info = store.complete_multipart("raw/direct.bin", upload)
    assert info.size == len(body)


def test_probe(store: ObjectStore) -> None:
    assert store.probe()


def test_probe_reports_unreachable_s3() -> None:
    from kinema.storage import StorageUnavailable

    dead = S3Store("no-such-bucket", endpoint_url="http://127.0.0.1:9", region="us-east-1")
    with pytest.raises(StorageUnavailable):
        dead.probe()
