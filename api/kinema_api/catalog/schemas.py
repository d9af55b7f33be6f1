from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from kinema.catalog.models import Maturity, TitleKind, VideoStatus
from kinema_api.common import OrmModel


class GenrePublic(OrmModel):
    slug: str
    name: str


class TitleCard(OrmModel):
    id: uuid.UUID
    slug: str
    name: str
    kind: TitleKind
    year: int | None
    maturity: Maturity
    genres: list[GenrePublic]
    poster_url: str | None = None


class VideoSummary(OrmModel):
    id: uuid.UUID
    name: str
    description: str
    season_number: int | None
    episode_number: int | None
    duration_s: float | None
    status: VideoStatus
    poster_url: str | None = None
    position_s: float | None = None


class SeasonPublic(BaseModel):
    number: int
    name: str
    episodes: list[VideoSummary]


class TitleDetail(TitleCard):
    description: str
    tags: list[str]
    created_at: datetime
    # The movie's video, or the episode to play next for a series.
    video: VideoSummary | None
    seasons: list[SeasonPublic]
    in_my_list: bool
    rating_average: float | None
    rating_count: int
    my_rating: int | None


class RowPublic(BaseModel):
    key: str
    name: str
    items: list[TitleCard]


class ContinueItem(BaseModel):
    title: TitleCard
    video: VideoSummary
    position_s: float
    duration_s: float | None
    updated_at: datetime


class HomePublic(BaseModel):
    continue_watching: list[ContinueItem]
    rows: list[RowPublic]


class SearchPublic(BaseModel):
    query: str
    items: list[TitleCard]
    limit: int
    offset: int
