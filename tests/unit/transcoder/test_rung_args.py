"""Encoder arguments per rung (preset, tune, threads) and the sampled quality pass."""

from __future__ import annotations

import pytest

from kinema.ladder import PlannedRung
from kinema.resources.ladder import Codec, Preset, X264Options
from kinema_transcoder.args import (
    first_thumb_index,
    frames_select,
    quality_sample,
    quality_windows,
    selects_thumbnail,
    video_encoder_args,
)


def _rung(name: str, w: int, h: int, kbps: int) -> PlannedRung:
    return PlannedRung(
        name=name, codec=Codec.H264, profile="high", width=w, height=h, bitrate_kbps=kbps,
        maxrate_kbps=round(kbps * 1.1), bufsize_kbps=kbps * 2,
    )  # fmt: skip


def test_encoder_arguments_take_the_rungs_preset_tune_and_threads() -> None:
    rung = _rung("234p", 416, 234, 145).model_copy(
        update={"preset": Preset.SLOW, "tune": "animation", "crf": 27}
    )
    args = video_encoder_args(rung, "libx264", Preset.MEDIUM, 50, threads=2)
    assert args[args.index("-preset") + 1] == "slow"
    assert args[args.index("-tune") + 1] == "animation"
    assert args[args.index("-crf") + 1] == "27" and args[args.index("-maxrate") + 1] == "160k"
    assert args[-2:] == ["-threads", "2"]
    plain = video_encoder_args(_rung("720p", 1280, 720, 4500), "libx264", Preset.MEDIUM, 50)
    assert plain[plain.index("-preset") + 1] == "medium" and "-tune" not in plain
    assert "-threads" not in plain and "-b:v" in plain
    # the sampled quality pass: one frame in 5, within the first second of every 3
    assert quality_sample(1, 1) == ""
    assert quality_sample(5, 3) == "select='not(mod(n\\,5))*lt(mod(t\\,3)\\,1)',"


def test_x264_settings_follow_open_gop_in_x264_params_and_only_for_libx264() -> None:
    rung = _rung("720p", 1280, 720, 4500).model_copy(
        update={"x264": X264Options(subme=1, bframes=2)}
    )
    args = video_encoder_args(rung, "libx264", Preset.VERYFAST, 50)
    assert args[args.index("-x264-params") + 1] == "open-gop=0:subme=1:bframes=2"
    only_b = rung.model_copy(update={"x264": X264Options(bframes=0)})
    args = video_encoder_args(only_b, "libx264", Preset.VERYFAST, 50)
    assert args[args.index("-x264-params") + 1] == "open-gop=0:bframes=0"
    plain = video_encoder_args(_rung("720p", 1280, 720, 4500), "libx264", Preset.MEDIUM, 50)
    assert plain[plain.index("-x264-params") + 1] == "open-gop=0"
    for encoder in ("libx265", "h264_nvenc"):
        assert not [a for a in video_encoder_args(rung, encoder, Preset.MEDIUM, 50) if "subme" in a]


def test_quality_windows_start_on_keyframe_fragments_and_stop_at_the_end() -> None:
    # 25 fps, 2 s GOPs (50 frames), a window every 5 s (125 frames) of 1 s (25 frames)
    gops = list(range(0, 530, 50))
    assert quality_windows(gops, 530, 125, 25) == [
        (0, 25), (150, 25), (250, 25), (400, 25), (500, 25),
    ]  # fmt: skip
    # the last window is cut at the chunk's end; a GOP longer than the period is skipped over
    assert quality_windows([0, 100, 200], 210, 50, 25) == [(0, 25), (100, 25), (200, 10)]
    assert quality_windows([], 0, 50, 25) == []


def test_frames_select_keeps_windows_and_renumbers_at_the_frame_rate() -> None:
    assert frames_select(((0, 25), (150, 10)), "30000/1001") == (
        "select='between(n\\,0\\,24)+between(n\\,150\\,159)',setpts=N/((30000/1001)*TB),"
    )


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (0.0, 1.0, True),  # the first frame is thumbnail 0
        (0.979167, 1.041667, False),  # between 0 s and 5 s: no thumbnail in it
        (4.5, 1.0, True),  # holds the frame at 5 s
        (5.0 - 1 / 96, 0.5, True),  # a frame a quarter-frame early still counts
        (10.5, 4.0, False),
    ],
)
def test_a_chunk_between_two_thumbnails_asks_for_none(
    start: float, duration: float, expected: bool
) -> None:
    fps, interval = 24.0, 5.0
    assert selects_thumbnail(start, duration, interval, fps) is expected
    # The same rule as the numbering: a chunk with a thumbnail starts at the index
    # whose time falls inside it.
    if expected:
        first = first_thumb_index(start, interval, fps)
        assert start - 1 / fps <= first * interval < start + duration
