"""Which rungs a per-title decision test-encodes once more, and the round's ffmpeg
arguments (each rung at its own CRFs, scored at the top rung's size)."""

from __future__ import annotations

from pathlib import Path

from kinema.ladder import LadderPlan, PlannedRung
from kinema.media import VideoInfo
from kinema.pertitle import PerTitleDecision, RungDecision, TrialPoint
from kinema.resources.ladder import Codec, load_ladder
from kinema_transcoder import pertitle

POINTS = [TrialPoint(crf=c, kbps=1000 / (c - 10), vmaf=100 - c) for c in (17, 23, 29)]


def _rung(name: str, crf: float | None, *, kept: bool = True) -> RungDecision:
    return RungDecision(
        name=name, width=640, height=360, kept=kept, crf=crf, bitrate_kbps=500,
        ladder_kbps=600, predicted_vmaf=80, points=POINTS,
    )  # fmt: skip


def test_only_kept_rungs_far_from_every_test_crf_are_refined() -> None:
    decision = PerTitleDecision(
        target_vmaf=95,
        samples=[],
        saving=0.5,
        rungs=[
            _rung("720p", 26.5),  # 2.5 from 29 and 3.5 from 23: refined
            _rung("540p", 24.4),  # 1.4 from 23: close enough
            _rung("480p", 20.0, kept=False),  # dropped: never encoded
            _rung("360p", None),  # the ladder's bitrate: no CRF to refine
            _rung("234p", 33.0),  # past the last test CRF
        ],
    )
    assert pertitle.to_refine(decision) == {"720p": [26.5], "234p": [33.0]}


def _planned(name: str, w: int, h: int) -> PlannedRung:
    return PlannedRung(
        name=name, codec=Codec.H264, profile="high", width=w, height=h, bitrate_kbps=1000,
        maxrate_kbps=1100, bufsize_kbps=2000,
    )  # fmt: skip


def test_a_round_encodes_each_rung_at_its_own_crfs(tmp_path: Path) -> None:
    plan = LadderPlan(
        source_width=1280, source_height=720, frame_rate="25/1", fps=25.0, gop_frames=50,
        segment_seconds=6, tonemap=False, ten_bit_to_eight=False,
        rungs=[_planned("480p", 854, 480), _planned("234p", 416, 234)], dropped=[],
    )  # fmt: skip
    video = VideoInfo(
        index=0, width=1280, height=720, frame_rate="25/1", codec="h264", pix_fmt="yuv420p"
    )
    crfs = [[27.3], [20.0, 33.0]]
    enc = pertitle.test_encode_args(
        source="in.mp4", options=(), windows=[(0.0, 4.0)], video=video, plan=plan,
        ladder=load_ladder("default"), encoders={Codec.H264: "libx264"}, crfs=crfs,
        work=tmp_path,
    )  # fmt: skip
    graph = enc[enc.index("-filter_complex") + 1]
    assert "scale=854:480:flags=lanczos,setsar=1,split=1[v0_0]" in graph
    assert "scale=416:234:flags=lanczos,setsar=1,split=2[v1_0][v1_1]" in graph
    assert [enc[k + 1] for k, a in enumerate(enc) if a == "-crf"] == ["27.3", "20", "33"]
    assert [a for a in enc if a.endswith(".bin")] == [
        str(tmp_path / n) for n in ("t_0_0.bin", "t_1_0.bin", "t_1_1.bin")
    ]
    assert enc.count("-threads") == 3 and enc[enc.index("-threads") + 1] == "1"
    score = pertitle.vmaf_args(
        source="in.mp4", options=(), windows=[(0.0, 4.0)], video=video, plan=plan, crfs=crfs,
        size=(1280, 720), subsample=3, work=tmp_path,
    )  # fmt: skip
    graph = score[score.index("-filter_complex") + 1]
    assert graph.count("libvmaf") == 3 and graph.count("scale=1280:720") == 4
    assert "split=3[r0][r1][r2]" in graph
