"""Migration 0009 on both databases, over rows written in the 0007 shape: reply threads,
reactions on comments and review scores survive the upgrade (on SQLite the comments
table is rebuilt with foreign keys enforced), and a downgrade gives them back."""

from __future__ import annotations

import uuid
from pathlib import Path

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


def _table(table_name: str, /, **columns: sa.types.TypeEngine[object]) -> sa.TableClause:
    return sa.table(table_name, *(sa.column(key, type_) for key, type_ in columns.items()))


NOW = sa.func.current_timestamp()
ID = sa.Uuid()
TEXT = sa.String()


def _seed_0007(engine: sa.Engine) -> dict[str, uuid.UUID]:
    ids = {k: uuid.uuid4() for k in ("title", "video", "user", "profile", "top", "reply")}
    titles = _table("titles", id=ID, kind=TEXT, slug=TEXT, name=TEXT, description=TEXT,
                    maturity=TEXT, published=sa.Boolean(), keywords=TEXT,
                    created_at=sa.DateTime(), updated_at=sa.DateTime())  # fmt: skip
    videos = _table("videos", id=ID, title_id=ID, name=TEXT, description=TEXT, status=TEXT,
                    progress=sa.Float(), generation=sa.Integer(),
                    created_at=sa.DateTime(), updated_at=sa.DateTime())  # fmt: skip
    users = _table("users", id=ID, email=TEXT, password_hash=TEXT, display_name=TEXT,
                   role=TEXT, is_active=sa.Boolean(),
                   created_at=sa.DateTime(), updated_at=sa.DateTime())  # fmt: skip
    profiles = _table("profiles", id=ID, user_id=ID, name=TEXT, is_kids=sa.Boolean(),
                      max_maturity=TEXT, created_at=sa.DateTime(), updated_at=sa.DateTime())  # fmt: skip
    comments = _table("comments", id=ID, video_id=ID, profile_id=ID, parent_id=ID, body=TEXT,
                      created_at=sa.DateTime())  # fmt: skip
    reactions = _table("reactions", id=ID, video_id=ID, profile_id=ID, comment_id=ID,
                       emoji=TEXT, position_s=sa.Float(), created_at=sa.DateTime())  # fmt: skip
    reviews = _table("reviews", id=ID, profile_id=ID, title_id=ID, body=TEXT,
                     created_at=sa.DateTime())  # fmt: skip
    ratings = _table("ratings", profile_id=ID, title_id=ID, score=sa.Integer(),
                     created_at=sa.DateTime())  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(titles).values(
            id=ids["title"], kind="movie", slug="m", name="M", description="", maturity="13+",
            published=True, keywords="", created_at=NOW, updated_at=NOW))  # fmt: skip
        conn.execute(sa.insert(videos).values(
            id=ids["video"], title_id=ids["title"], name="", description="", status="ready",
            progress=0.0, generation=1, created_at=NOW, updated_at=NOW))  # fmt: skip
        conn.execute(sa.insert(users).values(
            id=ids["user"], email="a@example.com", password_hash="x", display_name="",
            role="viewer", is_active=True, created_at=NOW, updated_at=NOW))  # fmt: skip
        conn.execute(sa.insert(profiles).values(
            id=ids["profile"], user_id=ids["user"], name="P", is_kids=False,
            max_maturity="18+", created_at=NOW, updated_at=NOW))  # fmt: skip
        for key, parent in (("top", None), ("reply", ids["top"])):
            conn.execute(sa.insert(comments).values(
                id=ids[key], video_id=ids["video"], profile_id=ids["profile"],
                parent_id=parent, body=key, created_at=NOW))  # fmt: skip
        for emoji, comment, position in (
            ("like", ids["top"], None),
            ("like", ids["top"], None),  # a duplicate: kept once
            ("fire", ids["reply"], None),
            ("thumbs", ids["top"], None),  # not an emoji offered: dropped
            ("wow", None, 12.5),
            ("wow", None, None),  # a timeline reaction without a moment: dropped
        ):
            conn.execute(sa.insert(reactions).values(
                id=uuid.uuid4(), video_id=ids["video"], profile_id=ids["profile"],
                comment_id=comment, emoji=emoji, position_s=position, created_at=NOW))  # fmt: skip
        conn.execute(sa.insert(reviews).values(
            id=uuid.uuid4(), profile_id=ids["profile"], title_id=ids["title"], body="Good",
            created_at=NOW))  # fmt: skip
        conn.execute(sa.insert(ratings).values(
            profile_id=ids["profile"], title_id=ids["title"], score=4, created_at=NOW))  # fmt: skip
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
