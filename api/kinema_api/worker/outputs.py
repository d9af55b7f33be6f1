"""Reading a finished transcode (pure): progress lines and ``kinema.json`` → catalog.

``kinema.json`` is the transcoder's output contract, read with the core's model
(:class:`kinema.output.TranscodeReport`, so the API never imports the transcoder) and
mapped to catalog rows by the same :func:`~kinema.catalog.services.sync.report_upsert`
the operator uses. What is the pool's own: a manifest the report does not name is taken
from the files of the output folder, and the admin's labels name the sidecar subtitles.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kinema.catalog.services.sync import TrackLabels, VideoUpsert, report_upsert
from kinema.output import THUMBNAILS_FILE, TranscodeReport

# Manifest names of the transcoder's output folder, for a report that omits them.
_FOUND_BY_NAME = (("hls", "master.m3u8"), ("dash", "manifest.mpd"), ("thumbnails", THUMBNAILS_FILE))


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    progress: float | None  # 0..1
    stage: str
    error: str | None = None


def parse_progress_line(line: str) -> ProgressEvent | None:
    """One stdout line of ``kinema transcode``; None for anything that is not JSON."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    value: Any = data.get("progress")
    if value is None:
        value = data.get("percent", data.get("pct"))
        value = float(value) / 100 if isinstance(value, int | float) else None
    elif isinstance(value, int | float):
        value = float(value) / 100 if value > 1 else float(value)
    else:
        value = None
    stage = data.get("stage") or data.get("phase") or data.get("event") or data.get("step") or ""
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message") or json.dumps(error)
    return ProgressEvent(
        progress=None if value is None else max(0.0, min(1.0, value)),
        stage=str(stage)[:63],
        error=str(error) if error else None,
    )


class IncompleteOutput(Exception):
    """The output folder has no complete ``kinema.json``."""


def upsert_from_report(
    report: Mapping[str, object],
    *,
    video_id: uuid.UUID | None,
    generation: int,
    output_prefix: str,
    files: Set[str],
    labels: Mapping[str, str] | None = None,
) -> VideoUpsert:
    """What the catalog should record about a finished transcode.

    ``report`` is ``kinema.json`` as parsed JSON; ``files`` lists the output's relative
    paths (to find manifests the report omits); ``labels``: the admin's label of sidecar
    subtitle languages, shown instead of the language name the transcoder gave the track.
    """
    try:
        parsed = TranscodeReport.model_validate(report)
    except ValidationError as exc:
        raise IncompleteOutput(f"kinema.json is not a transcode report: {exc}") from exc
    if parsed.status != "complete":
        raise IncompleteOutput(parsed.failure())
    manifests = dict(parsed.manifests)
    for key, name in _FOUND_BY_NAME:
        if not manifests.get(key) and name in files:
            manifests[key] = name
    if not manifests.get("hls"):
        raise IncompleteOutput("the output has no HLS master playlist")
    return report_upsert(
        parsed.model_copy(update={"manifests": manifests}),
        base=VideoUpsert(video_id=video_id, generation=generation),
        output_prefix=output_prefix,
        labels=TrackLabels(subtitles=labels or {}),
    )
