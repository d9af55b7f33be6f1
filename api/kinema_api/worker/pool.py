"""The local worker pool: N threads, each running one ``kinema transcode`` at a time.

Jobs come from the database queue (``kinema.catalog.services.jobs``), so a restart
loses nothing: :meth:`WorkerPool.start` first re-queues jobs a dead process left
``running``. Each job transcodes into a scratch folder, then publishes the finished
output under ``processed/<video>/<generation>/`` and upserts the catalog, so a
re-transcode never disturbs the version being watched until it is complete.

A subtitle-only job (an admin changed the sidecar subtitles of a ready video) runs
``kinema subtitles`` on the published output instead: it rewrites the subtitle tracks
and manifests in place, in an order that keeps the output playable throughout, and
the catalog's tracks are then read again from the rewritten ``kinema.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.errors import NotFound
from kinema.catalog.models import Video
from kinema.catalog.services import jobs
from kinema.catalog.services.sync import VideoUpsert, upsert_video
from kinema.settings import Settings
from kinema.storage import ObjectStore
from kinema_api.admin.services import subtitles as subtitle_files
from kinema_api.worker.outputs import IncompleteOutput, parse_progress_line, upsert_from_report

log = logging.getLogger("kinema.worker")
HEARTBEAT_EVERY_S = 1.0


def transcode_command(settings: Settings) -> list[str]:
    """The command a transcode Job runs, without its arguments."""
    if settings.transcode_command:
        return shlex.split(settings.transcode_command)
    script = Path(sys.executable).with_name("kinema")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from kinema.cli import main; main()"]


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    job_id: uuid.UUID
    video_id: uuid.UUID
    generation: int
    source: str
    kind: str = jobs.TRANSCODE
    # (language, store key) of each sidecar subtitle file, and the admin's labels.
    subtitles: tuple[tuple[str, str], ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    # The published output a subtitle-only job rewrites.
    output_prefix: str | None = None


class JobCancelled(Exception):
    """The job was cancelled (re-transcode, delete) or the pool is stopping."""


class WorkerPool:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        store: ObjectStore,
        size: int,
        wake: threading.Event | None = None,
        poll_s: float = 2.0,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.store = store
        self.size = size
        self.wake = wake or threading.Event()
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._procs: dict[uuid.UUID, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        self.workdir = settings.data_dir / "work"
        self.identity = f"{socket.gethostname()}:{os.getpid()}"

    # --- lifecycle ---------------------------------------------------------------
    def start(self) -> list[uuid.UUID]:
        """Re-queue interrupted jobs, then start the threads; returns re-queued job ids."""
        with self.sessions() as session:
            recovered = [j.id for j in jobs.recover_interrupted(session)]
            session.commit()
        if recovered:
            log.info("re-queued %d interrupted transcode(s)", len(recovered))
        for n in range(self.size):
            thread = threading.Thread(target=self._loop, name=f"kinema-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.wake.set()
        return recovered

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop taking jobs and end running transcodes; their jobs stay ``running`` in
        the database and are re-queued at the next start."""
        self._stop.set()
        self.wake.set()
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    def running(self) -> int:
        with self._lock:
            return len(self._procs)

    # --- the loop ----------------------------------------------------------------
    def _loop(self) -> None:
        name = threading.current_thread().name
        while not self._stop.is_set():
            try:
                claimed = self._claim(f"{self.identity}/{name}")
            except Exception:
                log.exception("claiming a transcode job failed")
                claimed = None
            if claimed is None:
                self.wake.wait(self.poll_s)
                self.wake.clear()
                continue
            self.wake.set()  # there may be more: let an idle sibling look too
            self._run(claimed)

    def _claim(self, worker: str) -> ClaimedJob | None:
        with self.sessions() as session:
            job = jobs.claim_next(session, worker=worker)
            if job is None:
                session.commit()
                return None
            video = session.get(Video, job.video_id)
            claimed = ClaimedJob(
                job.id,
                job.video_id,
                job.generation,
                video.source or "" if video else "",
                kind=job.kind,
                subtitles=tuple(subtitle_files.sidecars(video)) if video else (),
                labels=subtitle_files.labels(video) if video else {},
                output_prefix=video.output_prefix if video else None,
            )
            session.commit()
            return claimed

    def _run(self, job: ClaimedJob) -> None:
        scratch = self.workdir / job.job_id.hex
        shutil.rmtree(scratch, ignore_errors=True)
        out = scratch / "out"
        out.mkdir(parents=True)
        log.info("%s of video %s (job %s)", job.kind, job.video_id, job.job_id)
        try:
            if job.kind == jobs.SUBTITLES:
                self._resubtitle(job, scratch)
            else:
                self._transcode(job, out, scratch)
                self._publish(job, out)
        except JobCancelled:
            log.info("job %s stopped", job.job_id)
        except Exception as exc:
            log.warning("job %s failed: %s", job.job_id, exc)
            with self.sessions() as session, contextlib.suppress(NotFound):
                jobs.finish_job(session, job_id=job.job_id, succeeded=False, error=str(exc)[:2000])
                session.commit()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _source_argument(self, source: str) -> str:
        if "://" in source:
            return source
        local = self.store.local_path(source)
        return str(local) if local is not None else self.store.uri(source)

    def _subtitle_options(self, job: ClaimedJob) -> list[str]:
        """``--subtitle LANG=PATH`` (and ``--subtitle-label LANG=LABEL``) for each sidecar
        (an argument list, never a shell string; the language was checked against the
        BCP 47 rule at the edge)."""
        options: list[str] = []
        for language, key in job.subtitles:
            options += ["--subtitle", f"{language}={self._source_argument(key)}"]
            if job.labels.get(language):
                options += ["--subtitle-label", f"{language}={job.labels[language]}"]
        return options

    def _transcode(self, job: ClaimedJob, out: Path, scratch: Path) -> None:
        cmd = [
            *transcode_command(self.settings),
            "transcode",
            self._source_argument(job.source),
            str(out),
            "--ladder",
            self.settings.transcode_ladder,
            *self._subtitle_options(job),
        ]
        self._execute(job, cmd, scratch, "kinema transcode")

    def _resubtitle(self, job: ClaimedJob, scratch: Path) -> None:
        """Rewrite the subtitle tracks of the published output, then the catalog's."""
        prefix = job.output_prefix
        if not prefix:
            raise IncompleteOutput(f"video {job.video_id} has no output to add subtitles to")
        local = self.store.local_path(prefix)
        outdir = str(local) if local is not None else self.store.uri(prefix)
        scratch.mkdir(parents=True, exist_ok=True)
        cmd = [*transcode_command(self.settings), "subtitles", outdir, *self._subtitle_options(job)]
        self._execute(job, cmd, scratch, "kinema subtitles")
        report = json.loads(self.store.get_bytes(f"{prefix}/kinema.json"))
        files = {info.key.removeprefix(f"{prefix}/") for info in self.store.list(prefix)}
        data = self._catalog_data(job, report, prefix, files)
        self._finish(job, data)
        log.info("video %s lists its new subtitles", job.video_id)

    def _catalog_data(
        self, job: ClaimedJob, report: dict[str, object], prefix: str, files: set[str]
    ) -> VideoUpsert:
        """The catalog upsert of an output, once the job is known to be still wanted."""
        data = upsert_from_report(
            report,
            video_id=job.video_id,
            generation=job.generation,
            output_prefix=prefix,
            files=files,
            labels=job.labels,
        )
        if not self._beat(job, 1.0, "publishing"):
            raise JobCancelled(f"job {job.job_id} was cancelled")
        return data

    def _finish(self, job: ClaimedJob, data: VideoUpsert, *, discard: str | None = None) -> None:
        """Upsert the catalog and close the job; a video deleted meanwhile cancels it
        (and removes ``discard``, the output just published for it)."""
        with self.sessions() as session:
            try:
                upsert_video(session, data)
                jobs.finish_job(session, job_id=job.job_id, succeeded=True)
            except NotFound:
                session.rollback()
                if discard is not None:
                    self.store.delete_prefix(discard)
                raise JobCancelled(f"video {job.video_id} was deleted") from None
            session.commit()

    def _execute(self, job: ClaimedJob, cmd: list[str], scratch: Path, what: str) -> None:
        """Run one transcoder command, following its progress; raises on failure."""
        stderr_path = scratch / "stderr.log"
        with (
            stderr_path.open("w") as stderr,
            subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                text=True,
                env=self._env(),
                start_new_session=True,
            ) as proc,
        ):
            with self._lock:
                self._procs[job.job_id] = proc
            try:
                last_error = self._follow(job, proc)
            finally:
                with self._lock:
                    self._procs.pop(job.job_id, None)
        if self._stop.is_set():
            raise JobCancelled("the pool is stopping")
        if proc.returncode != 0:
            detail = last_error or _last_message(stderr_path) or f"exit status {proc.returncode}"
            raise RuntimeError(f"{what} failed (exit {proc.returncode}): {detail}")

    def _follow(self, job: ClaimedJob, proc: subprocess.Popen[str]) -> str | None:
        assert proc.stdout is not None  # noqa: S101 - stdout=PIPE above
        last_beat = 0.0
        progress, stage, last_error = 0.0, "", None
        for line in proc.stdout:
            event = parse_progress_line(line)
            if event is None:
                continue
            if event.progress is not None:
                progress = event.progress
            stage = event.stage or stage
            last_error = event.error or last_error
            now = time.monotonic()
            if now - last_beat >= HEARTBEAT_EVERY_S:
                last_beat = now
                if not self._beat(job, progress, stage):
                    self._kill(proc)
                    raise JobCancelled(f"job {job.job_id} was cancelled")
        proc.wait()
        return last_error

    def _beat(self, job: ClaimedJob, progress: float, stage: str) -> bool:
        if self._stop.is_set():
            return False
        with self.sessions() as session:
            try:
                alive = jobs.heartbeat(session, job_id=job.job_id, progress=progress, stage=stage)
            except NotFound:
                return False
            session.commit()
            return alive

    @staticmethod
    def _kill(proc: subprocess.Popen[str]) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _publish(self, job: ClaimedJob, out: Path) -> None:
        report_path = out / "kinema.json"
        if not report_path.is_file():
            raise IncompleteOutput("the transcoder exited without writing kinema.json")
        report = json.loads(report_path.read_text())
        files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
        prefix = f"processed/{job.video_id.hex}/{job.generation}"
        data = self._catalog_data(job, report, prefix, files)
        self.store.delete_prefix(prefix)
        self.store.move_dir(out, prefix)
        self._finish(job, data, discard=prefix)
        for older in range(1, job.generation):
            self.store.delete_prefix(f"processed/{job.video_id.hex}/{older}")
        log.info("video %s is ready", job.video_id)


def _last_message(stderr_path: Path) -> str | None:
    """The last line of stderr with words in it (not a box-drawing border)."""
    for line in reversed(stderr_path.read_text(errors="replace").splitlines()):
        text = line.strip(" │╭╮╰╯─|").strip()
        if any(c.isalpha() for c in text):
            return text[:500]
    return None
