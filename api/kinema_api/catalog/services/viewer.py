"""Viewer state on the hot path: progress (cache + database), browse, titles, My List."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.models import (
    Genre,
    Maturity,
    Title,
)
from kinema.catalog.search import SearchFilters, filtered_titles, search_titles
from kinema.catalog.services import browse, viewing
from kinema.catalog.services.viewing import ProgressRecord
from kinema_api.accounts.services.auth import Viewer
from kinema_api.cache import CacheUnavailable
from kinema_api.catalog.schemas import (
    ContinueItem,
    GenrePublic,
    HomePublic,
    RowPublic,
    SearchPublic,
    TitleCard,
)
from kinema_api.catalog.services import hot
from kinema_api.catalog.services.views import title_card, video_summary
from kinema_api.context import AppContext
from kinema_api.errors import Forbidden

PROGRESS_TTL_S = 30 * 24 * 3600


def progress_key(profile_id: uuid.UUID, video_id: uuid.UUID) -> str:
    return f"progress:{profile_id.hex}:{video_id.hex}"


def progress_entry(record: ProgressRecord) -> str:
    """How a progress record is kept in the cache (read back by :func:`load_progress`)."""
    return json.dumps(
        {
            "p": record.position_s,
            "d": record.duration_s,
            "c": record.completed,
            "t": record.updated_at.isoformat(),
        }
    )


def cache_progress(ctx: AppContext, records: dict[uuid.UUID, list[ProgressRecord]]) -> None:
    """Refresh the cached progress of each profile's records (one round trip)."""
    values = {
        progress_key(profile_id, r.video_id): progress_entry(r)
        for profile_id, found in records.items()
        for r in found
    }
    # The database has it; a cache outage only means the next read goes there.
    with contextlib.suppress(CacheUnavailable):
        ctx.cache.set_many(values, ttl_s=PROGRESS_TTL_S)


def load_progress(
    ctx: AppContext, session: Session, *, profile_id: uuid.UUID, video_id: uuid.UUID
) -> ProgressRecord | None:
    key = progress_key(profile_id, video_id)
    try:
        cached = ctx.cache.get(key)
    except CacheUnavailable:
        cached = None
    if cached is not None:
        data = json.loads(cached)
        return ProgressRecord(
            video_id,
            float(data["p"]),
            data["d"],
            bool(data["c"]),
            datetime.fromisoformat(data["t"]),
        )
    record = viewing.get_progress(session, profile_id=profile_id, video_id=video_id)
    if record is not None:
        cache_progress(ctx, {profile_id: [record]})
    return record


def max_maturity(viewer: Viewer | None) -> Maturity:
    return viewer.profile.max_maturity if viewer is not None else Maturity.ADULT


def check_visible(viewer: Viewer | None, title: Title) -> None:
    """Admins (on a profile that is not a kids profile) may preview unpublished titles;
    every profile, an admin's included, sees only titles within its maturity limit. A
    refusal never names the title: its name is part of what is withheld."""
    check_visible_as(viewer, title_id=title.id, published=title.published, maturity=title.maturity)


def check_visible_as(
    viewer: Viewer | None, *, title_id: uuid.UUID, published: bool, maturity: Maturity
) -> None:
    """:func:`check_visible`'s rules on what a title is (a cached page has no row)."""
    is_admin = viewer is not None and viewer.is_admin
    check_visible_for(
        is_admin, max_maturity(viewer), title_id=title_id, published=published, maturity=maturity
    )


def check_visible_for(
    is_admin: bool, limit: Maturity, *, title_id: uuid.UUID, published: bool, maturity: Maturity
) -> None:
    """The same rules for a caller known by its role and maturity limit."""
    if not published and not is_admin:
        raise NotFound(f"no title {title_id}")
    if maturity.level > limit.level:
        raise Forbidden(f"title {title_id} is rated above this profile's maturity limit")


ROWS = TypeAdapter(list[RowPublic])
CARDS = TypeAdapter(list[TitleCard])
GENRES = TypeAdapter(list[GenrePublic])
SEARCH = TypeAdapter(SearchPublic)


def home(ctx: AppContext, session: Session, *, viewer: Viewer, shared: bool = True) -> bytes:
    """The home page as JSON (``HomePublic``): Continue Watching and My List read for the
    viewer, then, with ``shared``, the rows every profile with this maturity limit sees
    alike, spliced in as the hot cache keeps them (never parsed again)."""
    limit = max_maturity(viewer)
    cont = [
        ContinueItem(
            title=title_card(p.video.title),
            video=video_summary(p.video, position_s=p.position_s),
            position_s=p.position_s,
            duration_s=p.duration_s,
            updated_at=p.updated_at,
        )
        for p in viewing.continue_watching(
            session, profile_id=viewer.profile.id, max_maturity=limit
        )
    ]
    mine = viewing.my_list(session, profile_id=viewer.profile.id, max_maturity=limit)
    own = (
        [RowPublic(key="my-list", name="My List", items=[title_card(t) for t in mine])]
        if mine
        else []
    )
    personal = HomePublic(continue_watching=cont, rows=own).model_dump_json().encode()
    if not shared:
        return personal
    rows = shared_rows(ctx, session, limit=limit).shared.body
    if rows == b"[]":
        return personal
    # personal ends in `...,"rows":[<own>]}`: put the shared rows after its own.
    head = personal[: -len(b"]}")]
    join = b"," if own else b""
    return head + join + rows[1:] + b"}"


def shared_rows(
    ctx: AppContext, session: Session, *, limit: Maturity
) -> hot.Found[list[RowPublic]]:
    """The home rows every profile with this maturity limit sees alike."""

    def compute() -> list[RowPublic]:
        rows: list[RowPublic] = []
        recent = browse.recently_added(session, max_maturity=limit)
        if recent:
            rows.append(
                RowPublic(
                    key="recent", name="Recently Added", items=[title_card(t) for t in recent]
                )
            )
        hot_titles = browse.trending(session, max_maturity=limit)
        if hot_titles:
            rows.append(
                RowPublic(
                    key="trending", name="Trending", items=[title_card(t) for t in hot_titles]
                )
            )
        for row in browse.genre_rows(session, max_maturity=limit):
            rows.append(
                RowPublic(key=row.key, name=row.name, items=[title_card(t) for t in row.titles])
            )
        return rows

    return hot.entry(ctx, session, key=f"rows:{limit.value}", adapter=ROWS, compute=compute)


def list_titles(
    ctx: AppContext, session: Session, *, filters: SearchFilters, limit: int, offset: int
) -> hot.Found[list[TitleCard]]:
    def compute() -> list[TitleCard]:
        stmt = (
            filtered_titles(filters)
            .order_by(Title.created_at.desc(), Title.id)
            .limit(limit)
            .offset(offset)
        )
        return [title_card(t) for t in session.scalars(stmt)]

    return hot.entry(
        ctx,
        session,
        key=f"titles:{_filter_key(filters)}:{limit}:{offset}",
        adapter=CARDS,
        compute=compute,
    )


def _filter_key(f: SearchFilters) -> str:
    return (
        f"{f.max_maturity.value if f.max_maturity else ''}:{f.genre or ''}:"
        f"{f.year or ''}:{f.kind.value if f.kind else ''}:{int(f.published_only)}"
    )


def genres(ctx: AppContext, session: Session) -> hot.Found[list[GenrePublic]]:
    def compute() -> list[GenrePublic]:
        found = session.scalars(select(Genre).order_by(Genre.name))
        return [GenrePublic.model_validate(g) for g in found]

    return hot.entry(ctx, session, key="genres", adapter=GENRES, compute=compute)


def search(
    ctx: AppContext,
    session: Session,
    *,
    query: str,
    filters: SearchFilters,
    limit: int,
    offset: int,
) -> hot.Found[SearchPublic]:
    """Search results are the same for everyone with one maturity limit: cached per
    catalog version like the listings (a query's key holds its text)."""

    def compute() -> SearchPublic:
        hits = search_titles(session, query, filters, limit=limit, offset=offset)
        items = [title_card(h.title) for h in hits]
        return SearchPublic(query=query, items=items, limit=limit, offset=offset)

    key = f"search:{_filter_key(filters)}:{limit}:{offset}:{query}"
    return hot.entry(ctx, session, key=key, adapter=SEARCH, compute=compute)


def next_episode(session: Session, *, viewer: Viewer, ids: list[uuid.UUID]) -> uuid.UUID | None:
    """Of a series' ready episodes (in order), the first unfinished one after the last
    one this profile watched."""
    history = viewing.history(session, profile_id=viewer.profile.id, limit=200)
    for item in history:
        if item.video_id in ids:
            idx = ids.index(item.video_id)
            if item.completed and idx + 1 < len(ids):
                return ids[idx + 1]
            return ids[idx]
    return None
