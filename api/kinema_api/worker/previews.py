"""The embedded preview worker: makes shared clips' previews, one at a time.

It claims a clip whose preview is pending (``kinema.catalog.services.clips``) and runs
``kinema clip-preview`` on the video's published output as a subprocess, exactly the
command a cluster's preview Job runs (the operator's ``kinema_operator.clip.jobs``), so the
encode never runs in the API process. The command writes ``preview.mp4`` and
``still.jpg`` under ``clips/<id>/`` in the store; the worker then marks the preview
``ready`` (or ``failed`` with the command's last error line).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from kinema.catalog.services import clips as clip_rows
from kinema.settings import Settings
from kinema.storage import ObjectStore
from kinema_api.worker.pool import transcode_command
from kinema_api.worker.queue import QueueWorker

log = logging.getLogger("kinema.worker.previews")
PREVIEW_TIMEOUT_S = 300


@dataclass(frozen=True, slots=True)
class PreviewTask:
    clip_id: uuid.UUID
    output_prefix: str
    start_s: float
    end_s: float
    dest_prefix: str


def preview_arguments(task: PreviewTask, *, output: str, dest: str) -> list[str]:
    """``clip-preview`` and its arguments (the Job's are the same)."""
    return [
        "clip-preview",
        output,
        dest,
        "--start",
        f"{task.start_s:.3f}",
        "--end",
        f"{task.end_s:.3f}",
    ]


class PreviewWorker(QueueWorker):
    name = "previews"

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        store: ObjectStore,
        wake: threading.Event | None = None,
        poll_s: float = 5.0,
    ) -> None:
        super().__init__(
            settings=settings, sessions=sessions, store=store, wake=wake, poll_s=poll_s
        )

    def _release(self, session: Session, *, prefix: str) -> int:
        return clip_rows.release_claims(session, prefix=prefix)

    def claim(self) -> PreviewTask | None:
        with self.sessions() as session:
            clip = clip_rows.claim_preview(session, worker=self.identity)
            if clip is None:
                session.commit()
                return None
            task = PreviewTask(
                clip.id,
                clip.video.output_prefix or "",
                clip.start_s,
                clip.end_s,
                clip.preview_prefix,
            )
            session.commit()
            return task

    def run_once(self) -> bool:
        """Make one pending preview; False when there was none."""
        task = self.claim()
        if task is None:
            return False
        error = self._make(task)
        with self.sessions() as session:
            kept = clip_rows.finish_preview(
                session, clip_id=task.clip_id, worker=self.identity, error=error
            )
            session.commit()
        if not kept:  # deleted meanwhile: its files are nobody's
            self.store.delete_prefix(task.dest_prefix)
        log.info("clip %s preview: %s", task.clip_id, error or "ready")
        return True

    def _location(self, key: str) -> str:
        local = self.store.local_path(key)
        return str(local) if local is not None else self.store.uri(key)

    def _make(self, task: PreviewTask) -> str | None:
        if not task.output_prefix:
            return "the video has no published output"
        cmd = [
            *transcode_command(self.settings),
            *preview_arguments(
                task,
                output=self._location(task.output_prefix),
                dest=self._location(task.dest_prefix),
            ),
        ]
        try:
            proc = subprocess.run(  # an argument list, never a shell
                cmd,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=PREVIEW_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"the preview took longer than {PREVIEW_TIMEOUT_S} s"
        except OSError as exc:
            return f"cannot run the preview command: {exc}"
        if proc.returncode == 0:
            return None
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        with contextlib.suppress(IndexError):
            return lines[-1][:500]
        return f"the preview command failed (exit {proc.returncode})"
