"""Title search: PostgreSQL full-text + trigram similarity, SQLite FTS5.

Both databases rank the same way in spirit: a match in the title's name outweighs one in
its keywords (genres, tags, episode names), which outweighs one in its description; an
exact or prefix name match goes first. PostgreSQL's trigram similarity also catches
misspellings; on SQLite a close-match pass over names does that when FTS finds nothing.

The search structures are created by the migrations per dialect (a generated
``tsvector`` column with a GIN index and a trigram index on PostgreSQL, an FTS5 table
kept in sync by triggers on SQLite); they have no model counterpart, so
:func:`include_object` hides them from Alembic's autogenerate comparison.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, selectinload

from kinema.catalog.models import Genre, Maturity, Title, TitleKind
from kinema.catalog.services.ads import ad_titles

# Objects created only by the dialect-specific parts of the migrations.
SEARCH_OBJECTS = frozenset({"search_vector", "ix_titles_search_vector", "ix_titles_name_trgm"})
_WORD = re.compile(r"\w+", re.UNICODE)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    return name not in SEARCH_OBJECTS and not (name or "").startswith("titles_fts")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    genre: str | None = None  # genre slug
    year: int | None = None
    kind: TitleKind | None = None
    # Most mature rating to include (a kids profile's limit, or the user's filter).
    max_maturity: Maturity | None = None
    published_only: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    title: Title
    score: float


def filtered_titles(filters: SearchFilters) -> Select[Title]:
    # Ad creatives' titles are never listed, not even to admins searching unpublished.
    stmt = select(Title).where(~ad_titles())
    if filters.published_only:
        stmt = stmt.where(Title.published.is_(True))
    if filters.kind is not None:
        stmt = stmt.where(Title.kind == filters.kind)
    if filters.year is not None:
        stmt = stmt.where(Title.year == filters.year)
    if filters.max_maturity is not None:
        stmt = stmt.where(Title.maturity.in_(Maturity.up_to(filters.max_maturity)))
    if filters.genre is not None:
        stmt = stmt.where(Title.genres.any(Genre.slug == filters.genre))
    return stmt


def search_titles(
    session: Session,
    query: str,
    filters: SearchFilters = SearchFilters(),
    *,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """Titles matching ``query`` (and the filters), best first."""
    words = _WORD.findall(query.lower())
    base = filtered_titles(filters).options(selectinload(Title.genres))
    if not words:
        rows = session.scalars(
            base.order_by(Title.created_at.desc(), Title.id).limit(limit).offset(offset)
        )
        return [SearchHit(t, 0.0) for t in rows]
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, base, query.strip(), limit, offset)
    return _search_sqlite(session, base, words, limit, offset)


def _name_boost(q: str) -> ColumnElement[float]:
    lowered = func.lower(Title.name)
    return case(
        (lowered == q.lower(), 3.0),
        (lowered.startswith(q.lower(), autoescape=True), 1.5),
        else_=0.0,
    )


def _search_postgres(
    session: Session, base: Select[Title], q: str, limit: int, offset: int
) -> list[SearchHit]:
    vector: ColumnElement[Any] = literal_column("titles.search_vector")
    tsq = func.websearch_to_tsquery("english", q)
    similarity = func.similarity(Title.name, q)
    score = (
        func.ts_rank_cd(vector, tsq) * 4.0 + func.coalesce(similarity, 0.0) * 2.0 + _name_boost(q)
    ).label("score")
    stmt = (
        base.add_columns(score)
        .where(
            or_(
                vector.op("@@")(tsq),
                Title.name.op("%")(q),
                func.word_similarity(q, Title.name) > 0.5,
                Title.name.icontains(q, autoescape=True),
            )
        )
        .order_by(score.desc(), Title.name, Title.id)
        .limit(limit)
        .offset(offset)
    )
    return [SearchHit(title, float(s)) for title, s in session.execute(stmt)]


def _fts_query(words: list[str], joiner: str) -> str:
    # Every word quoted (so FTS5 syntax in user input is inert) and prefix-matched.
    return f" {joiner} ".join(f'"{w}"*' for w in words)


def _search_sqlite(
    session: Session, base: Select[Title], words: list[str], limit: int, offset: int
) -> list[SearchHit]:
    q = " ".join(words)
    for joiner in ("AND", "OR"):
        fts = (
            select(
                literal_column("title_id").label("title_id"),
                # bm25 is lower-is-better; weights: name, keywords, description.
                literal_column("bm25(titles_fts, 10.0, 3.0, 1.0)").label("bm25"),
            )
            .select_from(sql_text("titles_fts"))
            .where(literal_column("titles_fts").op("MATCH")(literal(_fts_query(words, joiner))))
            .subquery()
        )
        score = (-fts.c.bm25 + _name_boost(q)).label("score")
        stmt = (
            base.add_columns(score)
            .join(fts, fts.c.title_id == Title.id)
            .order_by(score.desc(), Title.name, Title.id)
            .limit(limit)
            .offset(offset)
        )
        hits = [SearchHit(title, float(s)) for title, s in session.execute(stmt)]
        if hits:
            return hits
    return _close_matches(session, base, q, limit, offset)


def _close_matches(
    session: Session, base: Select[Title], q: str, limit: int, offset: int
) -> list[SearchHit]:
    """Misspelling fallback for SQLite: similar names, by difflib's ratio."""
    scored = []
    for title in session.scalars(base).unique():
        name = title.name.lower()
        whole = difflib.SequenceMatcher(None, q, name).ratio()
        best_word = max(
            (difflib.SequenceMatcher(None, q, w).ratio() for w in _WORD.findall(name)),
            default=0.0,
        )
        # The closest word decides; the whole name breaks ties (exact titles first).
        ratio = max(whole, best_word) + 0.1 * whole
        if ratio >= 0.7:
            scored.append(SearchHit(title, ratio))
    scored.sort(key=lambda h: (-h.score, h.title.name))
    return scored[offset : offset + limit]
