"""Titles, seasons, videos, genres and tags."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kinema.catalog.errors import Conflict, InvalidChange, NotFound
from kinema.catalog.models import (
    Genre,
    Maturity,
    Season,
    Tag,
    Title,
    TitleKind,
    Video,
    VideoStatus,
)

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:120] or "title"


def _unique_slug(session: Session, base: str, *, exclude: uuid.UUID | None = None) -> str:
    slug, n = base, 1
    while True:
        clash = session.scalar(select(Title.id).where(Title.slug == slug))
        if clash is None or clash == exclude:
            return slug
        n += 1
        slug = f"{base}-{n}"


def ensure_genres(session: Session, names: Iterable[str]) -> list[Genre]:
    genres: list[Genre] = []
    for name in names:
        clean = " ".join(name.split())
        if not clean:
            continue
        slug = slugify(clean)
        genre = session.scalar(select(Genre).where(Genre.slug == slug))
        if genre is None:
            genre = Genre(slug=slug, name=clean.title() if clean.islower() else clean)
            session.add(genre)
            session.flush()
        if genre not in genres:
            genres.append(genre)
    return genres


def ensure_tags(session: Session, names: Iterable[str]) -> list[Tag]:
    tags: list[Tag] = []
    for name in names:
        clean = " ".join(name.split()).lower()
        if not clean:
            continue
        tag = session.scalar(select(Tag).where(Tag.name == clean))
        if tag is None:
            tag = Tag(name=clean)
            session.add(tag)
            session.flush()
        if tag not in tags:
            tags.append(tag)
    return tags


def refresh_keywords(title: Title) -> None:
    """Recompute the searchable keywords (genres, tags, episode names) of a title."""
    words = [g.name for g in title.genres] + [t.name for t in title.tags]
    words += [v.name for v in title.videos if v.name and v.name != title.name]
    title.keywords = " ".join(dict.fromkeys(words))


def get_title(session: Session, *, title_id: uuid.UUID) -> Title:
    title = session.get(Title, title_id)
    if title is None:
        raise NotFound(f"no title {title_id}")
    return title


def create_title(
    session: Session,
    *,
    name: str,
    kind: TitleKind = TitleKind.MOVIE,
    description: str = "",
    year: int | None = None,
    maturity: Maturity = Maturity.TEEN,
    genres: Iterable[str] = (),
    tags: Iterable[str] = (),
    published: bool = False,
    slug: str | None = None,
) -> Title:
    title = Title(
        name=name,
        kind=kind,
        description=description,
        year=year,
        maturity=maturity,
        published=published,
        slug=_unique_slug(session, slugify(slug or name)),
    )
    title.genres = ensure_genres(session, genres)
    title.tags = ensure_tags(session, tags)
    refresh_keywords(title)
    session.add(title)
    session.flush()
    return title


def update_title(
    session: Session,
    *,
    title: Title,
    name: str | None = None,
    description: str | None = None,
    year: int | None = None,
    maturity: Maturity | None = None,
    genres: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    published: bool | None = None,
) -> Title:
    if name is not None:
        title.name = name
    if description is not None:
        title.description = description
    if year is not None:
        title.year = year
    if maturity is not None:
        title.maturity = maturity
    if genres is not None:
        title.genres = ensure_genres(session, genres)
    if tags is not None:
        title.tags = ensure_tags(session, tags)
    if published is not None:
        title.published = published
    refresh_keywords(title)
    session.flush()
    return title


def delete_title(session: Session, *, title: Title) -> None:
    session.delete(title)
    session.flush()


def ensure_season(session: Session, *, title: Title, number: int) -> Season:
    for season in title.seasons:
        if season.number == number:
            return season
    season = Season(title=title, number=number, name=f"Season {number}")
    session.add(season)
    session.flush()
    return season


def get_video(session: Session, *, video_id: uuid.UUID) -> Video:
    # The title comes in the same statement: loaded lazily, it could already be gone when
    # another process (the operator's finalizer) deletes the video and its title between
    # the two reads.
    video = session.get(Video, video_id, options=[joinedload(Video.title)])
    if video is None:
        raise NotFound(f"no video {video_id}")
    return video


def create_video(
    session: Session,
    *,
    title: Title,
    name: str = "",
    description: str = "",
    season_number: int | None = None,
    episode_number: int | None = None,
    source: str | None = None,
    resource_name: str | None = None,
) -> Video:
    """A playable video of ``title``: the feature of a movie or an episode of a series."""
    if title.kind is TitleKind.MOVIE:
        if season_number is not None or episode_number is not None:
            raise InvalidChange("a movie's video has no season or episode number")
        if title.videos:
            raise Conflict(f"movie {title.name!r} already has its video")
    elif season_number is None or episode_number is None:
        raise InvalidChange("an episode needs a season number and an episode number")
    else:
        for other in title.videos:
            if (other.season_number, other.episode_number) == (season_number, episode_number):
                raise Conflict(
                    f"{title.name!r} already has S{season_number:02d}E{episode_number:02d}"
                )
        ensure_season(session, title=title, number=season_number)
    video = Video(
        title=title,
        name=name or title.name,
        description=description,
        season_number=season_number,
        episode_number=episode_number,
        source=source,
        resource_name=resource_name,
        status=VideoStatus.QUEUED if source else VideoStatus.DRAFT,
    )
    session.add(video)
    refresh_keywords(title)
    session.flush()
    return video


def delete_video(session: Session, *, video: Video) -> None:
    title = video.title
    session.delete(video)
    session.flush()
    if title.kind is TitleKind.MOVIE:
        session.delete(title)
        session.flush()
    else:
        session.refresh(title)
        refresh_keywords(title)
        session.flush()
