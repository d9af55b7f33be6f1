"""The OCI archives the real node's test imports into containerd: content-addressed
blobs that match their descriptors, a config whose diff_ids name each layer's
uncompressed tar, and an added layer that hides the base's package directories."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from tests.utils import oci_image


def _read(archive: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    blobs: dict[str, bytes] = {}
    with tarfile.open(archive) as tar:
        index = json.loads(tar.extractfile("index.json").read())  # type: ignore[union-attr]
        layout = json.loads(tar.extractfile("oci-layout").read())  # type: ignore[union-attr]
        assert layout == {"imageLayoutVersion": "1.0.0"}
        for member in tar.getmembers():
            if member.name.startswith("blobs/sha256/"):
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                digest = member.name.rsplit("/", 1)[1]
                assert hashlib.sha256(data).hexdigest() == digest, member.name
                blobs["sha256:" + digest] = data
    return index, blobs


def _image(archive: Path) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, bytes]]:
    index, blobs = _read(archive)
    (entry,) = index["manifests"]
    manifest = json.loads(blobs[entry["digest"]])
    assert entry["size"] == len(blobs[entry["digest"]])
    config = json.loads(blobs[manifest["config"]["digest"]])
    for layer in manifest["layers"]:
        assert layer["size"] == len(blobs[layer["digest"]])
    diff_ids = ["sha256:" + hashlib.sha256(gzip.decompress(blobs[layer["digest"]])).hexdigest()
                for layer in manifest["layers"]]  # fmt: skip
    assert config["rootfs"]["diff_ids"] == diff_ids
    return entry["annotations"]["io.containerd.image.name"], manifest, config, blobs


def _names(blob: bytes) -> dict[str, bytes | None]:
    found: dict[str, bytes | None] = {}
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
        for member in tar.getmembers():
            source = tar.extractfile(member) if member.isfile() else None
            found[member.name] = source.read() if source else None
    return found


def test_a_single_file_image_runs_its_file(tmp_path: Path) -> None:
    path = tmp_path / "pause.tar"
    oci_image.single_file_image(path, "localhost/pause:1", b"\x7fELF...", "/pause")
    name, manifest, config, blobs = _image(path)
    assert name == "localhost/pause:1"
    assert config["config"]["Entrypoint"] == ["/pause"]
    assert config["os"] == "linux" and config["architecture"] == "amd64"
    (layer,) = manifest["layers"]
    assert _names(blobs[layer["digest"]]) == {"pause": b"\x7fELF..."}


def test_the_same_files_give_the_same_layer() -> None:
    files = {"opt/app/x.py": (b"print(1)\n", 0o644)}
    assert oci_image.layer(files).diff_id == oci_image.layer(files).diff_id
    assert oci_image.layer(files).blob.digest == oci_image.layer(files).blob.digest


def test_an_extended_image_keeps_the_base_and_hides_replaced_packages(tmp_path: Path) -> None:
    base = tmp_path / "base.tar"
    oci_image.single_file_image(base, "localhost/base:1", b"old", "/opt/pkg/old.py")
    top = oci_image.layer({"opt/pkg/new.py": (b"new", 0o644)}, opaque_dirs=["opt/pkg"])
    out = tmp_path / "image.tar"
    oci_image.extend_image(base, out, "localhost/kinema:checkout-1", top, "COPY the checkout")
    name, manifest, config, blobs = _image(out)
    assert name == "localhost/kinema:checkout-1"
    assert len(manifest["layers"]) == 2
    assert config["config"]["Entrypoint"] == ["/opt/pkg/old.py"]  # the base's config kept
    assert config["history"][-1] == {"created_by": "COPY the checkout"}
    files = _names(blobs[manifest["layers"][1]["digest"]])
    assert files["opt/pkg/new.py"] == b"new"
    # The opaque whiteout: the base's opt/pkg/old.py is gone in the image.
    assert files["opt/pkg/.wh..wh..opq"] == b""
    assert files["opt"] is None and files["opt/pkg"] is None  # parent directories
