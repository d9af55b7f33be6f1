"""The one door to the ffmpeg and ffprobe binaries.

ffmpeg is the pinned static build shipped by PyPI's ``imageio-ffmpeg`` (9.0.2 with
libx264/x265, SVT-AV1, NVENC and libvmaf), so every machine, the transcoder image and
CI run the same encoder. That package ships no ffprobe, so ffprobe comes from PATH
(Debian's ``ffmpeg`` package); ``KINEMA_FFMPEG`` / ``KINEMA_FFPROBE`` override either.

Encoder availability is decided by a one-frame trial encode, never by what ffmpeg
lists: a GPU node is not proof of NVENC (an H100 has NVDEC but no encoder engine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
        out = subprocess.run(
            [str(binary), "-hide_banner", "-version"],
            capture_output=True,
            text=True,
            timeout=TRIAL_TIMEOUT_S,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
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
        proc = subprocess.run(
            trial_encode_args(ffmpeg_path(), encoder),
            capture_output=True,
            text=True,
            timeout=TRIAL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return EncoderTrial(encoder, False, f"trial encode timed out after {TRIAL_TIMEOUT_S}s")
    if proc.returncode == 0:
        return EncoderTrial(encoder, True, "one-frame trial encode succeeded")
    return EncoderTrial(encoder, False, _reason(proc.stderr) or f"exit {proc.returncode}")


def _reason(stderr: str) -> str:
    """The most telling line of an ffmpeg failure (the first error, not the summary)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    noise = ("Error while opening encoder", "Conversion failed", "Nothing was written")
    useful = [line for line in lines if not line.startswith(noise)]
    first = (useful or lines or [""])[0]
    # Drop ffmpeg's "[h264_nvenc @ 0x55d...]" context prefix.
    return (
        first.split("] ", 1)[1].strip()[:200]
        if first.startswith("[") and "] " in first
        else first[:200]
    )
