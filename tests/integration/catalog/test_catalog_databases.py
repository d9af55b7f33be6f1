"""The catalog on both databases it supports: SQLite (embedded) and the harness's
real PostgreSQL. Migrations, search ranking, the operator's upsert, the job queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from kinema.catalog import migrate
from kinema.catalog.db import create_db_engine
from kinema.catalog.errors import InvalidChange, NotFound
from kinema.catalog.models import (
    JobStatus,
    Maturity,
    Rendition,
    TitleKind,
    TrackKind,
    Video,
    VideoStatus,
    utcnow,
)
from kinema.catalog.search import SearchFilters, search_titles
from kinema.catalog.services import jobs, titles, viewing
from kinema.catalog.services.sync import RenditionRecord, TrackRecord, VideoUpsert, upsert_video
from tests.utils.factories import make_ready_video, make_title, make_user, migrated_session

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


def test_migrations_match_models_and_round_trip(db_url: str) -> None:
    migrate.upgrade(db_url)
    assert migrate.is_up_to_date(db_url)
    assert migrate.pending_changes(db_url) == []
    migrate.downgrade(db_url, "base")
    engine = create_db_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    migrate.upgrade(db_url)
    assert migrate.pending_changes(db_url) == []


def _seed(session: Session) -> None:
    make_title(
        session,
        name="The Long Voyage",
        description="A ship crosses the ocean.",
        genres=["Adventure"],
    )
    make_title(
        session,
        name="Ocean Dreams",
        description="A documentary about the sea and a voyage of whales.",
        genres=["Documentary"],
    )
    make_title(
        session,
        name="Night Shift",
        description="Nurses at work. One of them dreams of a long voyage.",
        genres=["Drama"],
    )
    make_title(session, name="Voyage", description="Minimal.", genres=["Drama"], year=1999)
    make_title(
        session,
        name="Kids Voyage",
        description="Cartoon trip.",
        maturity=Maturity.ALL,
        genres=["Animation"],
        kind=TitleKind.SERIES,
    )
    make_title(session, name="Hidden Voyage", published=False)
    make_title(session, name="Space Cats", tags=["voyage"], genres=["Comedy"])
    session.commit()


def _names(session: Session, q: str, filters: SearchFilters | None = None) -> list[str]:
    return [h.title.name for h in search_titles(session, q, filters or SearchFilters())]


def test_search_ranking(session: Session) -> None:
    _seed(session)
    names = _names(session, "voyage")
    # The exact name first, then names containing the word, then a keyword (tag)
    # match, then description matches; unpublished titles never.
    assert names[0] == "Voyage"
    assert set(names[1:3]) == {"The Long Voyage", "Kids Voyage"}
    assert names[3] == "Space Cats"
    assert set(names[4:]) == {"Night Shift", "Ocean Dreams"}
    assert "Ocean Dreams" in names  # found through its description


def test_search_words_prefixes_and_typos(session: Session) -> None:
    _seed(session)
    assert _names(session, "long voyage")[0] == "The Long Voyage"
    assert _names(session, "ocea")[0] == "Ocean Dreams"  # as the user types
    assert _names(session, "vyage")[0] == "Voyage"  # misspelled
    assert _names(session, 'voyage" OR *') != []  # query syntax in input is inert
    assert _names(session, "zzzzqqq") == []


def test_search_filters(session: Session) -> None:
    _seed(session)
    assert _names(session, "voyage", SearchFilters(year=1999)) == ["Voyage"]
    assert _names(session, "voyage", SearchFilters(kind=TitleKind.SERIES)) == ["Kids Voyage"]
    assert _names(session, "voyage", SearchFilters(max_maturity=Maturity.KIDS)) == ["Kids Voyage"]
    assert _names(session, "", SearchFilters(genre="documentary")) == ["Ocean Dreams"]


def test_search_follows_updates(session: Session) -> None:
    _seed(session)
    title = next(h.title for h in search_titles(session, "space cats"))
    titles.update_title(session, title=title, name="Orbit Felines")
    session.commit()
    assert _names(session, "space cats") == []
    assert _names(session, "felines") == ["Orbit Felines"]
    titles.delete_title(session, title=title)
    session.commit()
    assert _names(session, "felines") == []


def test_operator_upsert_is_idempotent(session: Session) -> None:
    data = VideoUpsert(
        resource_name="default/big-buck",
        title="Big Buck",
        description="A rabbit.",
        genres=["Animation", "Comedy"],
        maturity=Maturity.ALL,
        published=True,
        status=VideoStatus.PROCESSING,
        progress=0.5,
    )
    first = upsert_video(session, data)
    session.commit()
    again = upsert_video(session, data)
    session.commit()
    assert first.id == again.id
    assert first.title.name == "Big Buck"
    assert [g.name for g in first.title.genres] == ["Animation", "Comedy"]
    done = VideoUpsert(
        resource_name="default/big-buck",
        status=VideoStatus.READY,
        output_prefix="processed/big-buck",
        hls_path="master.m3u8",
        dash_path="manifest.mpd",
        duration_s=12.5,
        renditions=[
            RenditionRecord("720p", 1280, 720, 3_000_000, "avc1", "720p/playlist.m3u8"),
            RenditionRecord("360p", 640, 360, 800_000, "avc1", "360p/playlist.m3u8"),
        ],
        tracks=[TrackRecord(TrackKind.SUBTITLE, "en", "English", "subs/en.vtt")],
    )
    video = upsert_video(session, done)
    upsert_video(session, done)
    session.commit()
    assert video.status is VideoStatus.READY
    # Chapters are replaced as a whole when given, kept when not.
    upsert_video(session, VideoUpsert(resource_name="default/big-buck", chapters=(5, 60, None)))
    upsert_video(session, VideoUpsert(resource_name="default/big-buck", title="Big Buck"))
    session.commit()
    assert (video.intro_start_s, video.intro_end_s, video.credits_start_s) == (5, 60, None)
    assert video.progress == 1.0
    assert video.ready_at is not None
    assert [r.name for r in video.renditions] == ["360p", "720p"]
    count = session.scalars(select(Rendition).where(Rendition.video_id == video.id)).all()
    assert len(count) == 2
    assert [(t.kind, t.language) for t in video.tracks] == [(TrackKind.SUBTITLE, "en")]
    # A report from an older generation changes nothing.
    video.generation = 3
    session.commit()
    upsert_video(session, VideoUpsert(video_id=video.id, generation=2, status=VideoStatus.FAILED))
    assert video.status is VideoStatus.READY


def test_operator_upsert_episodes(session: Session) -> None:
    for n in (1, 2):
        upsert_video(
            session,
            VideoUpsert(
                resource_name=f"ns/show-s1e{n}",
                series="The Show",
                title=f"Episode {n}",
                season_number=1,
                episode_number=n,
            ),
        )
    session.commit()
    videos = session.scalars(select(Video).order_by(Video.episode_number)).all()
    assert {v.title_id for v in videos} == {videos[0].title_id}
    assert [v.name for v in videos] == ["Episode 1", "Episode 2"]
    assert videos[0].title.kind is TitleKind.SERIES
    assert [s.number for s in videos[0].title.seasons] == [1]
    with pytest.raises(InvalidChange):
        upsert_video(session, VideoUpsert(resource_name="ns/x", series="The Show"))


def _status(session: Session, video_id: uuid.UUID) -> VideoStatus:
    video = session.get(Video, video_id)
    assert video is not None
    return video.status


def test_job_queue_claim_recover_retry(session: Session) -> None:
    a = titles.create_video(session, title=make_title(session), source="raw/a.mp4")
    b = titles.create_video(session, title=make_title(session), source="raw/b.mp4")
    ja = jobs.enqueue_transcode(session, video=a)
    jb = jobs.enqueue_transcode(session, video=b)
    session.commit()
    claimed = jobs.claim_next(session, worker="w1")
    second = jobs.claim_next(session, worker="w2")
    session.commit()
    assert claimed is not None and second is not None
    assert {claimed.id, second.id} == {ja.id, jb.id}
    assert jobs.claim_next(session, worker="w3") is None
    assert a.status is VideoStatus.PROCESSING
    assert jobs.heartbeat(session, job_id=ja.id, progress=0.4, stage="encode")
    assert a.progress == pytest.approx(0.4)
    # The process dies: on restart every running job is queued again.
    recovered = jobs.recover_interrupted(session)
    session.commit()
    assert {j.id for j in recovered} == {ja.id, jb.id}
    assert _status(session, a.id) is VideoStatus.QUEUED
    again = jobs.claim_next(session, worker="w1")
    assert again is not None and again.attempts == 2
    jobs.finish_job(session, job_id=again.id, succeeded=False, error="boom")
    assert again.status is JobStatus.QUEUED  # attempts left
    last = jobs.claim_next(session, worker="w1")
    assert last is not None
    jobs.finish_job(session, job_id=last.id, succeeded=False, error="boom again")
    session.commit()
    assert last.attempts == 3
    assert last.status is JobStatus.FAILED
    failed_video = session.get(Video, last.video_id)
    assert failed_video is not None and failed_video.status is VideoStatus.FAILED
    assert failed_video.error == "boom again"


def test_retranscode_cancels_and_bumps_generation(session: Session) -> None:
    video = titles.create_video(session, title=make_title(session), source="raw/a.mp4")
    first = jobs.enqueue_transcode(session, video=video)
    claimed = jobs.claim_next(session, worker="w")
    assert claimed is not None
    second = jobs.enqueue_transcode(session, video=video)
    session.commit()
    assert first.status is JobStatus.CANCELLED
    assert second.generation == 2
    assert video.generation == 1  # the served output's generation, until the new one lands
    # The old worker learns it was cancelled at its next heartbeat.
    assert not jobs.heartbeat(session, job_id=first.id, progress=0.9)
    # A ready video stays ready (and playable) while it is re-transcoded.
    ready = make_ready_video(session)
    job = jobs.enqueue_transcode(session, video=ready)
    assert job.generation == ready.generation + 1
    assert ready.status is VideoStatus.READY
    queued = [jobs.claim_next(session, worker="w") for _ in range(2)]
    assert [j.id for j in queued if j is not None] == [second.id, job.id]
    assert ready.status is VideoStatus.READY
    jobs.finish_job(session, job_id=job.id, succeeded=False, error="x")
    assert ready.status is VideoStatus.READY and ready.error is None


def test_progress_reports_stored_together_as_if_one_by_one(session: Session) -> None:
    user = make_user(session)
    profile = user.profiles[0]
    video = make_ready_video(session, duration_s=100)
    other = make_ready_video(session, duration_s=100)
    session.commit()
    t0 = utcnow()
    first = viewing.record_progress(
        session, profile_id=profile.id, video_id=video.id, position_s=10, at=t0
    )
    assert [h.last_position_s for h in viewing.history(session, profile_id=profile.id)] == [10]
    ProgressReport = viewing.ProgressReport
    got = viewing.record_progress_many(
        session,
        [
            ProgressReport(profile.id, video.id, 20, None, t0 + timedelta(seconds=10)),
            ProgressReport(profile.id, other.id, 99, None, t0 + timedelta(seconds=11)),
            ProgressReport(profile.id, uuid.uuid4(), 5, None, t0 + timedelta(seconds=12)),
            ProgressReport(profile.id, video.id, 15, None, t0 - timedelta(seconds=1)),  # late
            ProgressReport(profile.id, video.id, 40, None, t0 + timedelta(seconds=20)),
            # Three hours on: a new viewing of the same video, a new history entry.
            ProgressReport(profile.id, video.id, 50, None, t0 + timedelta(hours=3)),
        ],
    )
    session.commit()
    positions = [g.position_s if isinstance(g, viewing.ProgressRecord) else None for g in got]
    assert positions == [20, 99, None, 20, 40, 50]
    assert isinstance(got[2], NotFound)
    assert got[1].completed  # type: ignore[union-attr]
    assert first.position_s == 10
    stored = viewing.get_progress(session, profile_id=profile.id, video_id=video.id)
    assert stored is not None and stored.position_s == 50
    entries = viewing.history(session, profile_id=profile.id)
    assert sorted((e.video_id == video.id, e.last_position_s) for e in entries) == [
        (False, 99),
        (True, 40),
        (True, 50),
    ]


def test_viewing_state(session: Session) -> None:
    user = make_user(session)
    profile = user.profiles[0]
    video = make_ready_video(session, duration_s=100)
    other = make_ready_video(session, duration_s=100)
    session.commit()
    t0 = utcnow()
    viewing.record_progress(session, profile_id=profile.id, video_id=video.id, position_s=30, at=t0)
    viewing.record_progress(
        session,
        profile_id=profile.id,
        video_id=other.id,
        position_s=10,
        at=t0 + timedelta(minutes=1),
    )
    # A late, older report does not move the position back.
    stale = viewing.record_progress(
        session,
        profile_id=profile.id,
        video_id=video.id,
        position_s=5,
        at=t0 - timedelta(minutes=1),
    )
    assert stale.position_s == 30
    session.commit()
    row = viewing.continue_watching(session, profile_id=profile.id, max_maturity=Maturity.ADULT)
    assert [p.video_id for p in row] == [other.id, video.id]
    done = viewing.record_progress(
        session,
        profile_id=profile.id,
        video_id=other.id,
        position_s=99,
        at=t0 + timedelta(minutes=2),
    )
    assert done.completed
    row = viewing.continue_watching(session, profile_id=profile.id, max_maturity=Maturity.ADULT)
    assert [p.video_id for p in row] == [video.id]
    assert len(viewing.history(session, profile_id=profile.id)) == 2
    assert viewing.add_to_list(session, profile_id=profile.id, title_id=video.title_id)
    assert not viewing.add_to_list(session, profile_id=profile.id, title_id=video.title_id)
    listed = viewing.my_list(session, profile_id=profile.id, max_maturity=Maturity.ADULT)
    assert [t.id for t in listed] == [video.title_id]
    assert viewing.my_list(session, profile_id=profile.id, max_maturity=Maturity.ALL) == []
    assert viewing.remove_from_list(session, profile_id=profile.id, title_id=video.title_id)
    session.commit()


def test_a_video_read_while_another_process_deletes_it_keeps_its_title(pg_url: str) -> None:
    """The admin API read a video while the operator's finalizer deleted it and its title:
    a lazily loaded title came back None (a 500). It is read in the same statement now.
    (PostgreSQL only: SQLite's transactions here take the write lock, so no other process
    can delete between two reads of one.)"""
    with migrated_session(pg_url) as session:
        video_id = make_ready_video(session).id
        session.commit()
        session.expunge_all()
        video = titles.get_video(session, video_id=video_id)
        engine = create_db_engine(pg_url)
        try:
            with Session(engine) as other:
                titles.delete_video(other, video=titles.get_video(other, video_id=video_id))
                other.commit()
        finally:
            engine.dispose()
        assert video.title is not None and video.title.name


def test_operator_paths_from_the_store_root_become_relative(db_url: str) -> None:
    """Migration 0003: rows the operator wrote before with ``<prefix>/file`` paths read
    like the embedded pool's (relative to ``output_prefix``); others are untouched."""
    with migrated_session(db_url) as session:
        old = make_ready_video(session)
        pool = make_ready_video(session)
        prefix = old.output_prefix or ""
        old.hls_path, old.dash_path = f"{prefix}/master.m3u8", f"{prefix}/manifest.mpd"
        old.poster_path, old.thumbnails_path = f"{prefix}/posters/p0.jpg", None
        before = (pool.hls_path, pool.dash_path, pool.thumbnails_path, pool.poster_path)
        session.commit()
        old_id, pool_id = old.id, pool.id
    migrate.downgrade(db_url, "0002")
    migrate.upgrade(db_url)
    with migrated_session(db_url) as session:
        moved, kept = session.get(Video, old_id), session.get(Video, pool_id)
        assert moved is not None and kept is not None
        assert (moved.hls_path, moved.dash_path, moved.poster_path, moved.thumbnails_path) == (
            "master.m3u8",
            "manifest.mpd",
            "posters/p0.jpg",
            None,
        )
        assert (kept.hls_path, kept.dash_path, kept.thumbnails_path, kept.poster_path) == before
