"""A real perTitle encode of a tiny clip (Big Buck Bunny footage at 640x360, 4 s):
test encodes scored with VMAF decide each rung's CRF; chunks share one stored decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.transcoder.conftest import bbb_source, kinema

LADDER = """\
spec:
  segmentSeconds: 2
  gopSeconds: 1
  preset: ultrafast
  strategy: perTitle
  perTitle: {targetVmaf: 80, samples: 2, sampleSeconds: 1, crfs: [22, 34], vmafSubsample: 4}
  quality: {everySeconds: 2}
  rungs:
    - {height: 144, width: 256, bitrateKbps: 250}
    - {height: 234, width: 416, bitrateKbps: 600}
    - {height: 360, width: 640, bitrateKbps: 1500}
  audio: {bitrateKbps: 64}
  trickplay: {intervalSeconds: 2, tileWidth: 96, columns: 2, rows: 2}
"""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pertitle")
    src = bbb_source(folder / "bbb360.mp4", 640, 360, "-t", "4")
    ladder = folder / "pertitle.yaml"
    ladder.write_text(LADDER)
    return src, ladder


def test_a_per_title_encode_measures_decides_and_reports_vmaf(
    clip: tuple[Path, Path], tmp_path: Path
) -> None:
    src, ladder = clip
    out = tmp_path / "out"
    proc = kinema("transcode", src, out, "--ladder", ladder, "--encoder", "cpu")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "kinema.json").read_text())
    decision = report["perTitle"]
    assert decision["targetVmaf"] == 80 and decision["fingerprint"]
    assert 0 < decision["saving"] < 1  # this easy clip needs less than the ladder's 1500
    assert [r["name"] for r in decision["rungs"]] == ["360p", "234p", "144p"]
    assert decision["samples"] == [[0.0, 4.0]]  # a short clip is taken whole
    # 22 and 34 are far apart: the top rung's first choice got a test encode of its own
    # (so may others)
    for rung in decision["rungs"]:
        crfs = [p["crf"] for p in rung["points"]]
        assert crfs[0] == 22 and crfs[-1] == 34 and len(crfs) <= 3, crfs
        if len(crfs) == 3:
            assert 22 + 1.5 < crfs[1] < 34 - 1.5
        kbps = [p["kbps"] for p in rung["points"]]
        assert kbps[0] > kbps[-1] > 0  # a lower CRF costs more bits
        assert 0 < rung["points"][-1]["vmaf"] <= rung["points"][0]["vmaf"] <= 100
    assert len(decision["rungs"][0]["points"]) == 3
    kept = {r["name"]: r for r in decision["rungs"] if r["kept"]}
    assert "360p" in kept
    planned = {r["name"]: r for r in report["plan"]["rungs"]}
    assert set(planned) == set(kept)
    assert kept["360p"]["crf"] > 22  # at the target, not the best test CRF
    for name, rung in kept.items():
        assert planned[name].get("crf") == rung.get("crf")
        assert planned[name]["bitrateKbps"] <= rung["ladderKbps"]
    video = {r["name"]: r for r in report["renditions"] if r["kind"] == "video"}
    assert set(video) == set(kept)
    for r in video.values():  # VMAF beside PSNR/SSIM, sampled (first second of every 2)
        assert r["quality"]["vmaf"] > 0 and r["quality"]["psnr"] > 20
        assert r["quality"]["framesCompared"] < 4 * 24
    top = video["360p"]["quality"]["vmaf"]
    assert abs(top - kept["360p"]["predictedVmaf"]) < 8  # the test encodes predict it
    assert "perTitle" in report["timing"]["stages"]
    stored = json.loads((out / "pertitle.json").read_text())
    assert stored["rungs"] == decision["rungs"]


def test_chunks_share_one_stored_decision(clip: tuple[Path, Path], tmp_path: Path) -> None:
    src, ladder = clip
    out = tmp_path / "chunked"
    refused = kinema(
        "transcode", src, out, "--ladder", ladder, "--encoder", "cpu", "--chunk", "0/2"
    )
    assert refused.returncode == 2 and "needs its decision first" in refused.stderr
    decided = kinema("pertitle", src, out, "--ladder", ladder)
    assert decided.returncode == 0, decided.stderr
    stored = json.loads((out / "pertitle.json").read_text())
    for index in (0, 1):
        proc = kinema(
            "transcode", src, out, "--ladder", ladder, "--encoder", "cpu", "--chunk", f"{index}/2"
        )
        assert proc.returncode == 0, proc.stderr
    assert kinema("package", out).returncode == 0
    report = json.loads((out / "kinema.json").read_text())
    assert report["perTitle"] == stored  # measured once, used by both chunks
    crfs = {r["name"]: r.get("crf") for r in report["plan"]["rungs"]}
    assert crfs == {r["name"]: r.get("crf") for r in stored["rungs"] if r["kept"]}
