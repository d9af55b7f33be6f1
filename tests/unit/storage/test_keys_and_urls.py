from __future__ import annotations

from pathlib import Path

import pytest

from kinema.settings import Settings
from kinema.storage import (
    InvalidKey,
    InvalidStorageUrl,
    LocalStore,
    S3Store,
    guess_content_type,
    join_key,
    normalize_key,
    open_url,
    parse_s3_url,
    store_from_settings,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a", "a"),
        ("raw/x/movie.mp4", "raw/x/movie.mp4"),
        ("a//b/./c", "a/b/c"),
        ("a/b/", "a/b"),
    ],
)
def test_normalize_key(key: str, expected: str) -> None:
    assert normalize_key(key) == expected


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../x", "a/../../b", "a\\b", ".", "a/\x00"])
def test_bad_keys_refused(key: str) -> None:
    with pytest.raises(InvalidKey):
        normalize_key(key)


def test_join_key() -> None:
    assert join_key("processed/", "/v1", "hls/master.m3u8") == "processed/v1/hls/master.m3u8"


@pytest.mark.parametrize(
    ("url", "bucket", "key"),
    [
        ("s3://media", "media", ""),
        ("s3://media/", "media", ""),
        ("s3://media/kinema/prod/", "media", "kinema/prod"),
        ("s3://my.bucket-1/raw/a.mp4", "my.bucket-1", "raw/a.mp4"),
    ],
)
def test_parse_s3_url(url: str, bucket: str, key: str) -> None:
    loc = parse_s3_url(url)
    assert (loc.bucket, loc.key) == (bucket, key)


@pytest.mark.parametrize(
    "url", ["http://x/y", "s3://", "s3://UPPER/x", "s3://ab", "s3://bucket/../x", "media/x"]
)
def test_parse_s3_url_refuses(url: str) -> None:
    with pytest.raises(InvalidStorageUrl):
        parse_s3_url(url)


@pytest.mark.parametrize(
    ("key", "ctype"),
    [
        ("a/master.m3u8", "application/vnd.apple.mpegurl"),
        ("a/manifest.mpd", "application/dash+xml"),
        ("a/720p/seg_00001.m4s", "video/iso.segment"),
        ("a/thumbnails.vtt", "text/vtt"),
        ("a/unknown.zzz", "application/octet-stream"),
    ],
)
def test_content_types(key: str, ctype: str) -> None:
    assert guess_content_type(key) == ctype


def test_store_from_settings_picks_backend(tmp_path: Path) -> None:
    local = store_from_settings(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalStore)
    assert local.root == (tmp_path / "media").resolve()
    s3 = store_from_settings(
        Settings(
            data_dir=tmp_path,
            storage_url="s3://bucket-a/kinema/",
            s3_endpoint_url="http://127.0.0.1:9",
            s3_region="us-east-1",
        )
    )
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix) == ("bucket-a", "kinema")
    assert s3.uri("raw/a.mp4") == "s3://bucket-a/kinema/raw/a.mp4"


def test_open_url_local_path(tmp_path: Path) -> None:
    src = tmp_path / "clip.mp4"
    src.write_bytes(b"data")
    store, key = open_url(str(src))
    assert key == "clip.mp4"
    assert store.get_bytes(key) == b"data"


def test_open_url_refuses_other_schemes() -> None:
    with pytest.raises(InvalidStorageUrl):
        open_url("https://example.com/a.mp4")
    with pytest.raises(InvalidStorageUrl):
        open_url("s3://bucket-a")
