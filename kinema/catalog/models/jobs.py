"""Uploads in flight and transcode jobs of the embedded worker pool.

Jobs live in the database, not in memory, so ``kinema up`` can be stopped at any
moment: on start, jobs left ``running`` by a dead process are queued again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import (
    Base,
    IdMixin,
    JobStatus,
    TimestampMixin,
    UploadMethod,
    UploadStatus,
    str_enum,
)
from kinema.catalog.models.titles import Video


class Upload(IdMixin, TimestampMixin, Base):
    __tablename__ = "uploads"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    video_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"))
    method: Mapped[UploadMethod] = mapped_column(str_enum(UploadMethod))
    status: Mapped[UploadStatus] = mapped_column(
        str_enum(UploadStatus), default=UploadStatus.ACTIVE
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    # Store key the finished file lands at (``raw/<upload id>/<filename>``).
    key: Mapped[str] = mapped_column(String(600))
    size: Mapped[int] = mapped_column(BigInteger)
    # Bytes received so far (tus); multipart progress is read from the store.
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    part_size: Mapped[int | None] = mapped_column(BigInteger)
    store_upload_id: Mapped[str | None] = mapped_column(String(1024))
    # Hex SHA-256 the client announced for the whole file, verified on completion.
    sha256: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None]


class TranscodeJob(IdMixin, TimestampMixin, Base):
    __tablename__ = "transcode_jobs"
    __table_args__ = (Index("ix_transcode_jobs_status_created", "status", "created_at"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.QUEUED)
    # "transcode" (encode and package), or "subtitles" (rewrite the subtitle tracks and
    # manifests of the complete output of ``generation`` in place).
    kind: Mapped[str] = mapped_column(String(16), default="transcode", server_default="transcode")
    generation: Mapped[int] = mapped_column(default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    progress: Mapped[float] = mapped_column(default=0.0)
    stage: Mapped[str] = mapped_column(String(63), default="")
    # Which process holds the job (host:pid), and when it last proved it is alive.
    worker: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    video: Mapped[Video] = relationship()
