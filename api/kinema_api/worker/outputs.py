"""Reading a finished transcode (pure): progress lines and ``kinema.json`` → catalog.

``kinema.json`` is the transcoder's output contract (camelCase keys, ``status`` is
``complete`` only once the manifests exist). It is read as plain JSON so the API never
imports the transcoder; anything it lacks is taken from the files themselves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kinema.catalog.models import TrackKind, VideoStatus
from kinema.catalog.services.sync import RenditionRecord, TrackRecord, VideoUpsert


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


# ``source`` of a subtitle track extracted from the media (kinema_transcoder.report).
EMBEDDED = "embedded:"


class IncompleteOutput(Exception):
    """The output folder has no complete ``kinema.json``."""


def upsert_from_report(
    report: dict[str, Any],
    *,
    video_id: Any,
    generation: int,
    output_prefix: str,
    files: set[str],
    labels: Mapping[str, str] | None = None,
) -> VideoUpsert:
    """What the catalog should record about a finished transcode.

    ``files`` lists the output's relative paths (to find manifests the report omits);
    ``labels``: the admin's label of sidecar subtitle languages, shown instead of the
    language name the transcoder gave the track.
    """
    if report.get("status") != "complete":
        error = report.get("error") or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        raise IncompleteOutput(message or f"transcode status is {report.get('status')!r}")
    manifests = report.get("manifests") or {}
    hls = manifests.get("hls") or ("master.m3u8" if "master.m3u8" in files else None)
    if not hls:
        raise IncompleteOutput("the output has no HLS master playlist")
    dash = manifests.get("dash") or ("manifest.mpd" if "manifest.mpd" in files else None)
    thumbs = manifests.get("thumbnails") or (
        "thumbnails.vtt" if "thumbnails.vtt" in files else None
    )
    renditions: list[RenditionRecord] = []
    tracks: list[TrackRecord] = []
    for item in report.get("renditions") or []:
        if item.get("kind") == "audio":
            tracks.append(
                TrackRecord(
                    kind=TrackKind.AUDIO,
                    language=item.get("language") or "und",
                    label=item.get("name") or "",
                    path=item.get("playlist") or "",
                    is_default=not tracks,
                )
            )
            continue
        quality = item.get("quality") or {}
        renditions.append(
            RenditionRecord(
                name=str(item.get("name")),
                width=int(item.get("width") or 0),
                height=int(item.get("height") or 0),
                bitrate=int(item.get("averageBitrate") or item.get("peakBitrate") or 0),
                codec=str(item.get("codec") or ""),
                path=str(item.get("playlist") or ""),
                size_bytes=item.get("bytes"),
                vmaf=quality.get("vmaf") if isinstance(quality, dict) else None,
            )
        )
    for sub in report.get("subtitles") or []:
        language = sub.get("language") or "und"
        sidecar = not str(sub.get("source") or "").startswith(EMBEDDED)
        label = (labels or {}).get(language) if sidecar else None
        tracks.append(
            TrackRecord(
                kind=TrackKind.SUBTITLE,
                language=language,
                label=label or sub.get("name") or "",
                path=sub.get("uri") or "",
            )
        )
    posters = report.get("posters") or []
    poster = posters[0].get("uri") if posters and isinstance(posters[0], dict) else None
    probe = report.get("probe")
    duration = report.get("duration") or (probe or {}).get("duration")
    return VideoUpsert(
        video_id=video_id,
        generation=generation,
        status=VideoStatus.READY,
        output_prefix=output_prefix,
        hls_path=hls,
        dash_path=dash,
        thumbnails_path=thumbs,
        poster_path=poster,
        duration_s=float(duration) if duration else None,
        probe=probe if isinstance(probe, dict) else None,
        renditions=renditions,
        tracks=tracks,
    )
