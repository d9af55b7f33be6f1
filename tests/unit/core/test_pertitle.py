"""The per-title decision (pure): curves, the top rung's CRF, lower rungs, the hull."""

from __future__ import annotations

import math

import pytest

from kinema.ladder import LadderPlan, PlannedRung
from kinema.pertitle import (
    Curve,
    TrialPoint,
    apply_decision,
    decide,
    hull_drops,
    sample_windows,
)
from kinema.resources.ladder import Codec


def _rung(name: str, w: int, h: int, kbps: int) -> PlannedRung:
    return PlannedRung(
        name=name, codec=Codec.H264, profile="high", width=w, height=h, bitrate_kbps=kbps,
        maxrate_kbps=round(kbps * 1.1), bufsize_kbps=kbps * 2,
    )  # fmt: skip


def _plan(*rungs: PlannedRung) -> LadderPlan:
    return LadderPlan(
        source_width=1280, source_height=720, frame_rate="25/1", fps=25.0, gop_frames=50,
        segment_seconds=6, tonemap=False, ten_bit_to_eight=False, rungs=list(rungs), dropped=[],
    )  # fmt: skip


def _curve(kbps20: float, vmafs: tuple[float, float, float]) -> list[TrialPoint]:
    """A rate that halves every 6 CRF, and the given VMAF at CRF 20, 26 and 32."""
    return [
        TrialPoint(crf=c, kbps=kbps20 / 2 ** ((c - 20) / 6), vmaf=v)
        for c, v in zip((20, 26, 32), vmafs, strict=True)
    ]


def test_curve_interpolates_rate_log_linearly_and_inverts() -> None:
    curve = Curve(_curve(4000, (96, 92, 84)))
    assert curve.kbps(23) == pytest.approx(4000 / math.sqrt(2), rel=1e-6)
    assert curve.vmaf(23) == pytest.approx(94)
    assert curve.crf_for_vmaf(94) == pytest.approx(23)
    assert curve.crf_for_kbps(2000) == pytest.approx(26)
    assert curve.vmaf(100) == 0.0  # clamped extrapolation
    # VMAF never rises with CRF: a point below a higher CRF's is raised to it (where
    # the VBV cap binds, the lower CRF only starves the rate control)
    capped = Curve([TrialPoint(crf=20, kbps=900, vmaf=80), TrialPoint(crf=26, kbps=890, vmaf=81)])
    assert capped.vmaf(20) == 81
    # where VMAF is level between two test CRFs, the crossing is found where it falls:
    # grain stops being coded between CRF 23 and 29
    grain = Curve([TrialPoint(crf=c, kbps=k, vmaf=v) for c, k, v in
                   ((17, 5805, 84.6), (23, 5772, 86.7), (29, 1275, 76.9))])  # fmt: skip
    assert grain.vmafs == [86.7, 86.7, 76.9]
    assert grain.crf_for_vmaf(79.4) == pytest.approx(23 + 6 * 7.3 / 9.8)
    assert grain.crf_for_vmaf(90) == pytest.approx(17 - 6 * 3.3 / 9.8)  # extended below 17
    assert grain.crf_for_vmaf(75) == pytest.approx(29 + 6 * 1.9 / 9.8)  # extended past 29


def test_top_rung_meets_the_target_and_lower_rungs_share_its_saving() -> None:
    plan = _plan(_rung("720p", 1280, 720, 4500), _rung("360p", 640, 360, 900))
    easy = {"720p": _curve(3000, (97, 95, 90)), "360p": _curve(900, (80, 79, 77))}
    d = decide(plan, easy, target_vmaf=95)
    top, low = d.rung("720p"), d.rung("360p")
    assert top is not None and top.kept and low is not None and low.kept
    assert top.crf == 26 and top.predicted_vmaf == pytest.approx(95)
    assert top.bitrate_kbps == 1500 and d.saving == pytest.approx(1 / 3, rel=1e-3)
    # 360p gets a third of its 900 kbit/s too: CRF 20 + 6 log2(3), rounded up to a tenth
    assert low.bitrate_kbps == pytest.approx(300, abs=5)
    assert low.crf == pytest.approx(29.6) and low.predicted_vmaf < low.ladder_vmaf


def test_no_lower_rung_loses_more_quality_than_the_top_rung() -> None:
    plan = _plan(_rung("720p", 1280, 720, 4500), _rung("360p", 640, 360, 900))
    # a third of 360p's bits would cost it 6.8 VMAF; the top rung moves 3.2 from the
    # ladder's (98.2 at 4500 kbit/s, CRF 16.5) to the target
    points = {"720p": _curve(3000, (97, 95, 90)), "360p": _curve(900, (80, 78, 70))}
    d = decide(plan, points, target_vmaf=95)
    top, low = d.rung("720p"), d.rung("360p")
    assert top is not None and low is not None
    shift = top.ladder_vmaf - 95
    assert shift == pytest.approx(3.17, abs=0.01)
    assert low.ladder_vmaf == pytest.approx(80)
    assert low.predicted_vmaf == pytest.approx(80 - shift, abs=0.15)  # CRF to a tenth
    assert low.crf == pytest.approx(26.8) and 300 < low.bitrate_kbps < 900


def test_a_rung_that_needs_the_ladders_bitrate_keeps_its_rate_control() -> None:
    plan = _plan(_rung("720p", 1280, 720, 4500), _rung("360p", 640, 360, 900))
    # hard content: VMAF 95 would need more than the ladder's 4500 kbit/s
    hard = {"720p": _curve(9000, (93, 88, 80)), "360p": _curve(3600, (80, 78, 70))}
    d = decide(plan, hard, target_vmaf=95)
    assert d.saving == 1.0
    for rung in d.rungs:
        assert rung.crf is None and rung.bitrate_kbps == rung.ladder_kbps
    out = apply_decision(plan, d)
    assert [(r.crf, r.bitrate_kbps) for r in out.rungs] == [(None, 4500), (None, 900)]


def test_no_rung_aims_above_the_target() -> None:
    plan = _plan(_rung("720p", 1280, 720, 4500), _rung("540p", 960, 540, 4000))
    points = {"720p": _curve(3000, (97, 95, 90)), "540p": _curve(1000, (99, 98, 96))}
    low = decide(plan, points, target_vmaf=95).rung("540p")
    assert low is not None and low.predicted_vmaf == pytest.approx(95)


def test_hull_drops_a_rung_a_smaller_resolution_matches_for_fewer_bits() -> None:
    curves = {
        "720p": Curve(_curve(3000, (97, 95, 90))),
        "540p": Curve(_curve(2500, (90, 85, 78))),
        "360p": Curve(_curve(1000, (92, 88, 80))),  # a soft source: 360p is as good
    }
    chosen = [("720p", 1500.0, 95.0), ("540p", 1250.0, 85.0), ("360p", 250.0, 80.0)]
    drops = hull_drops(chosen, curves)
    assert set(drops) == {"540p"}
    assert "360p reaches VMAF 85.0" in drops["540p"]
    # the top rung is always kept, even when a smaller one would match it
    chosen = [("720p", 5000.0, 85.0), ("360p", 250.0, 80.0)]
    assert hull_drops(chosen, curves) == {}


def test_apply_decision_sets_crf_and_drops_rungs() -> None:
    plan = _plan(
        _rung("720p", 1280, 720, 4500), _rung("540p", 960, 540, 2000), _rung("360p", 640, 360, 450)
    )
    points = {
        "720p": _curve(3000, (97, 95, 90)),
        "540p": _curve(4000, (86, 80, 70)),  # worse than 360p at every rate
        "360p": _curve(1800, (88, 84, 76)),
    }
    d = decide(plan, points, target_vmaf=95, animation=True)
    assert not d.rung("540p").kept  # type: ignore[union-attr]
    out = apply_decision(plan, d)
    assert [r.name for r in out.rungs] == ["720p", "360p"]
    assert out.rungs[0].crf == 26 and out.rungs[0].maxrate_kbps == 4950  # capped CRF
    assert out.rungs[1].crf is not None and out.rungs[1].bitrate_kbps < 450
    assert out.rungs[0].tune == "animation"
    assert out.dropped[-1].name == "540p" and out.dropped[-1].reason.startswith("per-title")
    with pytest.raises(ValueError, match="no test encodes"):
        decide(plan, {"720p": points["720p"]}, target_vmaf=95)


def test_sample_windows() -> None:
    assert sample_windows(0, 3, 2) == []
    assert sample_windows(600, 3, 2) == [(99.0, 2.0), (299.0, 2.0), (499.0, 2.0)]
    # scenes are at least a GOP long: 3 x 2 s of 13 s
    assert sample_windows(13, 3, 1, gop_seconds=2) == [
        (1.166667, 2.0), (5.5, 2.0), (9.833333, 2.0)
    ]  # fmt: skip
    # a short clip (up to twice the scenes together) is taken whole
    assert sample_windows(12, 3, 2) == [(0.0, 12.0)]
    assert sample_windows(0.8, 3, 2) == [(0.0, 0.8)]


def test_a_rungs_crf_is_not_extrapolated_far_past_the_test_encodes() -> None:
    plan = _plan(_rung("720p", 1280, 720, 4500), _rung("234p", 416, 234, 300))
    # the top rung saves two thirds; 234p's flat (VBV-capped) curve would need CRF ~50
    points = {
        "720p": _curve(3000, (97, 95, 90)),
        "234p": [TrialPoint(crf=c, kbps=k, vmaf=v) for c, k, v in
                 ((20, 190, 51), (26, 190, 50.5), (32, 157, 50))],
    }  # fmt: skip
    low = decide(plan, points, target_vmaf=95).rung("234p")
    assert low is not None and low.crf == 36  # the highest test CRF + 4
