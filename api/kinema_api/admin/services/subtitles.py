"""Sidecar subtitle files an admin attaches to a video (SRT or WebVTT, one a language).

Each file is an upload like the video's own source. :func:`resolve` checks the
uploads at the edge (they exist, are complete, are small subtitle files) and gives
the form kept on the catalog row (``Video.subtitles``), which is the API's record of
the set in both run modes: the embedded worker reads it to pass ``--subtitle LANG=PATH``
to the transcoder, and cluster mode also writes it to the Video's ``spec.subtitles``
(:func:`spec_subtitles`). Everything here but :func:`resolve` is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from kinema.catalog.models import Upload, UploadStatus, Video
from kinema_api.admin.schemas import (
    MAX_SUBTITLE_BYTES,
    SUBTITLE_SUFFIXES,
    SubtitleFilePublic,
    SubtitleIn,
)
from kinema_api.errors import ConflictError, InvalidResource, NotFoundError

# Where uploads land in the store; the operator resolves ``upload:<rest>`` to ``raw/<rest>``.
RAW_PREFIX = "raw/"


def resolve(session: Session, items: Sequence[SubtitleIn]) -> list[dict[str, Any]]:
    """The stored form of ``items``; NotFoundError, ConflictError or InvalidResource
    (naming the upload) when one cannot be a subtitle track."""
    stored: list[dict[str, Any]] = []
    for item in items:
        upload = session.get(Upload, item.upload_id)
        where = f"subtitles ({item.language})"
        if upload is None:
            raise NotFoundError(f"{where}: no upload {item.upload_id}")
        if upload.status is not UploadStatus.COMPLETED:
            raise ConflictError(
                f"{where}: upload {upload.id} is {upload.status}; complete it first"
            )
        if not upload.filename.lower().endswith(SUBTITLE_SUFFIXES):
            raise InvalidResource(
                f"{where}: upload {upload.id} ({upload.filename}) is not a subtitle file; "
                "upload an .srt or .vtt file"
            )
        if upload.size > MAX_SUBTITLE_BYTES:
            raise InvalidResource(
                f"{where}: upload {upload.id} is {upload.size} bytes; a subtitle file may "
                f"have at most {MAX_SUBTITLE_BYTES} bytes"
            )
        if not upload.key.startswith(RAW_PREFIX):  # pragma: no cover - uploads.py's layout
            raise ConflictError(f"{where}: upload {upload.id} is not in the upload area")
        stored.append(
            {
                "language": item.language,
                "label": item.label,
                "upload_id": str(upload.id),
                "key": upload.key,
                "filename": upload.filename,
            }
        )
    return stored


def stored(video: Video) -> list[dict[str, Any]]:
    return [dict(s) for s in video.subtitles or [] if isinstance(s, dict)]


def same_set(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> bool:
    """Whether two stored sets give the same tracks (order aside)."""

    def key(s: dict[str, Any]) -> tuple[str, str, str]:
        return (str(s.get("language")), str(s.get("key")), str(s.get("label") or ""))

    return sorted(map(key, a)) == sorted(map(key, b))


def public(video: Video) -> list[SubtitleFilePublic]:
    return [
        SubtitleFilePublic(
            language=s["language"],
            label=s.get("label"),
            upload_id=s["upload_id"],
            filename=s.get("filename") or s["key"].rsplit("/", 1)[-1],
        )
        for s in stored(video)
    ]


def sidecars(video: Video) -> list[tuple[str, str]]:
    """(language, store key) of each sidecar, for the transcoder's ``--subtitle``."""
    return [(s["language"], s["key"]) for s in stored(video)]


def labels(video: Video) -> dict[str, str]:
    """The admin's label of each language that has one (the catalog shows it)."""
    return {s["language"]: s["label"] for s in stored(video) if s.get("label")}


def spec_subtitles(items: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """``spec.subtitles`` of a Video: ``upload:<upload id>/<file>`` sources, as the
    operator resolves them to the raw upload."""
    spec = []
    for s in items:
        entry = {"language": s["language"], "source": "upload:" + s["key"][len(RAW_PREFIX) :]}
        if s.get("label"):
            entry["label"] = s["label"]
        spec.append(entry)
    return spec
