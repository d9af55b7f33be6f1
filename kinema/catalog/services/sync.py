"""Upserting what a transcode produced into the catalog: both executors' entry point.

The operator and the embedded worker pool both describe a finished or progressing video
with a :class:`VideoUpsert` and call :func:`upsert_video`. A finished transcode becomes
one through :func:`report_upsert`, the one mapping from the transcoder's ``kinema.json``
(:class:`kinema.output.TranscodeReport`) to catalog renditions and tracks; each executor
adds only what it alone knows (the operator: the Video's metadata and its track labels;
the pool: the row's id and the admin's subtitle labels). :func:`report_upsert` is pure;
:func:`upsert_video` touches nothing but the session: no I/O, no clock unless a timestamp
is omitted, and the same input twice leaves the same rows (renditions and tracks are
replaced by name).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.errors import InvalidChange, NotFound
from kinema.catalog.models import (
    Maturity,
    Rendition,
    Title,
    TitleKind,
    Track,
    TrackKind,
    Video,
    VideoStatus,
    utcnow,
)
from kinema.catalog.services.titles import create_title, ensure_season, update_title
from kinema.output import TranscodeReport


@dataclass(frozen=True, slots=True)
class RenditionRecord:
    name: str  # e.g. "720p"
    width: int
    height: int
    bitrate: int = 0
    codec: str = ""
    path: str = ""  # relative to the video's output prefix, e.g. "720p/playlist.m3u8"
    size_bytes: int | None = None
    vmaf: float | None = None


@dataclass(frozen=True, slots=True)
class TrackRecord:
    kind: TrackKind
    language: str = "und"
    label: str = ""
    path: str = ""
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class VideoUpsert:
    """Everything the catalog keeps about one video, as reported by a pipeline.

    ``video_id`` finds an existing row (the embedded pool knows it); otherwise
    ``resource_name`` (the Video resource's ``namespace/name``) does, and a missing
    video is created with its title. ``None`` fields leave stored values unchanged.
    """

    resource_name: str | None = None
    video_id: uuid.UUID | None = None
    # Title metadata (from the Video spec); applied when given.
    title: str | None = None
    description: str | None = None
    kind: TitleKind | None = None
    series: str | None = None  # series name, for episodes
    season_number: int | None = None
    episode_number: int | None = None
    year: int | None = None
    maturity: Maturity | None = None
    genres: Sequence[str] | None = None
    tags: Sequence[str] | None = None
    published: bool | None = None
    source: str | None = None
    # (intro start, intro end, credits start) in seconds; replaces all three when given.
    chapters: tuple[float | None, float | None, float | None] | None = None
    # Processing state.
    status: VideoStatus | None = None
    progress: float | None = None
    error: str | None = None
    generation: int | None = None
    # Output, relative to the store (``processed/<id>/...``).
    output_prefix: str | None = None
    hls_path: str | None = None
    dash_path: str | None = None
    thumbnails_path: str | None = None
    poster_path: str | None = None
    duration_s: float | None = None
    probe: dict[str, Any] | None = None
    renditions: Sequence[RenditionRecord] | None = None
    tracks: Sequence[TrackRecord] | None = None
    ready_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AudioLabel:
    """What the Video's owner calls one audio language, and whether it plays first."""

    label: str = ""
    default: bool = False


@dataclass(frozen=True, slots=True)
class TrackLabels:
    """Names people gave the tracks, shown instead of the transcoder's.

    ``audio`` is keyed by language; a track without a label keeps the transcoder's name
    (the language tag, ``en-2`` for a second English track). When no entry says
    ``default``, the first audio track without an entry is the default. ``subtitles``
    (language -> label) names the sidecar tracks only: a track extracted from the media
    keeps the transcoder's name.
    """

    audio: Mapping[str, AudioLabel] = field(default_factory=dict)
    subtitles: Mapping[str, str] = field(default_factory=dict)


def report_upsert(
    report: TranscodeReport,
    *,
    base: VideoUpsert,
    output_prefix: str,
    labels: TrackLabels | None = None,
) -> VideoUpsert:
    """``base`` (which row, and what the caller knows of it) made ready with the output
    ``report`` describes under ``output_prefix``. Pure.

    Paths stay relative to the output prefix. The caller has checked that the report is
    complete; a report without manifests gives a row without paths.
    """
    labels = labels or TrackLabels()
    renditions = [
        RenditionRecord(
            name=r.name,
            width=r.width or 0,
            height=r.height or 0,
            bitrate=r.average_bitrate or r.peak_bitrate,
            codec=r.codec,
            path=r.playlist,
            size_bytes=r.bytes,
            vmaf=r.quality.vmaf if r.quality else None,
        )
        for r in report.video
    ]
    tracks: list[TrackRecord] = []
    chosen = any(a.default for a in labels.audio.values())
    for n, r in enumerate(report.audio):
        named = labels.audio.get(r.language or "")
        tracks.append(
            TrackRecord(
                kind=TrackKind.AUDIO,
                language=r.language or "und",
                label=named.label if named and named.label else r.name,
                path=r.playlist,
                is_default=named.default if named else (not chosen and n == 0),
            )
        )
    for s in report.subtitles:
        label = labels.subtitles.get(s.language) if s.sidecar else None
        tracks.append(
            TrackRecord(
                kind=TrackKind.SUBTITLE, language=s.language, label=label or s.name, path=s.uri
            )
        )
    probe = report.probe
    return dataclasses.replace(
        base,
        status=VideoStatus.READY,
        progress=1.0,
        output_prefix=output_prefix,
        hls_path=report.hls,
        dash_path=report.dash,
        thumbnails_path=report.thumbnails,
        poster_path=report.poster,
        duration_s=report.duration or (probe.duration if probe else None),
        probe=probe.model_dump(mode="json", by_alias=True) if probe else None,
        renditions=renditions,
        tracks=tracks,
    )


def _find_video(session: Session, data: VideoUpsert) -> Video | None:
    if data.video_id is not None:
        video = session.get(Video, data.video_id)
        if video is None:
            raise NotFound(f"no video {data.video_id} (deleted while it was processing?)")
        return video
    if data.resource_name is not None:
        return session.scalar(select(Video).where(Video.resource_name == data.resource_name))
    raise InvalidChange("a video upsert needs a video_id or a resource_name")


def _title_for_new_video(session: Session, data: VideoUpsert) -> Title:
    episode = data.kind is TitleKind.SERIES or data.series is not None
    name = (data.series if episode else data.title) or data.title or data.resource_name
    if not name:
        raise InvalidChange("a new video needs a title (or a series name for an episode)")
    if episode:
        existing = session.scalar(
            select(Title).where(Title.kind == TitleKind.SERIES, Title.name == name).limit(1)
        )
        if existing is not None:
            return existing
    return create_title(
        session,
        name=name,
        kind=TitleKind.SERIES if episode else TitleKind.MOVIE,
        description=(data.description or "") if not episode else "",
        year=data.year,
        maturity=data.maturity or Maturity.TEEN,
        genres=data.genres or (),
        tags=data.tags or (),
        published=bool(data.published),
    )


def upsert_video(session: Session, data: VideoUpsert) -> Video:
    """Create or update one video (and its title, renditions and tracks) from ``data``.

    Returns the video; the caller commits. Stale reports are ignored: when ``data``
    carries a ``generation`` older than the stored one, only nothing changes.
    """
    video = _find_video(session, data)
    if video is not None and data.generation is not None and data.generation < video.generation:
        return video
    if video is None:
        title = _title_for_new_video(session, data)
        if title.kind is TitleKind.SERIES:
            if data.season_number is None or data.episode_number is None:
                raise InvalidChange("an episode needs a season number and an episode number")
            ensure_season(session, title=title, number=data.season_number)
        video = Video(
            title=title,
            resource_name=data.resource_name,
            name=(data.title or title.name) if title.kind is TitleKind.SERIES else title.name,
            season_number=data.season_number if title.kind is TitleKind.SERIES else None,
            episode_number=data.episode_number if title.kind is TitleKind.SERIES else None,
        )
        session.add(video)
    else:
        title = video.title
        if title.kind is TitleKind.MOVIE:
            update_title(
                session,
                title=title,
                name=data.title,
                description=data.description,
                year=data.year,
                maturity=data.maturity,
                genres=data.genres,
                tags=data.tags,
                published=data.published,
            )
        else:
            update_title(
                session,
                title=title,
                maturity=data.maturity,
                genres=data.genres,
                tags=data.tags,
                published=data.published,
            )
            if data.title is not None:
                video.name = data.title
            if data.description is not None:
                video.description = data.description
    _apply_state(video, data)
    if data.renditions is not None:
        _replace_renditions(video, data.renditions)
    if data.tracks is not None:
        _replace_tracks(video, data.tracks)
    session.flush()
    return video


def _apply_state(video: Video, data: VideoUpsert) -> None:
    simple = {
        "source": data.source,
        "error": data.error,
        "generation": data.generation,
        "output_prefix": data.output_prefix,
        "hls_path": data.hls_path,
        "dash_path": data.dash_path,
        "thumbnails_path": data.thumbnails_path,
        "poster_path": data.poster_path,
        "duration_s": data.duration_s,
        "probe": data.probe,
    }
    for attr, value in simple.items():
        if value is not None:
            setattr(video, attr, value)
    if data.chapters is not None:
        video.intro_start_s, video.intro_end_s, video.credits_start_s = data.chapters
    if data.progress is not None:
        video.progress = max(0.0, min(1.0, data.progress))
    if data.status is not None:
        video.status = data.status
        if data.status is VideoStatus.READY:
            video.progress = 1.0
            video.error = None
            video.ready_at = data.ready_at or video.ready_at or utcnow()


def _replace_renditions(video: Video, records: Sequence[RenditionRecord]) -> None:
    by_name = {r.name: r for r in video.renditions}
    keep: list[Rendition] = []
    for rec in records:
        row = by_name.get(rec.name) or Rendition(name=rec.name, width=0, height=0)
        row.width, row.height, row.bitrate = rec.width, rec.height, rec.bitrate
        row.codec, row.path, row.size_bytes, row.vmaf = (
            rec.codec,
            rec.path,
            rec.size_bytes,
            rec.vmaf,
        )
        keep.append(row)
    video.renditions = sorted(keep, key=lambda r: r.height)


def _replace_tracks(video: Video, records: Sequence[TrackRecord]) -> None:
    video.tracks = [
        Track(
            kind=rec.kind,
            language=rec.language,
            label=rec.label,
            path=rec.path,
            is_default=rec.is_default,
        )
        for rec in records
    ]
