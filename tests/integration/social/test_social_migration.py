"""Migration 0009 on both databases, over rows written in the 0007 shape: reply threads,
reactions on comments and review scores survive the upgrade (on SQLite the comments
table is rebuilt with foreign keys enforced), and a downgrade gives them back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kinema.catalog import migrate
from kinema.catalog.db import create_db_engine

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kinema.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def _table(table_name: str, /, **columns: sa.types.TypeEngine[Any]) -> sa.TableClause:
    return sa.table(table_name, *(sa.column(key, type_) for key, type_ in columns.items()))


ID = sa.Uuid()
TEXT = sa.String()
_TYPES: dict[type, sa.types.TypeEngine[Any]] = {
    uuid.UUID: ID,
    str: TEXT,
    bool: sa.Boolean(),
    int: sa.Integer(),
    float: sa.Float(),
}


def _insert(conn: sa.Connection, table_name: str, **values: object) -> None:
    """A row in the 0007 shape (no models: they describe the current schema), with its
    timestamps filled in."""
    columns = {key: _TYPES.get(type(value), sa.types.NullType()) for key, value in values.items()}
    stamps = {"created_at": sa.func.current_timestamp()}
    if table_name in ("titles", "videos", "users", "profiles"):
        stamps["updated_at"] = sa.func.current_timestamp()
    table = _table(table_name, **columns, **dict.fromkeys(stamps, sa.DateTime()))
    conn.execute(sa.insert(table).values(**values, **stamps))


def _seed_0007(engine: sa.Engine) -> dict[str, uuid.UUID]:
    ids = {k: uuid.uuid4() for k in ("title", "video", "user", "profile", "top", "reply")}
    title, video, profile = ids["title"], ids["video"], ids["profile"]
    with engine.begin() as conn:
        _insert(conn, "titles", id=title, kind="movie", slug="m", name="M", description="",
                maturity="13+", published=True, keywords="")  # fmt: skip
        _insert(conn, "videos", id=video, title_id=title, name="", description="",
                status="ready", progress=0.0, generation=1)  # fmt: skip
        _insert(conn, "users", id=ids["user"], email="a@example.com", password_hash="x",
                display_name="", role="viewer", is_active=True)  # fmt: skip
        _insert(conn, "profiles", id=profile, user_id=ids["user"], name="P", is_kids=False,
                max_maturity="18+")  # fmt: skip
        for key, parent in (("top", None), ("reply", ids["top"])):
            _insert(conn, "comments", id=ids[key], video_id=video, profile_id=profile,
                    parent_id=parent, body=key)  # fmt: skip
        for emoji, comment, position in (
            ("like", ids["top"], None),
            ("like", ids["top"], None),  # a duplicate: kept once
            ("fire", ids["reply"], None),
            ("thumbs", ids["top"], None),  # not an emoji offered: dropped
            ("wow", None, 12.5),
            ("wow", None, None),  # a timeline reaction without a moment: dropped
        ):
            _insert(conn, "reactions", id=uuid.uuid4(), video_id=video, profile_id=profile,
                    comment_id=comment, emoji=emoji, position_s=position)  # fmt: skip
        _insert(conn, "reviews", id=uuid.uuid4(), profile_id=profile, title_id=title, body="Ok")
        _insert(conn, "ratings", profile_id=profile, title_id=title, score=4)
    return ids


def test_0009_keeps_threads_reactions_and_scores(db_url: str) -> None:
    migrate.upgrade(db_url, "0007")
    engine = create_db_engine(db_url)
    try:
        ids = _seed_0007(engine)
    finally:
        engine.dispose()

    migrate.upgrade(db_url)
    assert migrate.pending_changes(db_url) == []
    comments = _table("comments", id=ID, parent_id=ID, title_id=ID, video_id=ID, body=TEXT)
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = {r.body: r for r in conn.execute(sa.select(comments))}
            assert rows["reply"].parent_id == ids["top"]
            assert rows["top"].parent_id is None
            assert {r.title_id for r in rows.values()} == {ids["title"]}
            assert {r.video_id for r in rows.values()} == {ids["video"]}
            on_comments = conn.execute(
                sa.text("SELECT comment_id, emoji FROM comment_reactions")
            ).all()
            assert sorted((uuid.UUID(str(c)), e) for c, e in on_comments) == sorted(
                [(ids["top"], "like"), (ids["reply"], "fire")]
            )
            timeline = conn.execute(sa.text("SELECT emoji, position_s FROM reactions")).all()
            assert [tuple(r) for r in timeline] == [("wow", 12.5)]
            assert conn.execute(sa.text("SELECT score FROM reviews")).scalars().all() == [4]
    finally:
        engine.dispose()

    migrate.downgrade(db_url, "0007")
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            back = _table("comments", body=TEXT, parent_id=ID)
            assert dict(conn.execute(sa.select(back.c.body, back.c.parent_id)).all()) == {
                "top": None,
                "reply": ids["top"],
            }
            restored = conn.execute(
                sa.text("SELECT emoji, comment_id IS NOT NULL FROM reactions")
            ).all()
            assert sorted(tuple(r) for r in restored) == [
                ("fire", True),
                ("like", True),
                ("wow", False),
            ]
    finally:
        engine.dispose()
    migrate.upgrade(db_url)
    assert migrate.pending_changes(db_url) == []
