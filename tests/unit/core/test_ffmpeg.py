"""The ffmpeg door: binaries resolve and trial encodes tell working from broken encoders."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema import ffmpeg
from kinema.errors import MediaToolError


def test_pinned_ffmpeg_is_the_pypi_build() -> None:
    path = ffmpeg.ffmpeg_path()
    assert "imageio_ffmpeg" in str(path)
    assert ffmpeg.tool_version(path).startswith("n9.0.2")


def test_libx264_passes_its_trial() -> None:
    trial = ffmpeg.trial_encode("libx264")
    assert trial.available, trial.reason


def test_an_unknown_encoder_fails_with_a_reason() -> None:
    trial = ffmpeg.trial_encode("no_such_encoder")
    assert not trial.available
    assert "no_such_encoder" in trial.reason


def test_override_pointing_nowhere_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KINEMA_FFPROBE", str(tmp_path / "missing"))
    ffmpeg.ffprobe_path.cache_clear()
    try:
        with pytest.raises(MediaToolError, match="KINEMA_FFPROBE"):
            ffmpeg.ffprobe_path()
    finally:
        ffmpeg.ffprobe_path.cache_clear()


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (
            "[h264_nvenc @ 0x55d0] Cannot load libcuda.so.1\n"
            "[vost#0:0/h264_nvenc @ 0x1] Error while opening encoder\n",
            "Cannot load libcuda.so.1",
        ),
        ("Unknown encoder 'x'\n", "Unknown encoder 'x'"),
        ("", ""),
    ],
)
def test_failure_reason_is_the_first_telling_line(stderr: str, reason: str) -> None:
    assert ffmpeg._reason(stderr) == reason
