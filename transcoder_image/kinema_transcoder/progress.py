"""Progress for people (a rich bar on a terminal) and for programs (JSON lines).

When stdout is not a TTY, every report is one JSON object on its own line of stdout;
the operator, the embedded worker pool and tests parse these lines::

    {"event": "progress", "stage": "encode", "percent": 42.5, "chunk": 0, "chunks": 1,
     "fps": 118.0, "speed": 3.9}
    {"event": "stage", "stage": "quality"}
    {"event": "done", "status": "complete", "outdir": "out/", "wallS": 12.3}
    {"event": "error", "code": "unsupported_source", "message": "..."}

``percent`` covers the whole run (0..100, never decreasing); ``stage`` is one of
``probe``, ``encode``, ``quality``, ``package``. Lines are flushed as written and at most
a few per second are printed. Nothing else is written to stdout in that mode.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

# Share of the whole run each stage accounts for (percent at which it ends).
STAGE_END = {"probe": 2.0, "encode": 85.0, "quality": 97.0, "package": 100.0}
_MIN_INTERVAL_S = 0.25


class Reporter:
    def __init__(self, json_lines: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.json_lines = (not self.stream.isatty()) if json_lines is None else json_lines
        self.percent = 0.0
        self.stage = "probe"
        self.extra: dict[str, Any] = {}
        self._last = 0.0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if not self.json_lines:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>5.1f}%"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("probe", total=100)

    def _emit(self, payload: dict[str, Any]) -> None:
        self.stream.write(json.dumps(payload, separators=(", ", ": ")) + "\n")
        self.stream.flush()

    def begin(self, stage: str, **extra: Any) -> None:
        start = {"probe": 0.0, "encode": 2.0, "quality": 85.0, "package": 97.0}[stage]
        self.stage = stage
        self.extra.update(extra)
        self.percent = max(self.percent, start)
        if self.json_lines:
            self._emit({"event": "stage", "stage": stage, **self.extra})
        self._render(force=True)

    def update(self, fraction: float, **fields: Any) -> None:
        """``fraction`` (0..1) of the current stage is done."""
        start = {"probe": 0.0, "encode": 2.0, "quality": 85.0, "package": 97.0}[self.stage]
        value = start + (STAGE_END[self.stage] - start) * min(max(fraction, 0.0), 1.0)
        self.percent = max(self.percent, round(value, 1))
        self._render(**fields)

    def _render(self, force: bool = False, **fields: Any) -> None:
        now = time.monotonic()
        if not force and now - self._last < _MIN_INTERVAL_S:
            return
        self._last = now
        if self.json_lines:
            payload = {"event": "progress", "stage": self.stage, "percent": self.percent}
            payload.update(self.extra)
            payload.update({k: v for k, v in fields.items() if v is not None})
            self._emit(payload)
        elif self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.percent, description=self.stage)

    def note(self, message: str, **fields: Any) -> None:
        """Something the user should know that is not progress (e.g. what was reused)."""
        if self.json_lines:
            self._emit({"event": "note", "message": message, **fields})
        elif self._bar is not None:
            self._bar.console.print(message)

    def done(self, status: str, **fields: Any) -> None:
        if status == "complete":
            self.percent = 100.0
        if self.json_lines:
            self._emit({"event": "done", "status": status, **fields})
        elif self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.percent, description=status)
            self._bar.stop()

    def error(self, code: str, message: str) -> None:
        if self.json_lines:
            self._emit({"event": "error", "code": code, "message": message})
        elif self._bar is not None:
            self._bar.stop()


def ffmpeg_fraction(block: dict[str, str], duration: float) -> float:
    """How far an ffmpeg ``-progress`` report is through ``duration`` seconds."""
    if block.get("progress") == "end":
        return 1.0
    raw = block.get("out_time_us") or block.get("out_time_ms") or ""
    try:
        out_s = int(raw) / 1_000_000
    except ValueError:
        return 0.0
    return out_s / duration if duration > 0 else 0.0


def ffmpeg_number(block: dict[str, str], key: str) -> float | None:
    raw = block.get(key, "").rstrip("x").strip()
    try:
        return round(float(raw), 2)
    except ValueError:
        return None
