"""Encoder arguments per rung (preset, tune, threads) and the sampled quality pass."""

from __future__ import annotations

from kinema.ladder import PlannedRung
from kinema.resources.ladder import Codec, Preset
from kinema_transcoder.args import quality_sample, video_encoder_args


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
