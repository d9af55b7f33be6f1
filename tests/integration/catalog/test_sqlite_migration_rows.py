"""Upgrading an embedded (SQLite) catalog keeps every row: SQLite alters a table by
rebuilding it (copy, drop, rename), and a drop with foreign keys enforced would first
delete each row that references the table (ON DELETE CASCADE). Migration 0008 rebuilds
``users``; an account's profiles, subscriptions and sessions must come through it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from kinema.catalog import migrate
from kinema.catalog.db import create_db_engine

pytestmark = pytest.mark.integration

NOW = sa.func.current_timestamp()


def test_an_upgrade_from_0006_keeps_accounts_and_what_hangs_off_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kinema.db'}"
    migrate.upgrade(url, "0006")
    user, profile = uuid.uuid4(), uuid.uuid4()
    users = sa.table(
        "users",
        *(sa.column(c) for c in ("email", "password_hash", "display_name", "role")),
        sa.column("id", sa.Uuid()),
        sa.column("is_active", sa.Boolean()),
        sa.column("created_at"),
        sa.column("updated_at"),
    )
    profiles = sa.table(
        "profiles",
        *(sa.column(c) for c in ("name", "max_maturity", "created_at", "updated_at")),
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("is_kids", sa.Boolean()),
    )
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(users).values(
                    id=user,
                    email="a@example.com",
                    password_hash="x",
                    display_name="A",
                    role="viewer",
                    is_active=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            conn.execute(
                sa.insert(profiles).values(
                    id=profile,
                    user_id=user,
                    name="A",
                    is_kids=False,
                    max_maturity="18+",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    finally:
        engine.dispose()

    migrate.upgrade(url)

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(users)).scalar() == 1
            kept = conn.execute(sa.select(profiles.c.id, profiles.c.user_id)).all()
            assert kept == [(profile, user)]
            # Enforcement is back on for the connections the app opens.
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
