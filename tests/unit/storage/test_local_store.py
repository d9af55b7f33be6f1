"""Local-store specifics; the shared behaviour of both backends is in
tests/integration/storage/test_store_contract.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema.storage import InvalidKey, LocalStore, NotSupported, ObjectNotFound


def test_objects_are_plain_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "media")
    store.put_bytes(b"#EXTM3U\n", "processed/v/master.m3u8")
    path = store.local_path("processed/v/master.m3u8")
    assert path is not None
    assert path.read_bytes() == b"#EXTM3U\n"
    assert path == tmp_path / "media" / "processed" / "v" / "master.m3u8"


def test_staging_folder_is_private(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    upload = store.create_multipart("raw/a.bin")
    store.upload_part("raw/a.bin", upload, 1, b"x")
    assert [i.key for i in store.list()] == []
    with pytest.raises(InvalidKey):
        store.put_bytes(b"x", ".multipart/evil")


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)

    class Broken:
        def __init__(self) -> None:
            self.calls = 0

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("disk went away")
            return b"a" * 10

    with pytest.raises(OSError, match="disk went away"):
        store.put_stream(Broken(), "raw/partial.bin")  # type: ignore[arg-type]
    assert not store.exists("raw/partial.bin")
    assert [p.name for p in (tmp_path / "raw").iterdir()] == []


def test_move_file_renames(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "media")
    src = tmp_path / "upload.bin"
    src.write_bytes(b"1234")
    inode = src.stat().st_ino
    info = store.move_file(src, "raw/u/upload.bin")
    assert info.size == 4
    assert not src.exists()
    moved = store.local_path("raw/u/upload.bin")
    assert moved is not None
    assert moved.stat().st_ino == inode


def test_move_dir_renames_the_tree(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "media")
    src = tmp_path / "out"
    (src / "video").mkdir(parents=True)
    (src / "video" / "seg_00001.m4s").write_bytes(b"1234")
    inode = (src / "video" / "seg_00001.m4s").stat().st_ino
    store.move_dir(src, "processed/v/1")
    assert not src.exists()
    moved = store.local_path("processed/v/1/video/seg_00001.m4s")
    assert moved is not None
    assert moved.stat().st_ino == inode


def test_move_dir_refuses_a_reserved_key_before_moving(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "media")
    src = tmp_path / "out"
    (src / ".multipart").mkdir(parents=True)
    (src / ".multipart" / "evil").write_bytes(b"x")
    with pytest.raises(InvalidKey):
        store.move_dir(src, "")
    assert (src / ".multipart" / "evil").exists()


def test_presign_not_supported(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(NotSupported):
        store.presigned_get("a")
    upload = store.create_multipart("a")
    with pytest.raises(NotSupported):
        store.presign_part("a", upload, 1)


def test_file_prefix_is_not_a_folder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes(b"x", "a/b")
    assert list(store.list("a/b")) == []
    assert [i.key for i in store.list("a")] == ["a/b"]
    with pytest.raises(ObjectNotFound):
        store.head("a")
