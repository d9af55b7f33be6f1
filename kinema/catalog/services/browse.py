"""The home page's rows: Recently Added, Trending, and one per genre."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import (
    Genre,
    Maturity,
    Title,
    Video,
    VideoStatus,
    WatchHistory,
    title_genres,
    utcnow,
)
from kinema.catalog.services.ads import ad_titles

TRENDING_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    name: str
    titles: list[Title]


def playable_titles(max_maturity: Maturity) -> Select[Title]:
    """Published titles a profile may see that have at least one ready video."""
    ready = select(Video.id).where(Video.title_id == Title.id, Video.status == VideoStatus.READY)
    return (
        select(Title)
        .where(
            Title.published.is_(True),
            Title.maturity.in_(Maturity.up_to(max_maturity)),
            ready.exists(),
            ~ad_titles(),
        )
        .options(selectinload(Title.genres))
    )


def recently_added(session: Session, *, max_maturity: Maturity, limit: int = 20) -> list[Title]:
    stmt = playable_titles(max_maturity).order_by(Title.created_at.desc(), Title.id).limit(limit)
    return list(session.scalars(stmt))


def trending(session: Session, *, max_maturity: Maturity, limit: int = 20) -> list[Title]:
    """Titles with the most viewing sessions in the last week."""
    since = utcnow() - TRENDING_WINDOW
    views = (
        select(Video.title_id, func.count(WatchHistory.id).label("views"))
        .join(WatchHistory, WatchHistory.video_id == Video.id)
        .where(WatchHistory.watched_at >= since)
        .group_by(Video.title_id)
        .subquery()
    )
    stmt = (
        playable_titles(max_maturity)
        .join(views, views.c.title_id == Title.id)
        .order_by(views.c.views.desc(), Title.name)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def genre_rows(
    session: Session, *, max_maturity: Maturity, per_row: int = 20, max_rows: int = 12
) -> list[Row]:
    genres = session.scalars(
        select(Genre)
        .join(title_genres, title_genres.c.genre_id == Genre.id)
        .group_by(Genre.id)
        .order_by(func.count().desc(), Genre.name)
        .limit(max_rows)
    ).all()
    rows = []
    for genre in genres:
        stmt = (
            playable_titles(max_maturity)
            .where(Title.genres.any(Genre.id == genre.id))
            .order_by(Title.created_at.desc(), Title.id)
            .limit(per_row)
        )
        titles = list(session.scalars(stmt))
        if titles:
            rows.append(Row(key=f"genre:{genre.slug}", name=genre.name, titles=titles))
    return rows
