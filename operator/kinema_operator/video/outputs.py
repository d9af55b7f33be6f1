"""Transcoded output in the object store, through :mod:`kinema.storage` (its one door).

The operator reads two small files the Jobs leave (``probe.json`` from the probe step,
``kinema.json`` written last by the transcoder) and deletes prefixes: an old digest's
output once a new one is live, and everything of a Video deleted with
``deletionPolicy: Delete``. Sources are never touched.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from kinema.media import ProbeSummary
from kinema.output import PROBE_FILE, REPORT_FILE, TranscodeReport
from kinema.settings import Settings
from kinema.storage import ObjectNotFound, ObjectStore, StorageError, store_from_settings
from kinema_operator.errors import OutputError


class Outputs:
    """Output prefixes relative to ``KINEMA_STORAGE_URL`` (``s3://bucket[/prefix]``)."""

    def __init__(self, settings: Settings, store: ObjectStore | None = None) -> None:
        if not settings.storage_url:
            raise OutputError(
                "KINEMA_STORAGE_URL is not set: transcode Jobs need an s3:// location to "
                "write to (e.g. s3://kinema-media)"
            )
        self.base_url = settings.storage_url.rstrip("/")
        self.store = store or store_from_settings(settings)

    def url(self, key: str) -> str:
        """The ``s3://`` URL a Job writes ``key`` at."""
        return f"{self.base_url}/{key}"

    def upload_url(self, upload: str) -> str:
        """``upload:<id>/<file>`` -> the raw upload's URL (uploads land under raw/)."""
        return self.url(f"raw/{upload.removeprefix('upload:')}")

    def _read(self, key: str) -> bytes | None:
        try:
            return self.store.get_bytes(key)
        except ObjectNotFound:
            return None
        except StorageError as exc:
            raise OutputError(f"cannot read {self.url(key)}: {exc}") from exc

    def read_report(self, prefix: str) -> TranscodeReport | None:
        """``kinema.json`` under ``prefix``; None when it is not there (yet)."""
        data = self._read(f"{prefix}/{REPORT_FILE}")
        if data is None:
            return None
        try:
            return TranscodeReport.model_validate_json(data)
        except ValidationError as exc:
            raise OutputError(f"{self.url(prefix)}/{REPORT_FILE} is not a report: {exc}") from exc

    def read_probe(self, prefix: str) -> ProbeSummary | None:
        """The probe summary the probe Job stored (``kinema probe`` JSON)."""
        data = self._read(f"{prefix}/{PROBE_FILE}")
        if data is None:
            return None
        try:
            doc = json.loads(data)
            return ProbeSummary.model_validate(doc.get("probe", doc))
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise OutputError(f"{self.url(prefix)}/{PROBE_FILE} is not a probe: {exc}") from exc

    def close(self) -> None:
        self.store.close()

    def delete_prefix(self, prefix: str) -> int:
        try:
            return self.store.delete_prefix(prefix.rstrip("/"))
        except StorageError as exc:
            raise OutputError(f"cannot delete {self.url(prefix)}: {exc}") from exc

    def prune(self, root: str, keep: str) -> int:
        """Delete everything under ``root`` that is not under ``root/keep``."""
        root = root.rstrip("/")
        stale: set[str] = set()
        try:
            for info in self.store.list(root):
                first = info.key[len(root) + 1 :].split("/", 1)[0]
                if first != keep:
                    stale.add(first)
        except StorageError as exc:
            raise OutputError(f"cannot list {self.url(root)}: {exc}") from exc
        return sum(self.delete_prefix(f"{root}/{name}") for name in sorted(stale))
