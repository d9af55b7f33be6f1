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
    assert trial.reason.startswith("Unknown encoder 'no_such_encoder'"), trial.reason


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
        (
            "[vost#0:0 @ 0x2] Unknown encoder 'x'\n"
            "[vost#0:0 @ 0x2] Error selecting an encoder\n"
            "Error opening output file -.\n"
            "Error opening output files: Encoder not found\n",
            "Unknown encoder 'x'",
        ),
        (
            "[mov,mp4 @ 0x3] moov atom not found\n"
            "[in#0 @ 0x4] Error opening input: Invalid data found when processing input\n",
            "Error opening input: Invalid data found when processing input",
        ),
        ("[out#0/null @ 0x5] Conversion failed!\n", "Conversion failed!"),
        ("", ""),
    ],
)
def test_failure_reason_is_the_first_telling_line(stderr: str, reason: str) -> None:
    assert ffmpeg.failure_reason(stderr) == reason


def test_a_failed_run_carries_the_reason_apart_from_the_message() -> None:
    with pytest.raises(ffmpeg.FfmpegFailed) as caught:
        ffmpeg.run(ffmpeg.trial_encode_args(ffmpeg.ffmpeg_path(), "no_such_encoder"))
    assert caught.value.reason.startswith("Unknown encoder 'no_such_encoder'")
    assert str(caught.value) == f"ffmpeg failed: {caught.value.reason}"
    assert caught.value.returncode not in (0, None)
