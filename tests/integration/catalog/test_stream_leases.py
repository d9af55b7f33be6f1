"""Stream leases on both databases: counted per login session (device), refreshed and
ended, held to a smaller plan, and never over the limit when devices start at once."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.models import AuthSession, StreamLease, User, utcnow
from kinema.catalog.services import streams
from tests.utils.factories import make_ready_video, make_user, migrated_session

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kinema.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    with migrated_session(db_url) as s:
        yield s


def login(session: Session, user: User, *, name: str = "") -> uuid.UUID:
    row = AuthSession(
        user_id=user.id,
        token_hash=secrets.token_hex(32),
        device_name=name,
        expires_at=utcnow() + timedelta(days=1),
    )
    session.add(row)
    session.flush()
    return row.id


def test_one_lease_per_device_whatever_it_plays(session: Session) -> None:
    user = make_user(session)
    video, other = make_ready_video(session), make_ready_video(session)
    phone, tv = login(session, user, name="phone"), login(session, user, name="tv")
    profile = user.profiles[0].id
    first = streams.open_stream(
        session, user_id=user.id, session_id=phone, profile_id=profile, video_id=video.id, limit=1
    )
    assert first.lease is not None
    # The same device on another video, as no profile: the same lease.
    again = streams.open_stream(
        session, user_id=user.id, session_id=phone, profile_id=None, video_id=other.id, limit=1
    )
    assert again.lease is first.lease
    assert again.lease.video_id == other.id
    # The same profile on another device is another stream: refused, naming the first.
    refused = streams.open_stream(
        session, user_id=user.id, session_id=tv, profile_id=profile, video_id=video.id, limit=1
    )
    assert refused.lease is None
    assert [lease.session_id for lease in refused.others] == [phone]
    info = streams.describe(session, refused.others)
    assert [(i.device_name, i.video and i.video.id) for i in info] == [("phone", other.id)]
    two = streams.open_stream(
        session, user_id=user.id, session_id=tv, profile_id=profile, video_id=video.id, limit=2
    )
    assert two.lease is not None
    assert len(streams.active_streams(session, user_id=user.id)) == 2
    session.commit()


def test_leases_lapse_unless_refreshed_and_end_when_stopped(session: Session) -> None:
    user = make_user(session)
    video, other = make_ready_video(session), make_ready_video(session)
    phone, tv = login(session, user), login(session, user)
    t0 = utcnow()

    def open_on(device: uuid.UUID, at: timedelta) -> streams.StreamSlot:
        return streams.open_stream(
            session,
            user_id=user.id,
            session_id=device,
            profile_id=None,
            video_id=video.id,
            limit=1,
            now=t0 + at,
        )

    assert open_on(phone, timedelta()).lease is not None
    # A progress report a minute later keeps it; nothing for another two minutes frees it.
    assert streams.touch_stream(session, session_id=phone, now=t0 + timedelta(minutes=1))
    assert open_on(tv, timedelta(minutes=2)).lease is None
    later = timedelta(minutes=1) + streams.LEASE_TTL + timedelta(seconds=1)
    # A lapsed lease is not revived by a late progress report...
    assert not streams.touch_stream(session, session_id=phone, now=t0 + later)
    # ...and the slot is the next device's.
    assert open_on(tv, later).lease is not None
    assert open_on(phone, later).lease is None
    # A player closing late (another video) leaves the device's current stream alone.
    assert streams.end_streams(session, session_id=tv, video_id=other.id) == 0
    assert streams.end_streams(session, session_id=tv, video_id=video.id) == 1
    assert open_on(phone, later).lease is not None
    session.commit()


def test_a_revoked_session_streams_no_more(session: Session) -> None:
    user = make_user(session)
    video = make_ready_video(session)
    phone, tv = login(session, user), login(session, user)
    assert streams.open_stream(
        session, user_id=user.id, session_id=phone, profile_id=None, video_id=video.id, limit=1
    ).lease
    row = session.get(AuthSession, phone)
    assert row is not None
    row.revoked_at = utcnow()
    session.flush()
    assert streams.open_stream(
        session, user_id=user.id, session_id=tv, profile_id=None, video_id=video.id, limit=1
    ).lease
    session.commit()


def test_a_smaller_plan_keeps_the_oldest_streams(session: Session) -> None:
    user = make_user(session)
    video = make_ready_video(session)
    devices = [login(session, user) for _ in range(3)]
    t0 = utcnow()
    for i, device in enumerate(devices):
        slot = streams.open_stream(
            session,
            user_id=user.id,
            session_id=device,
            profile_id=None,
            video_id=video.id,
            limit=3,
            now=t0 + timedelta(seconds=i),
        )
        assert slot.lease is not None
    # The plan now allows one: at their renewals the newer two lose their leases.
    renewals = [
        streams.open_stream(
            session,
            user_id=user.id,
            session_id=device,
            profile_id=None,
            video_id=video.id,
            limit=1,
            now=t0 + timedelta(seconds=10),
        )
        for device in reversed(devices)
    ]
    assert [slot.lease is not None for slot in renewals] == [False, False, True]
    live = streams.active_streams(session, user_id=user.id, now=t0 + timedelta(seconds=10))
    assert [lease.session_id for lease in live] == [devices[0]]
    session.commit()


def test_two_devices_starting_at_once_get_one_slot(pg_url: str) -> None:
    """The account's row lock makes the second start wait for the first's commit and
    see its lease (PostgreSQL; SQLite's writes are one at a time anyway)."""
    with migrated_session(pg_url) as setup:
        user = make_user(setup)
        video_id = make_ready_video(setup).id
        devices = [login(setup, user) for _ in range(2)]
        user_id = user.id
        setup.commit()
    engine = create_db_engine(pg_url)
    sessions = session_factory(engine)
    start = threading.Barrier(len(devices))
    granted: list[bool] = []

    def play(device: uuid.UUID) -> None:
        with sessions() as s:
            start.wait()
            slot = streams.open_stream(
                s, user_id=user_id, session_id=device, profile_id=None, video_id=video_id, limit=1
            )
            s.commit()
            granted.append(slot.lease is not None)

    try:
        for _ in range(5):
            with sessions() as s:
                s.execute(delete(StreamLease))
                s.commit()
            granted.clear()
            threads = [threading.Thread(target=play, args=(d,)) for d in devices]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            assert sorted(granted) == [False, True]
        with sessions() as s:
            assert len(list(s.scalars(select(StreamLease)))) == 1
    finally:
        engine.dispose()
