"""What can be watched: titles (movies and series), seasons, videos (the playable
assets: a movie's feature or an episode), their renditions and tracks, genres and tags.

A movie title has one video; a series has seasons whose episodes are videos. Playback,
progress and transcoding all hang off the video.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kinema.catalog.models.base import (
    Base,
    IdMixin,
    Maturity,
    TimestampMixin,
    TitleKind,
    TrackKind,
    VideoStatus,
    str_enum,
)

title_genres = Table(
    "title_genres",
    Base.metadata,
    Column("title_id", ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
    Column("genre_id", ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True),
)

title_tags = Table(
    "title_tags",
    Base.metadata,
    Column("title_id", ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Genre(IdMixin, Base):
    __tablename__ = "genres"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Tag(IdMixin, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(80), unique=True)


class Title(IdMixin, TimestampMixin, Base):
    __tablename__ = "titles"
    __table_args__ = (Index("ix_titles_published_created", "published", "created_at"),)

    kind: Mapped[TitleKind] = mapped_column(str_enum(TitleKind), default=TitleKind.MOVIE)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None]
    maturity: Mapped[Maturity] = mapped_column(str_enum(Maturity), default=Maturity.TEEN)
    published: Mapped[bool] = mapped_column(default=False)
    poster_key: Mapped[str | None] = mapped_column(String(500))
    backdrop_key: Mapped[str | None] = mapped_column(String(500))
    # Genre and tag names, episode names, cast...: searchable text kept by the services.
    keywords: Mapped[str] = mapped_column(Text, default="")

    genres: Mapped[list[Genre]] = relationship(secondary=title_genres, order_by="Genre.name")
    tags: Mapped[list[Tag]] = relationship(secondary=title_tags, order_by="Tag.name")
    seasons: Mapped[list[Season]] = relationship(
        back_populates="title", cascade="all, delete-orphan", order_by="Season.number"
    )
    videos: Mapped[list[Video]] = relationship(
        back_populates="title",
        cascade="all, delete-orphan",
        order_by="(Video.season_number, Video.episode_number)",
    )


class Season(IdMixin, Base):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("title_id", "number", name="uq_seasons_title_number"),)

    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")

    title: Mapped[Title] = relationship(back_populates="seasons")


class Video(IdMixin, TimestampMixin, Base):
    """One playable asset and its processing state."""

    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_title_episode", "title_id", "season_number", "episode_number"),
    )

    title_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    # Name of the Video custom resource in a cluster (unique when set).
    resource_name: Mapped[str | None] = mapped_column(String(253), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    season_number: Mapped[int | None]
    episode_number: Mapped[int | None]
    duration_s: Mapped[float | None]
    status: Mapped[VideoStatus] = mapped_column(
        str_enum(VideoStatus), default=VideoStatus.DRAFT, index=True
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    # Where the source is: a store key (``raw/...``), an s3:// or https:// URL.
    source: Mapped[str | None] = mapped_column(String(2000))
    # Store prefix of the packaged output (``processed/<video id>``).
    output_prefix: Mapped[str | None] = mapped_column(String(500))
    hls_path: Mapped[str | None] = mapped_column(String(500))
    dash_path: Mapped[str | None] = mapped_column(String(500))
    thumbnails_path: Mapped[str | None] = mapped_column(String(500))
    poster_path: Mapped[str | None] = mapped_column(String(500))
    probe: Mapped[dict[str, Any] | None]
    # Chapters: the opening titles (skip intro) and where the end credits start.
    intro_start_s: Mapped[float | None]
    intro_end_s: Mapped[float | None]
    credits_start_s: Mapped[float | None]
    ready_at: Mapped[datetime | None]
    # Bumped by each re-transcode so stale workers cannot overwrite a newer result.
    generation: Mapped[int] = mapped_column(default=1)
    # Sidecar subtitle files an admin attached: [{language, label, upload_id, key,
    # filename}] (the embedded worker passes them to the transcoder).
    subtitles: Mapped[list[Any] | None]

    title: Mapped[Title] = relationship(back_populates="videos")
    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="Rendition.height"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="video", cascade="all, delete-orphan", order_by="Track.kind"
    )


class Rendition(IdMixin, Base):
    """One video rung of the packaged output."""

    __tablename__ = "renditions"
    __table_args__ = (UniqueConstraint("video_id", "name", name="uq_renditions_video_name"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    width: Mapped[int]
    height: Mapped[int]
    bitrate: Mapped[int] = mapped_column(default=0)
    codec: Mapped[str] = mapped_column(String(63), default="")
    # Store path of this rung's folder/playlist relative to the video's output prefix.
    path: Mapped[str] = mapped_column(String(500), default="")
    size_bytes: Mapped[int | None]
    vmaf: Mapped[float | None]

    video: Mapped[Video] = relationship(back_populates="renditions")


class Track(IdMixin, Base):
    """An audio or subtitle track."""

    __tablename__ = "tracks"

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    kind: Mapped[TrackKind] = mapped_column(str_enum(TrackKind))
    language: Mapped[str] = mapped_column(String(35), default="und")
    label: Mapped[str] = mapped_column(String(120), default="")
    path: Mapped[str] = mapped_column(String(500), default="")
    is_default: Mapped[bool] = mapped_column(default=False)

    video: Mapped[Video] = relationship(back_populates="tracks")


class CatalogVersion(Base):
    """One row whose number goes up with every committed change to what browse shows
    (titles, videos, seasons, genres, tags, ad creatives): shared caches key their
    entries by it, so a change is visible to every API process at its next request
    (:mod:`kinema.catalog.version`)."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
