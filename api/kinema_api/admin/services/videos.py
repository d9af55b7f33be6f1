"""Admin video operations: create from an upload, update, re-transcode, delete, status.

Embedded, a transcode is a row in the job queue that the local worker pool picks up
(and the pool is woken at once). In cluster mode (``ctx.videos``) each action becomes a
Video resource the operator reconciles (:mod:`kinema_api.admin.services.resources`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from kinema.catalog.models import (
    Title,
    TitleKind,
    TranscodeJob,
    Upload,
    UploadStatus,
    Video,
    VideoStatus,
)
from kinema.catalog.services import ads, jobs, titles
from kinema.catalog.services import clips as clip_rows
from kinema.storage import StorageError
from kinema_api.admin.schemas import (
    AdminVideoPublic,
    EpisodeCreate,
    JobPublic,
    VideoCreate,
    VideoUpdate,
)
from kinema_api.admin.services import resources
from kinema_api.admin.services import subtitles as subtitle_files
from kinema_api.artwork.services import uploads as artwork_uploads
from kinema_api.context import AppContext
from kinema_api.errors import ApiError, ConflictError, NotFoundError
from kinema_api.viewing.schemas import Chapters


def _completed_upload(session: Session, upload_id: uuid.UUID) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFoundError(f"no upload {upload_id}")
    if upload.status is not UploadStatus.COMPLETED:
        raise ConflictError(f"upload {upload_id} is {upload.status}; complete it first")
    return upload


def create(ctx: AppContext, session: Session, *, body: VideoCreate) -> Video:
    upload = _completed_upload(session, body.upload_id) if body.upload_id else None
    sidecars = subtitle_files.resolve(session, body.subtitles)
    if isinstance(body, EpisodeCreate):
        video = _create_episode(session, body, source=upload.key if upload else None)
    else:
        title = titles.create_title(
            session,
            name=body.title,
            kind=TitleKind.MOVIE,
            description=body.description,
            year=body.year,
            maturity=body.maturity,
            genres=body.genres,
            tags=body.tags,
            published=body.published,
        )
        video = titles.create_video(
            session, title=title, name=body.title, source=upload.key if upload else None
        )
    set_chapters(video, body.chapters)
    video.subtitles = sidecars or None
    if upload is not None:
        upload.video_id = video.id
        if ctx.videos is not None:
            session.flush()
            resources.create(ctx.videos, video=video, source=ctx.store.uri(upload.key))
        else:
            jobs.enqueue_transcode(session, video=video)
    _commit_or_undo(ctx, session, video)
    if upload is not None:
        ctx.jobs_queued.set()
    return video


def _commit_or_undo(ctx: AppContext, session: Session, video: Video) -> None:
    """Commit; when that fails after a Video object was created, delete the object so
    no resource feeds a row that does not exist."""
    name = video.resource_name
    try:
        session.commit()
    except Exception:
        if ctx.videos is not None and name:
            with contextlib.suppress(ApiError):
                ctx.videos.delete(name.partition("/")[2])
        raise


def _create_episode(session: Session, body: EpisodeCreate, *, source: str | None) -> Video:
    if body.series_id is not None:
        title = titles.get_title(session, title_id=body.series_id)
        if title.kind is not TitleKind.SERIES:
            raise ConflictError(f"title {title.id} is a movie, not a series")
        name = body.title
    else:
        title = titles.create_title(
            session,
            name=body.title,
            kind=TitleKind.SERIES,
            year=body.year,
            maturity=body.maturity,
            genres=body.genres,
            tags=body.tags,
            published=body.published,
        )
        name = f"Episode {body.episode_number}"
    return titles.create_video(
        session,
        title=title,
        name=name,
        description=body.description,
        season_number=body.season_number,
        episode_number=body.episode_number,
        source=source,
    )


def update(ctx: AppContext, session: Session, *, video: Video, body: VideoUpdate) -> Video:
    sidecars = None
    if body.subtitles is not None:
        wanted = subtitle_files.resolve(session, body.subtitles)
        if not subtitle_files.same_set(subtitle_files.stored(video), wanted):
            sidecars = wanted
    if body.published and ads.is_ad_video(session, video_id=video.id):
        raise ConflictError(
            f"video {video.id} is an ad creative; unmark it (DELETE /admin/ads/{video.id}) "
            "before publishing its title"
        )
    if ctx.videos is not None:
        # The cluster first: a spec it refuses (CRD validation) changes nothing here.
        resources.update(ctx.videos, video=video, body=body, subtitles=sidecars)
    title = video.title
    if title.kind is TitleKind.MOVIE:
        titles.update_title(
            session,
            title=title,
            name=body.title,
            description=body.description,
            year=body.year,
            maturity=body.maturity,
            genres=body.genres,
            tags=body.tags,
            published=body.published,
        )
    else:
        if body.title is not None:
            video.name = body.title
        if body.description is not None:
            video.description = body.description
        titles.update_title(
            session,
            title=title,
            year=body.year,
            maturity=body.maturity,
            genres=body.genres,
            tags=body.tags,
            published=body.published,
        )
    set_chapters(video, body.chapters)
    queued = sidecars is not None and _set_subtitles(ctx, session, video, sidecars)
    session.commit()
    if queued:
        ctx.jobs_queued.set()
    if body.published:
        ctx.tagging_queued.set()  # the tagging worker looks for newly published titles
    return video


def _set_subtitles(
    ctx: AppContext, session: Session, video: Video, sidecars: list[dict[str, Any]]
) -> bool:
    """Record the new sidecar set; embedded, queue what brings the output in line
    (True when a job was queued). A ready video gets its subtitle tracks rewritten in
    place; one still processing is transcoded again with the new set; a draft or a
    failed video picks the set up at its next transcode."""
    video.subtitles = sidecars or None
    if ctx.videos is not None or not video.source:
        return False
    if video.status not in (VideoStatus.READY, VideoStatus.QUEUED, VideoStatus.PROCESSING):
        return False
    jobs.enqueue_subtitles(session, video=video)
    return True


def set_chapters(video: Video, chapters: Chapters | None) -> None:
    """Copy the chapters onto the video; None leaves them as they are."""
    if chapters is None:
        return
    video.intro_start_s = chapters.intro_start_s
    video.intro_end_s = chapters.intro_end_s
    video.credits_start_s = chapters.credits_start_s


def retranscode(
    ctx: AppContext, session: Session, *, video: Video, upload_id: uuid.UUID | None
) -> Video:
    if ctx.videos is not None:
        upload = _completed_upload(session, upload_id) if upload_id is not None else None
        source = ctx.store.uri(upload.key) if upload is not None else None
        if upload is not None:
            upload.video_id = video.id
        resources.retranscode(ctx.videos, video=video, source=source)
        session.commit()
        return video
    if upload_id is not None:
        upload = _completed_upload(session, upload_id)
        upload.video_id = video.id
        video.source = upload.key
    if not video.source:
        raise ConflictError(f"video {video.id} has no source; pass an upload_id")
    jobs.enqueue_transcode(session, video=video)
    session.commit()
    ctx.jobs_queued.set()
    return video


def delete(ctx: AppContext, session: Session, *, video: Video) -> bool:
    """Delete now (True), or, in cluster mode, ask the operator to (False: the Video's
    finalizer removes the output and the catalog rows)."""
    if ctx.videos is not None and resources.delete(ctx.videos, video=video):
        return False
    prefixes = [f"processed/{video.id.hex}"]
    # Shared clips of the video go with it (rows by cascade): their preview files too.
    prefixes += [f"clips/{c.hex}" for c in clip_rows.clip_ids_of_video(session, video_id=video.id)]
    if video.source and video.source.startswith("raw/") and not _source_shared(session, video):
        prefixes.append(video.source.rsplit("/", 1)[0])
    if video.title.kind is TitleKind.MOVIE:  # the title goes too: its uploaded artwork with it
        prefixes.append(artwork_uploads.prefix(video.title_id).rstrip("/"))
    titles.delete_video(session, video=video)
    session.commit()
    for prefix in prefixes:
        with contextlib.suppress(StorageError):
            ctx.store.delete_prefix(prefix)
    return True


def _source_shared(session: Session, video: Video) -> bool:
    """Whether another video was made from the same uploaded file: its upload must stay
    for that video's next transcode."""
    folder = (video.source or "").rsplit("/", 1)[0] + "/"
    other = session.scalar(
        select(Video.id)
        .where(Video.id != video.id, Video.source.startswith(folder, autoescape=True))
        .limit(1)
    )
    return other is not None


def to_public(
    session: Session, video: Video, *, live: Mapping[str, dict[str, Any]] | None = None
) -> AdminVideoPublic:
    """The admin view of ``video``; ``live`` (cluster mode: the Videos' status by catalog
    id, see :func:`resources.live_statuses`) adds what the operator is doing now."""
    return _public(video, jobs.latest_job(session, video_id=video.id), live)


def to_public_list(
    session: Session, videos: Sequence[Video], *, live: Mapping[str, dict[str, Any]] | None = None
) -> list[AdminVideoPublic]:
    """:func:`to_public` of a page of videos, their latest jobs read in one query."""
    latest = jobs.latest_jobs(session, [v.id for v in videos])
    return [_public(v, latest.get(v.id), live) for v in videos]


def _public(
    video: Video, job: TranscodeJob | None, live: Mapping[str, dict[str, Any]] | None
) -> AdminVideoPublic:
    public = AdminVideoPublic(
        id=video.id,
        title_id=video.title_id,
        title=video.title.name,
        name=video.name,
        kind=video.title.kind,
        season_number=video.season_number,
        episode_number=video.episode_number,
        status=video.status,
        progress=video.progress,
        error=video.error,
        retranscode_failed=jobs.retranscode_failed(video),
        published=video.title.published,
        source=video.source,
        duration_s=video.duration_s,
        chapters=Chapters.of(video),
        subtitles=subtitle_files.public(video),
        renditions=[r.name for r in video.renditions],
        job=JobPublic.model_validate(job) if job else None,
        created_at=video.created_at,
        updated_at=video.updated_at,
    )
    if live is not None and video.resource_name:
        return resources.overlay(public, live.get(str(video.id)))
    return public


def list_videos(
    session: Session, *, status: VideoStatus | None, limit: int, offset: int
) -> list[Video]:
    # Titles in the same statement (see titles.get_video: a finalizer may delete both).
    stmt = (
        select(Video)
        .join(Title)
        .options(contains_eager(Video.title), selectinload(Video.renditions))
        .order_by(Video.created_at.desc(), Video.id)
    )
    if status is not None:
        stmt = stmt.where(Video.status == status)
    return list(session.scalars(stmt.limit(limit).offset(offset)))
