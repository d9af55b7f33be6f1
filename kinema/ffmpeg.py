"""The one door to the ffmpeg and ffprobe binaries.

ffmpeg is the pinned static build shipped by PyPI's ``imageio-ffmpeg`` (9.0.2 with
libx264/x265, SVT-AV1, NVENC and libvmaf), so every machine, the transcoder image and
CI run the same encoder. That package ships no ffprobe, so ffprobe comes from PATH
(Debian's ``ffmpeg`` package); ``KINEMA_FFMPEG`` / ``KINEMA_FFPROBE`` override either.

Encoder availability is decided by a one-frame trial encode, never by what ffmpeg
lists: a GPU node is not proof of NVENC (an H100 has NVDEC but no encoder engine).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kinema.errors import MediaToolError

# Encoders Kinema knows how to drive, in the order `kinema doctor` reports them.
KNOWN_ENCODERS = ("libx264", "libx265", "libsvtav1", "h264_nvenc", "hevc_nvenc", "av1_nvenc")
TRIAL_TIMEOUT_S = 30


@cache
def ffmpeg_path() -> Path:
    override = os.environ.get("KINEMA_FFMPEG")
    if override:
        return _existing(Path(override), "KINEMA_FFMPEG")
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a broken install
        raise MediaToolError(
            "imageio-ffmpeg is not installed; run scripts/bootstrap to install Kinema's ffmpeg"
        ) from exc
    return _existing(Path(imageio_ffmpeg.get_ffmpeg_exe()), "imageio-ffmpeg's ffmpeg")


@cache
def ffprobe_path() -> Path:
    override = os.environ.get("KINEMA_FFPROBE")
    if override:
        return _existing(Path(override), "KINEMA_FFPROBE")
    found = shutil.which("ffprobe")
    if found is None:
        raise MediaToolError(
            "ffprobe is not on PATH; install Debian's ffmpeg package (scripts/bootstrap does) "
            "or set KINEMA_FFPROBE"
        )
    return Path(found)


def _existing(path: Path, what: str) -> Path:
    if not path.is_file() or not os.access(path, os.X_OK):
        raise MediaToolError(f"{what} at {path} is missing or not executable")
    return path


def tool_version(binary: Path) -> str:
    """First line of ``-version``, shortened to the version word (e.g. ``n9.0.2-...``)."""
    try:
        out = run(
            [str(binary), "-hide_banner", "-version"], timeout=TRIAL_TIMEOUT_S, what=binary.name
        ).stdout
    except MediaToolError as exc:
        raise MediaToolError(f"{binary} -version failed: {exc}") from exc
    first = out.splitlines()[0] if out else ""
    parts = first.split()
    return parts[2] if len(parts) > 2 and parts[1] == "version" else first


@dataclass(frozen=True, slots=True)
class EncoderTrial:
    encoder: str
    available: bool
    reason: str


def trial_encode_args(ffmpeg: Path, encoder: str) -> list[str]:
    """One generated 320x240 frame through ``encoder`` into the null muxer."""
    return [
        str(ffmpeg),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=25:duration=0.04",
        "-frames:v",
        "1",
        "-pix_fmt",
        "yuv420p",
        "-c:v",
        encoder,
        "-f",
        "null",
        "-",
    ]


def trial_encode(encoder: str) -> EncoderTrial:
    """Prove an encoder works by opening it for real on one frame."""
    try:
        run(trial_encode_args(ffmpeg_path(), encoder), timeout=TRIAL_TIMEOUT_S)
    except FfmpegFailed as exc:
        return EncoderTrial(encoder, False, exc.reason)
    return EncoderTrial(encoder, True, "one-frame trial encode succeeded")


# --- the runner ----------------------------------------------------------------------
# Every ffmpeg/ffprobe execution in Kinema goes through ``run``: it streams ffmpeg's
# ``-progress pipe:1`` key=value blocks to a callback, keeps the stderr tail, and turns a
# failure into one MediaToolError line (the most telling stderr line, not the banner).

STDERR_TAIL_LINES = 40


class FfmpegFailed(MediaToolError):
    """An ffmpeg or ffprobe run exited non-zero (or timed out)."""

    def __init__(
        self, message: str, *, returncode: int | None, stderr_tail: str, reason: str
    ) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        self.reason = reason  # the message without the "ffmpeg failed: " lead


@dataclass(frozen=True, slots=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str


ProgressCallback = Callable[[dict[str, str]], None]


def progress_blocks(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """Group ``-progress`` output (``key=value`` lines) into one dict per report.

    Each report ends with a ``progress=continue`` or ``progress=end`` line.
    """
    block: dict[str, str] = {}
    for raw in lines:
        key, sep, value = raw.strip().partition("=")
        if not sep:
            continue
        block[key] = value
        if key == "progress":
            yield block
            block = {}


def run(
    argv: Sequence[str],
    *,
    on_progress: ProgressCallback | None = None,
    timeout: float | None = None,
    what: str = "ffmpeg",
) -> RunResult:
    """Run ``argv``; with ``on_progress`` its stdout is read as ``-progress pipe:1`` output.

    Raises FfmpegFailed with the most telling stderr line when the exit status is not 0.
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            raise MediaToolError(f"{what}: cannot start {argv[0]}: {exc.strerror}") from exc
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            out = proc.stdout
            if out is None:  # pragma: no cover - stdout=PIPE always gives a stream
                raise MediaToolError(f"{what}: no stdout pipe")
            if on_progress is not None:
                for block in progress_blocks(out):
                    on_progress(block)
                stdout = ""
            else:
                stdout = out.read()
            returncode = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if timer:
                timer.cancel()
            if proc.stdout is not None:
                proc.stdout.close()
        err.seek(0)
        stderr = err.read()
    if returncode != 0:
        tail = "\n".join(stderr.splitlines()[-STDERR_TAIL_LINES:])
        if timer is not None and returncode < 0:
            reason = f"timed out after {timeout:.0f}s"
            message = f"{what} {reason}"
        else:
            reason = failure_reason(stderr) or f"exit status {returncode}"
            message = f"{what} failed: {reason}"
        raise FfmpegFailed(message, returncode=returncode, stderr_tail=tail, reason=reason)
    return RunResult(returncode, stdout, stderr)


# Lines that telling an ffmpeg failure apart is never about: its closing summary.
SUMMARY_NOISE = (
    "Error while opening encoder",
    "Error selecting an encoder",
    "Error opening output",
    "Encoder not found",
    "Conversion failed",
    "Nothing was written",
)
# Lines that are the whole story whenever they appear.
TELLING = ("No space left on device", "Invalid data found", "does not contain any stream")
_ERRORISH = ("rror", "nvalid", "failed", "Cannot", "Unknown", "not found", "No such")


def failure_reason(stderr: str) -> str:
    """The line of an ffmpeg failure a user should read, without its ``[ctx @ 0x..]`` prefix.

    A telling marker wins; then the first error-like line that is not the closing
    summary; then the first line that is not summary; then whatever there is.
    """
    lines = [_strip_context(line.strip()) for line in stderr.splitlines() if line.strip()]
    for marker in TELLING:
        for line in lines:
            if marker in line:
                return line
    useful = [line for line in lines if not line.startswith(SUMMARY_NOISE)]
    errors = [line for line in useful if any(word in line for word in _ERRORISH)]
    return (errors or useful or lines or [""])[0]


def _strip_context(line: str) -> str:
    while line.startswith("[") and "] " in line:
        line = line.split("] ", 1)[1].strip()
    return line[:300]


def probe_args(ffprobe: Path, source: str, input_options: Sequence[str] = ()) -> list[str]:
    """``input_options`` go just before the source (e.g. ``-max_redirects 0`` for a URL
    whose redirects were already followed and checked)."""
    return [
        str(ffprobe),
        "-hide_banner",
        "-v",
        "error",
        "-show_format",
        "-show_streams",
        "-of",
        "json",
        *input_options,
        source,
    ]


def probe(
    source: str, *, timeout: float = 120, input_options: Sequence[str] = ()
) -> dict[str, Any]:
    """ffprobe's JSON for ``source`` (a path or URL)."""
    result = run(probe_args(ffprobe_path(), source, input_options), timeout=timeout, what="ffprobe")
    try:
        data = json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise MediaToolError(f"ffprobe printed no JSON for {source}") from exc
    if not isinstance(data, dict):
        raise MediaToolError(f"ffprobe printed unexpected JSON for {source}")
    return data
