"""Clip previews in a cluster: the operator launches and follows one Job per clip.

Level-triggered like the Videos: every :meth:`Previews.tick` re-reads the catalog's
pending clips and the Jobs it claimed them for, so a restarted operator carries on where
the Jobs are. A tick

1. follows each clip claimed by a Job (``claimed_by = job:<namespace>/<name>``): a
   Complete Job makes the preview ``ready``; a failed or vanished one frees the clip for
   a new Job, up to ``KINEMA_OPERATOR_PREVIEW_ATTEMPTS`` Jobs, then marks it ``failed``
   with the pod's last error line (a Job failed by exit code 2, bad arguments, fails the
   clip at once);
2. claims pending clips of videos that have a Video resource, up to
   ``KINEMA_OPERATOR_PREVIEW_CONCURRENCY`` Jobs at once, and creates their Jobs in the
   Video's namespace, owned by the Video.

The claim is written (and committed) before the Job is created: should the operator stop
in between, the next tick finds no Job and tries again. A background thread ticks every
``KINEMA_OPERATOR_PREVIEW_INTERVAL_S``, and at once when a preview Job changes (the Job
watch calls :meth:`Previews.nudge`). The embedded worker never takes a Job's claim over.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kinema.catalog.models import Clip, Video
from kinema.catalog.services import clips as clip_rows
from kinema.resources import video as video_res
from kinema.settings import Settings
from kinema.storage import ObjectStore, StorageError
from kinema_operator.catalog import Catalog
from kinema_operator.clip import jobs
from kinema_operator.config import OperatorSettings
from kinema_operator.errors import CatalogSyncError, OperatorError
from kinema_operator.kube import Kube

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claim:
    """A clip claimed by a preview Job."""

    clip_id: uuid.UUID
    worker: str  # job:<namespace>/<name>
    attempt: int

    @property
    def namespace(self) -> str:
        return self.worker.removeprefix(clip_rows.JOB_CLAIM).split("/", 1)[0]

    @property
    def job(self) -> str:
        return self.worker.split("/", 1)[1]


@dataclass(frozen=True, slots=True)
class Launch:
    """A clip just claimed, and what its Job needs."""

    claim: Claim
    video: str  # the Video resource's name, in claim.namespace
    output_prefix: str
    dest_prefix: str
    start_s: float
    end_s: float


class Previews:
    def __init__(
        self,
        *,
        kube: Kube,
        catalog: Catalog,
        store: ObjectStore,
        settings: Settings,
        op: OperatorSettings,
    ) -> None:
        self.kube, self.catalog, self.store, self.op = kube, catalog, store, op
        self.config = jobs.preview_job_config(settings, op)
        self.base_url = (settings.storage_url or "").rstrip("/")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the background loop -----------------------------------------------------------

    def start(self) -> None:
        if self.op.preview_concurrency == 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="clip-previews", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except OperatorError as exc:  # the next tick tries again
                log.warning("clip previews: %s", exc)
            self._wake.wait(self.op.preview_interval_s)
            self._wake.clear()

    # --- one pass ----------------------------------------------------------------------

    def tick(self) -> None:
        running = self.follow()
        if self.op.preview_concurrency > running:
            self.launch(self.op.preview_concurrency - running)

    @contextmanager
    def _session(self, what: str) -> Iterator[Session]:
        try:
            with self.catalog.sessions.begin() as session:
                yield session
        except SQLAlchemyError as exc:
            raise CatalogSyncError(f"clip previews: {what} failed: {exc}") from exc

    def follow(self) -> int:
        """Settle the claims whose Job ended; how many Jobs are still running."""
        with self._session("reading the preview claims") as session:
            claims = [
                Claim(c.id, c.claimed_by or "", c.preview_attempts)
                for c in clip_rows.job_claims(session)
            ]
        running = 0
        for claim in claims:
            job = self.kube.get_job(claim.namespace, claim.job)
            pods: list[dict[str, Any]] = []
            if job is not None and job.get("status", {}).get("failed"):
                pods = self.kube.list_pods(claim.namespace, f"job-name={claim.job}")
            found = jobs.outcome(job, pods, name=claim.job)
            step = jobs.decide(found, attempt=claim.attempt, max_attempts=self.op.preview_attempts)
            if step.step is jobs.Step.WAIT:
                running += 1
                continue
            self._settle(claim, step)
        return running

    def _settle(self, claim: Claim, step: jobs.Next) -> None:
        with self._session(f"recording clip {claim.clip_id}'s preview") as session:
            if step.step is jobs.Step.RETRY:
                kept = clip_rows.retry_preview(session, clip_id=claim.clip_id, worker=claim.worker)
            else:
                error = step.error if step.step is jobs.Step.FAIL else None
                kept = clip_rows.finish_preview(
                    session, clip_id=claim.clip_id, worker=claim.worker, error=error
                )
        log.info("clip %s preview (Job %s): %s %s", claim.clip_id, claim.job, step.step,
                 step.error)  # fmt: skip
        if not kept and step.step is jobs.Step.READY:  # deleted meanwhile: nobody's files
            self._remove(f"clips/{claim.clip_id.hex}")

    def launch(self, room: int) -> list[str]:
        """Claim up to ``room`` pending clips and create their Jobs; the Jobs' names."""
        with self._session("claiming pending clips") as session:
            claimed = [
                self._claim(session, clip, video)
                for clip, video in clip_rows.pending_for_jobs(session, limit=room)
            ]
        return [name for launch in claimed if (name := self._create(launch))]

    def _claim(self, session: Session, clip: Clip, video: Video) -> Launch:
        namespace, name = str(video.resource_name).split("/", 1)
        job = f"{namespace}/{jobs.job_name(clip.id, clip.preview_attempts + 1)}"
        attempt = clip_rows.claim_for_job(session, clip=clip, job=job)
        return Launch(
            claim=Claim(clip.id, f"{clip_rows.JOB_CLAIM}{job}", attempt),
            video=name,
            output_prefix=video.output_prefix or "",
            dest_prefix=clip.preview_prefix,
            start_s=clip.start_s,
            end_s=clip.end_s,
        )

    def _create(self, launch: Launch) -> str | None:
        claim = launch.claim
        owner = self.kube.get(video_res.PLURAL, claim.namespace, launch.video)
        if owner is None or not launch.output_prefix:
            why = "is gone" if owner is None else "has no published output"
            self._settle(claim, jobs.Next(jobs.Step.FAIL, f"the Video {launch.video} {why}"))
            return None
        manifest = jobs.preview_job(
            self.config,
            namespace=claim.namespace,
            clip_id=claim.clip_id,
            attempt=claim.attempt,
            output_url=f"{self.base_url}/{launch.output_prefix}",
            dest_url=f"{self.base_url}/{launch.dest_prefix}",
            start_s=launch.start_s,
            end_s=launch.end_s,
            owner=jobs.owner_reference(owner),
        )
        self.kube.create_job(manifest)  # already there (a retried tick): nothing changes
        return claim.job

    def _remove(self, prefix: str) -> None:
        try:
            self.store.delete_prefix(prefix)
        except StorageError as exc:
            log.warning("removing %s: %s", prefix, exc)
