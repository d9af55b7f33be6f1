"""The catalog side of a Video: what the operator upserts when output goes live, and
deletes with the Video. Writes go through :mod:`kinema.catalog.services` (the same
functions the API uses), never ORM code of our own.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.models import Maturity, TitleKind, TrackKind, Video, VideoStatus
from kinema.catalog.services.accounts import PlanSpec as CatalogPlan
from kinema.catalog.services.accounts import upsert_plan
from kinema.catalog.services.sync import RenditionRecord, TrackRecord, VideoUpsert, upsert_video
from kinema.catalog.services.titles import delete_video
from kinema.resources.video import VideoSpec, VideoType
from kinema_operator.errors import CatalogSyncError
from kinema_operator.report import TranscodeReport


def resource_name(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def metadata_upsert(namespace: str, name: str, spec: VideoSpec, generation: int) -> VideoUpsert:
    """Title metadata from the spec (what a metadata-only edit changes). Pure."""
    episode = spec.episode if spec.type is VideoType.EPISODE else None
    return VideoUpsert(
        resource_name=resource_name(namespace, name),
        title=spec.title,
        description=spec.description,
        kind=TitleKind.SERIES if episode else TitleKind.MOVIE,
        series=episode.series if episode else None,
        season_number=episode.season if episode else None,
        episode_number=episode.number if episode else None,
        year=spec.year,
        maturity=Maturity(spec.maturity_rating),
        genres=list(spec.genres),
        tags=list(spec.tags),
        published=spec.published,
        source=spec.source,
        chapters=_chapters(spec),
        generation=generation,
    )


def _chapters(spec: VideoSpec) -> tuple[float | None, float | None, float | None]:
    c = spec.chapters
    if c is None:
        return (None, None, None)
    return (c.intro_start_seconds, c.intro_end_seconds, c.credits_start_seconds)


def ready_upsert(
    namespace: str,
    name: str,
    spec: VideoSpec,
    generation: int,
    output_key: str,
    report: TranscodeReport,
) -> VideoUpsert:
    """Everything the catalog keeps about a Video whose output is live. Pure."""
    labels = {t.language: t for t in spec.audio_tracks}
    renditions = [
        RenditionRecord(
            name=r.name,
            width=r.width or 0,
            height=r.height or 0,
            bitrate=r.average_bitrate,
            codec=r.codec,
            path=r.playlist,
            size_bytes=r.bytes,
            vmaf=r.quality.vmaf if r.quality else None,
        )
        for r in report.renditions
        if r.kind == "video"
    ]
    tracks: list[TrackRecord] = []
    audio = [r for r in report.renditions if r.kind == "audio"]
    chosen = any(t.default for t in spec.audio_tracks)
    for n, r in enumerate(audio):
        label = labels.get(r.language or "")
        tracks.append(
            TrackRecord(
                kind=TrackKind.AUDIO,
                language=r.language or "und",
                label=(label.label if label and label.label else r.language or r.name),
                path=r.playlist,
                is_default=label.default if label else (not chosen and n == 0),
            )
        )
    sub_labels = {s.language: s.label for s in spec.subtitles}
    for s in report.subtitles:
        tracks.append(
            TrackRecord(
                kind=TrackKind.SUBTITLE,
                language=s.language,
                label=sub_labels.get(s.language) or s.name,
                path=s.uri,
            )
        )
    base = metadata_upsert(namespace, name, spec, generation)
    return VideoUpsert(
        **{
            **{f: getattr(base, f) for f in base.__dataclass_fields__},
            "status": VideoStatus.READY,
            "progress": 1.0,
            # Paths relative to the output prefix, as the embedded pool writes them.
            "output_prefix": output_key,
            "hls_path": report.hls,
            "dash_path": report.dash,
            "thumbnails_path": report.thumbnails,
            "poster_path": report.poster,
            "duration_s": report.duration or (report.probe.duration if report.probe else None),
            "probe": report.probe.model_dump(mode="json", by_alias=True) if report.probe else None,
            "renditions": renditions,
            "tracks": tracks,
        }
    )


class Catalog:
    """Sessions on the catalog database (``KINEMA_DATABASE_URL``)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_db_engine(url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def upsert(self, data: VideoUpsert) -> None:
        try:
            with self.sessions.begin() as session:
                upsert_video(session, data)
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"catalog upsert of {data.resource_name} failed: {exc}") from exc

    def update_metadata(self, data: VideoUpsert) -> None:
        """Apply a metadata-only change, but only to a Video the catalog already has."""
        try:
            with self.sessions.begin() as session:
                found = session.scalar(
                    select(Video.id).where(Video.resource_name == data.resource_name)
                )
                if found is not None:
                    upsert_video(session, data)
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"catalog update of {data.resource_name} failed: {exc}") from exc

    def record_failure(self, name: str, message: str) -> bool:
        """A Failed Video, on the catalog row it feeds (``name`` is ``namespace/name``).

        A row serving an earlier output stays ready (viewers keep playing it) and gets
        the error, which the admin API shows as a failed re-transcode; any other row
        becomes failed. Returns whether a row was there to update; call it when the
        Failed condition is set while ``status.publishedDigest`` (or not) is live.
        """
        try:
            with self.sessions.begin() as session:
                video = session.scalar(select(Video).where(Video.resource_name == name))
                if video is None:
                    return False
                ready = video.status is VideoStatus.READY
                upsert_video(
                    session,
                    VideoUpsert(
                        resource_name=name,
                        error=message or "the transcode failed",
                        status=None if ready else VideoStatus.FAILED,
                    ),
                )
                return True
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"catalog update of {name} failed: {exc}") from exc

    def clear_failure(self, name: str) -> None:
        """The Video recovered without a new output (its spec was reverted): no error."""
        self.update_metadata(VideoUpsert(resource_name=name, error=""))

    def upsert_plan(self, plan: CatalogPlan) -> None:
        try:
            with self.sessions.begin() as session:
                upsert_plan(session, spec=plan)
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"catalog upsert of plan {plan.slug} failed: {exc}") from exc

    def delete(self, name: str) -> bool:
        try:
            with self.sessions.begin() as session:
                video = session.scalar(select(Video).where(Video.resource_name == name))
                if video is None:
                    return False
                delete_video(session, video=video)
                return True
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"catalog delete of {name} failed: {exc}") from exc
