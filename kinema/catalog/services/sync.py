"""Upserting what a transcode produced into the catalog: the operator's entry point.

The operator (from a Video resource's status) and the embedded worker pool (from the
transcoder's ``kinema.json``) both describe a finished or progressing video with a
:class:`VideoUpsert` and call :func:`upsert_video`. The function is pure with respect
to everything but the session: no I/O, no clock unless a timestamp is omitted, and the
same input twice leaves the same rows (renditions and tracks are replaced by name).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
