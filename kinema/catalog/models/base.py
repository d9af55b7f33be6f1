"""Declarative base, shared column types and enums for the catalog models.

One schema serves PostgreSQL (production) and SQLite (embedded): ids are UUIDs
(native on PostgreSQL, 32-char text on SQLite), timestamps are stored in UTC and
always come back timezone-aware, enums are stored as plain strings.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Enum, MetaData, Uuid
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations are identical on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always loads timezone-aware (SQLite drops tz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.StrEnum], length: int = 16) -> Enum:
    """Enums as VARCHAR holding the value, so adding a member needs no ALTER TYPE."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Role(enum.StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


class TitleKind(enum.StrEnum):
    MOVIE = "movie"
    SERIES = "series"


class Maturity(enum.StrEnum):
    """Ratings in increasing order; a profile sees titles up to its maximum."""

    ALL = "all"  # G / TV-Y
    KIDS = "7+"  # PG / TV-Y7
    TEEN = "13+"  # PG-13 / TV-14
    MATURE = "16+"
    ADULT = "18+"  # R / NC-17 / TV-MA

    @property
    def level(self) -> int:
        return list(Maturity).index(self)

    @classmethod
    def up_to(cls, limit: Maturity) -> list[Maturity]:
        return [m for m in cls if m.level <= limit.level]


class VideoStatus(enum.StrEnum):
    DRAFT = "draft"  # created, no source yet
    UPLOADING = "uploading"
    QUEUED = "queued"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TrackKind(enum.StrEnum):
    AUDIO = "audio"
    SUBTITLE = "subtitle"


class UploadStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ABORTED = "aborted"


class UploadMethod(enum.StrEnum):
    TUS = "tus"  # resumable chunked upload to the API (embedded)
    MULTIPART = "multipart"  # browser-direct S3 multipart with presigned parts


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    INCOMPLETE = "incomplete"
    PAUSED = "paused"
