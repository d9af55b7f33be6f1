"""The operator's one door to the catalog database (``KINEMA_DATABASE_URL``).

Writes go through :mod:`kinema.catalog.services` (the same functions the API uses),
never ORM code of our own, and every database failure becomes a
:class:`~kinema_operator.errors.CatalogSyncError`. What is written is worked out by the
kinds (:mod:`kinema_operator.video.upserts`, :mod:`kinema_operator.plan.catalog`); this
module holds the sessions and runs the writes (a deleted Plan's retirement opens one of
its sessions in :mod:`kinema_operator.plan.catalog`).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.errors import CatalogError
from kinema.catalog.models import Video, VideoStatus
from kinema.catalog.services.accounts import PlanSpec as CatalogPlan
from kinema.catalog.services.accounts import upsert_plan
from kinema.catalog.services.clips import clip_ids_of_video
from kinema.catalog.services.jobs import ExternalJob, record_external
from kinema.catalog.services.sync import VideoUpsert, upsert_video
from kinema.catalog.services.titles import delete_video
from kinema_operator.errors import CatalogSyncError


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

    def record_transcode(self, data: VideoUpsert, job: ExternalJob) -> None:
        """The ``transcode_jobs`` row of one output of the Video ``data`` describes.

        A Video the catalog does not have yet gets its row now, processing and with its
        title unpublished (a title with nothing to play is not announced); publishing
        the output sets the rest. A row that exists keeps its state: one serving an
        earlier output stays ready.
        """
        try:
            with self.sessions.begin() as session:
                video = session.scalar(
                    select(Video).where(Video.resource_name == data.resource_name)
                )
                if video is None:
                    new = dataclasses.replace(data, status=VideoStatus.PROCESSING, published=None)
                    video = upsert_video(session, new)
                record_external(session, video=video, job=job)
        except (SQLAlchemyError, CatalogError) as exc:
            raise CatalogSyncError(
                f"recording the transcode of {data.resource_name} failed: {exc}"
            ) from exc

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

    def clip_prefixes(self, name: str) -> list[str]:
        """The store prefixes (``clips/<id>``) of the shared clips of the Video ``name``:
        their rows go with the catalog row (cascade), their preview files are ours to
        remove."""
        try:
            with self.sessions() as session:
                video_id = session.scalar(select(Video.id).where(Video.resource_name == name))
                if video_id is None:
                    return []
                return [f"clips/{c.hex}" for c in clip_ids_of_video(session, video_id=video_id)]
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"reading the clips of {name} failed: {exc}") from exc

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
