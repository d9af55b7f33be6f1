"""The operator's ``transcode_jobs`` rows: from a Video's Jobs and decision to the row
(pure), and what the catalog does with them (SQLite, migrated like production): one row
per output, never claimed or re-queued by the embedded worker pool."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kinema.catalog import migrate
from kinema.catalog.models import JobStatus, TranscodeJob, Video, VideoStatus
from kinema.catalog.services import jobs as pool
from kinema.catalog.services.sync import upsert_video
from kinema.resources.video import VideoSpec
from kinema_operator.catalog import Catalog
from kinema_operator.errors import CatalogSyncError
from kinema_operator.video.identity import Step
from kinema_operator.video.transcodes import transcode_record
from kinema_operator.video.upserts import metadata_upsert
from kinema_operator.video.views import JobView
from tests.unit.operator.test_planner import AT, PROBE, REPORT, done, job, observed, run

T0, T1, T2 = "2026-01-02T03:00:00Z", "2026-01-02T03:00:10Z", "2026-01-02T03:01:30Z"
WORKER = "k8s:media/clip-transcode-d1"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_a_new_video_is_queued_from_its_first_reconcile() -> None:
    obs = observed()
    record = transcode_record(obs, run(obs), AT)
    assert record is not None
    assert (record.worker, record.generation, record.status) == (WORKER, 1, JobStatus.QUEUED)
    assert record.stage == "probing" and record.started_at is None and record.finished_at is None


def test_it_runs_from_the_first_jobs_start_time() -> None:
    obs = observed(jobs=(job(Step.PROBE, started_at=T0),))
    record = transcode_record(obs, run(obs), AT)
    assert record is not None and record.status is JobStatus.RUNNING
    assert record.started_at == at(T0)


def test_a_job_held_by_kueue_is_queued_again() -> None:
    held = job(Step.TRANSCODE, active=0, suspended=True)
    probe = replace(done(Step.PROBE), started_at=T0, ended_at=T1)
    obs = observed(jobs=(probe, held), probe=PROBE)
    record = transcode_record(obs, run(obs), AT)
    assert record is not None and record.status is JobStatus.QUEUED
    assert record.started_at == at(T0) and record.progress == 0.05


def test_a_published_output_succeeded_when_its_last_job_completed() -> None:
    jobs = (
        replace(done(Step.PROBE), started_at=T0, ended_at=T1),
        replace(done(Step.TRANSCODE), started_at=T1, ended_at=T2),
        replace(done(Step.PACKAGE), started_at=T2, ended_at=T2),
    )
    obs = observed(jobs=jobs, probe=PROBE, report=REPORT)
    decision = run(obs)
    record = transcode_record(obs, decision, AT)
    assert record is not None
    assert (record.status, record.progress, record.error) == (JobStatus.SUCCEEDED, 1.0, None)
    assert (record.started_at, record.finished_at) == (at(T0), at(T2))
    # Written once: the next reconcile finds it published and records nothing.
    again = observed(jobs=jobs, status=decision.status)
    assert transcode_record(again, run(again), AT) is None


def test_a_failure_carries_the_pods_reason_and_is_written_once() -> None:
    failed = job(Step.PROBE, started_at=T0, failed_final=True, ended_at=T1)
    why = "s3://media-bucket/raw/clip.mp4 is not a media file ffprobe can read"
    obs = observed(jobs=(failed,), failures={failed.name: why})
    decision = run(obs)
    record = transcode_record(obs, decision, AT)
    assert record is not None and record.status is JobStatus.FAILED
    assert record.error is not None and why in record.error
    assert record.finished_at == at(T1) and record.stage == "failed"
    again = replace(obs, status=decision.status)
    assert transcode_record(again, run(again), AT) is None
    # Its Jobs garbage-collected: nothing left to say either.
    gone = replace(obs, status=decision.status, jobs=())
    assert transcode_record(gone, run(gone), AT) is None


def test_a_metadata_edit_mid_transcode_keeps_the_same_row() -> None:
    jobs = (done(Step.PROBE), job(Step.TRANSCODE, started_at=T1))
    first = transcode_record(o := observed(jobs=jobs, probe=PROBE), run(o), AT)
    edited = observed(jobs=jobs, probe=PROBE, generation=2)
    second = transcode_record(edited, run(edited), AT)
    assert first is not None and second is not None and first.worker == second.worker


def test_a_job_view_reads_its_start_and_end() -> None:
    failed = {"type": "Failed", "status": "True", "lastTransitionTime": T1}
    status: dict[str, Any] = {"startTime": T0, "failed": 1, "conditions": [failed]}
    body = {"metadata": {"name": "clip-probe-d1"}, "status": status}
    view = JobView.parse(body)
    assert (view.started_at, view.ended_at) == (T0, T1)
    status["completionTime"] = T2
    assert JobView.parse(body).ended_at == T2
    assert JobView.parse({}).started_at == ""


# --- the catalog side -----------------------------------------------------------------


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    migrate.upgrade(url)
    found = Catalog(url)
    yield found
    found.close()


SPEC = VideoSpec(source="s3://media-bucket/raw/clip.mp4", title="Clip", published=True)


def rows(catalog: Catalog) -> list[tuple[str | None, JobStatus, str | None]]:
    with catalog.sessions() as session:
        found = session.scalars(select(TranscodeJob).order_by(TranscodeJob.created_at))
        return [(j.worker, j.status, j.error) for j in found]


def test_rows_are_one_per_output_and_the_pool_never_takes_them(catalog: Catalog) -> None:
    data = metadata_upsert("media", "clip", SPEC, 1)
    obs = observed(jobs=(job(Step.PROBE),))
    queued = transcode_record(obs, run(obs), AT)
    assert queued is not None and queued.status is JobStatus.QUEUED
    for _ in range(2):  # a repeated reconcile (or a restarted operator) adds nothing
        catalog.record_transcode(data, queued)
    assert rows(catalog) == [(WORKER, JobStatus.QUEUED, None)]
    with catalog.sessions() as session:
        video = session.scalar(select(Video).where(Video.resource_name == "media/clip"))
        assert video is not None and video.status is VideoStatus.PROCESSING
        assert not video.title.published  # nothing to play yet

        # An embedded worker on the same database: a queued operator row is not work,
        # a job of its own (queued later) is.
        assert pool.claim_next(session, worker="host:1/kinema-worker-0") is None
        other = upsert_video(session, metadata_upsert("media", "other", SPEC, 1))
        own = pool.enqueue_transcode(session, video=other)
        session.commit()
        claimed = pool.claim_next(session, worker="host:1/kinema-worker-0")
        assert claimed is not None and claimed.id == own.id
        assert pool.claim_next(session, worker="host:1/kinema-worker-1") is None
        session.commit()
    assert (WORKER, JobStatus.QUEUED, None) in rows(catalog)

    running = replace(queued, status=JobStatus.RUNNING, started_at=at(T0))
    catalog.record_transcode(data, running)
    with catalog.sessions() as session:
        # A pool starting up re-queues its own interrupted jobs, never the operator's.
        assert [j.id for j in pool.recover_interrupted(session)] == [own.id]
        session.commit()
    assert (WORKER, JobStatus.RUNNING, None) in rows(catalog)


def test_a_new_output_cancels_the_row_of_the_one_it_replaced(catalog: Catalog) -> None:
    data = metadata_upsert("media", "clip", SPEC, 1)
    obs = observed(jobs=(job(Step.PROBE, started_at=T0),))
    first = transcode_record(obs, run(obs), AT)
    assert first is not None
    catalog.record_transcode(data, first)
    obs2 = observed(digest="d2", generation=2)
    second = transcode_record(obs2, run(obs2), AT)
    assert second is not None
    catalog.record_transcode(replace(data, generation=2), second)
    assert rows(catalog) == [
        (WORKER, JobStatus.CANCELLED, None),
        ("k8s:media/clip-transcode-d2", JobStatus.QUEUED, None),
    ]


def test_a_failure_keeps_its_first_finish_time(catalog: Catalog) -> None:
    data = metadata_upsert("media", "clip", SPEC, 1)
    failed = transcode_record(o := observed(jobs=(job(Step.PROBE, failed_final=True),)), run(o), AT)
    assert failed is not None and failed.finished_at == AT
    catalog.record_transcode(data, failed)
    catalog.record_transcode(data, replace(failed, finished_at=at(T2)))
    with catalog.sessions() as session:
        row = session.scalars(select(TranscodeJob)).one()
        assert row.finished_at == AT and row.status is JobStatus.FAILED


def test_a_row_without_the_operators_mark_is_refused(catalog: Catalog) -> None:
    """What would make an operator row claimable never reaches the table."""
    data = metadata_upsert("media", "clip", SPEC, 1)
    obs = observed()
    record = transcode_record(obs, run(obs), AT)
    assert record is not None
    with pytest.raises(CatalogSyncError, match="k8s:"):
        catalog.record_transcode(data, replace(record, worker="host:1"))
    assert rows(catalog) == []
