"""OCI image archives, written and extended without an image builder.

``ctr images import`` takes an OCI image layout in a tar file: ``oci-layout``,
``index.json`` and content-addressed ``blobs/sha256/<digest>``. The real node's test
needs two images in containerd, and neither is worth a build engine at test time:

* the pod sandbox ("pause") image: one static executable (``scripts/go-tools.sh``
  builds it) in one layer, made here by :func:`single_file_image`;
* the Kinema image as the code under test: the image ``scripts/build-image.sh`` built
  from ``transcoder_image/Dockerfile`` (cached, rebuilt only when its inputs change),
  plus one layer that replaces its Python packages with this checkout's
  (:func:`extend_image`). Each replaced package directory carries an opaque whiteout
  (``.wh..wh..opq``), so a module deleted since the base was built is gone in the
  image too, exactly as a rebuild would leave it.

The image is named by the ``io.containerd.image.name`` annotation, which is the name
``ctr images import`` gives it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OPAQUE_WHITEOUT = ".wh..wh..opq"


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    def descriptor(self, annotations: Mapping[str, str] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": self.digest,
            "size": len(self.data),
        }
        if annotations:
            found["annotations"] = dict(annotations)
        return found


def _json_blob(media_type: str, document: Mapping[str, Any]) -> Blob:
    return Blob(media_type, json.dumps(document, sort_keys=True).encode())


@dataclass(frozen=True)
class Layer:
    """A gzipped layer and the digest of its uncompressed tar (the config's diff_id)."""

    blob: Blob
    diff_id: str


def _add(tar: tarfile.TarFile, name: str, *, data: bytes | None = None, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.mtime = 0
    if data is None:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        return
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def _parents(name: str) -> list[str]:
    parts = name.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def layer(files: Mapping[str, tuple[bytes, int]], *, opaque_dirs: Iterable[str] = ()) -> Layer:
    """A layer holding ``files`` (path in the image without the leading slash ->
    (content, mode)) and an opaque whiteout in each of ``opaque_dirs``."""
    raw = io.BytesIO()
    made: set[str] = set()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        entries: dict[str, tuple[bytes, int]] = dict(files)
        for directory in opaque_dirs:
            entries[f"{directory.strip('/')}/{OPAQUE_WHITEOUT}"] = (b"", 0o644)
        for name in sorted(entries):
            for parent in _parents(name):
                if parent not in made:
                    _add(tar, parent)
                    made.add(parent)
            data, mode = entries[name]
            _add(tar, name, data=data, mode=mode)
    tar_bytes = raw.getvalue()
    diff_id = "sha256:" + hashlib.sha256(tar_bytes).hexdigest()
    # mtime=0: the same files give the same digest, run after run.
    compressed = gzip.compress(tar_bytes, compresslevel=1, mtime=0)
    return Layer(Blob(MEDIA_LAYER_GZIP, compressed), diff_id)


def _index(manifest: Blob, name: str) -> dict[str, Any]:
    tag = name.rsplit(":", 1)[-1] if ":" in name.rsplit("/", 1)[-1] else "latest"
    annotations = {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag}
    return {"schemaVersion": 2, "manifests": [manifest.descriptor(annotations)]}


def _write(
    path: Path,
    index: Mapping[str, Any],
    blobs: Iterable[Blob],
    copy: tarfile.TarFile | None,
    keep: Iterable[str],
) -> None:
    with tarfile.open(path, "w") as out:
        _add(out, "oci-layout", data=json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        _add(out, "index.json", data=json.dumps(index).encode())
        written: set[str] = set()
        for blob in blobs:
            name = "blobs/sha256/" + blob.digest.split(":", 1)[1]
            if name not in written:
                _add(out, name, data=blob.data)
                written.add(name)
        if copy is not None:
            for digest in keep:
                name = "blobs/sha256/" + digest.split(":", 1)[1]
                if name in written:
                    continue
                member = copy.getmember(name)
                source = copy.extractfile(member)
                if source is None:
                    raise ValueError(f"{name} in the base archive is not a file")
                info = tarfile.TarInfo(name)
                info.size, info.mode = member.size, 0o644
                out.addfile(info, source)
                written.add(name)


def single_file_image(path: Path, name: str, binary: bytes, target: str) -> None:
    """An image of one executable at ``target`` that is also its entrypoint."""
    top = layer({target.lstrip("/"): (binary, 0o755)})
    config = _json_blob(
        MEDIA_CONFIG,
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Entrypoint": [target]},
            "rootfs": {"type": "layers", "diff_ids": [top.diff_id]},
        },
    )
    manifest = _json_blob(
        MEDIA_MANIFEST,
        {
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": config.descriptor(),
            "layers": [top.blob.descriptor()],
        },
    )
    _write(path, _index(manifest, name), [top.blob, config, manifest], None, ())


def _read_json(archive: tarfile.TarFile, name: str) -> Any:
    source = archive.extractfile(name)
    if source is None:
        raise ValueError(f"{name} is missing from the image archive")
    return json.loads(source.read())


def _blob_name(digest: str) -> str:
    return "blobs/sha256/" + digest.split(":", 1)[1]


def extend_image(base: Path, path: Path, name: str, top: Layer, created_by: str) -> None:
    """Write ``path``: the single image in the OCI archive ``base`` with ``top`` laid
    over its layers, named ``name``."""
    with tarfile.open(base) as archive:
        index = _read_json(archive, "index.json")
        manifests = index.get("manifests") or []
        if len(manifests) != 1:
            raise ValueError(f"{base} holds {len(manifests)} images, not one")
        manifest = _read_json(archive, _blob_name(manifests[0]["digest"]))
        config = _read_json(archive, _blob_name(manifest["config"]["digest"]))
        config["rootfs"]["diff_ids"].append(top.diff_id)
        config.setdefault("history", []).append({"created_by": created_by})
        config_blob = _json_blob(MEDIA_CONFIG, config)
        base_layers = [entry["digest"] for entry in manifest["layers"]]
        manifest["mediaType"] = MEDIA_MANIFEST
        manifest["config"] = config_blob.descriptor()
        manifest["layers"] = [*manifest["layers"], top.blob.descriptor()]
        manifest_blob = _json_blob(MEDIA_MANIFEST, manifest)
        _write(
            path,
            _index(manifest_blob, name),
            [top.blob, config_blob, manifest_blob],
            archive,
            base_layers,
        )
