"""The sampled quality pass decodes only its windows, and compares the same frames;
chunk boundaries keep their thumbnails.

Real footage (Big Buck Bunny), real x264 with B-frames (so decode order is not display
order), real ffmpeg decoding the cut fragments. A window that slipped by one frame
against the source would cost many dB of PSNR; a cut fragment that lost a frame would
change the frame count.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kinema.ffmpeg import ffmpeg_path
from kinema_transcoder import mp4
from tests.integration.transcoder.conftest import bbb_source, kinema

LADDER = """\
spec:
  segmentSeconds: 2
  gopSeconds: 1
  preset: veryfast
  quality: {{everySeconds: {every}}}
  rungs:
    - {{height: 144, width: 256, bitrateKbps: 150, preset: medium}}
    - {{height: 240, width: 426, bitrateKbps: 300}}
  audio: {{bitrateKbps: 64}}
  trickplay: {{intervalSeconds: 2, tileWidth: 96, columns: 2, rows: 2}}
"""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Keyframes 12 s apart: a source whose GOPs do not line up with the rungs'.
    return bbb_source(tmp_path_factory.mktemp("qwin") / "bbb240.mp4", 426, 240, "-g", "300")


def _framemd5(path: Path) -> list[str]:
    out = subprocess.run(
        [str(ffmpeg_path()), "-v", "error", "-i", str(path), "-f", "framemd5", "-"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return [line.rsplit(",", 1)[1].strip() for line in out.stdout.splitlines() if line[:1] != "#"]


def test_a_fragment_cut_for_display_decodes_the_same_first_frames(
    clip: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text(LADDER.format(every=1))
    proc = kinema("transcode", clip, out, "--ladder", ladder, "--encoder", "cpu", "--no-quality")
    assert proc.returncode == 0, proc.stderr
    rung = out / "video" / "240p"
    init = (rung / "init.mp4").read_bytes()
    segment = (rung / "seg_00001.m4s").read_bytes()
    fragment = mp4.read_segment(segment).fragments[0]
    data = segment[fragment.offset : fragment.offset + fragment.size]
    place = mp4.display_prefix(data)
    assert sorted(place) == list(range(fragment.samples))
    assert place != sorted(place), "x264 veryfast uses B-frames: decode order differs"
    whole = tmp_path / "whole.mp4"
    whole.write_bytes(init + data)
    for frames in (1, 10, 13):
        cut, kept = mp4.keep_for_display(data, frames)
        assert frames <= kept < fragment.samples and len(cut) < len(data)
        part = tmp_path / f"cut{frames}.mp4"
        part.write_bytes(init + cut)
        decoded = _framemd5(part)
        assert len(decoded) == kept
        assert decoded[:frames] == _framemd5(whole)[:frames]
    assert mp4.keep_for_display(data, fragment.samples) == (data, fragment.samples)


def test_windowed_pass_in_chunks_measures_what_the_full_pass_measures(
    clip: Path, tmp_path: Path
) -> None:
    psnr: dict[int, dict[str, float]] = {}
    frames: dict[int, dict[str, int]] = {}
    for every in (1, 2):
        ladder = tmp_path / f"every{every}.yaml"
        ladder.write_text(LADDER.format(every=every))
        out = tmp_path / f"every{every}"
        for i in range(2):
            proc = kinema("transcode", clip, out, "--ladder", ladder, "--encoder", "cpu",
                          "--chunk", f"{i}/2")  # fmt: skip
            assert proc.returncode == 0, proc.stderr
        proc = kinema("package", out)
        assert proc.returncode == 0, proc.stderr
        report = json.loads((out / "kinema.json").read_text())
        videos = [r for r in report["renditions"] if r["kind"] == "video"]
        psnr[every] = {r["name"]: r["quality"]["psnr"] for r in videos}
        frames[every] = {r["name"]: r["quality"]["framesCompared"] for r in videos}
    # 5.28 s at 25 fps in chunks of 4 s + 1.28 s; windows of 25 frames (one frame in 5
    # compared) at 0 and 2 s in the first chunk, 0 in the second: 5 + 5 + 5.
    assert frames[2] == {"240p": 15, "144p": 15}, frames
    assert frames[1]["240p"] > frames[2]["240p"]
    for name, full in psnr[1].items():
        assert abs(psnr[2][name] - full) < 1.5, (name, psnr)
    # A thumbnail tick on a chunk's first frame (4 s) is that chunk's, and only its:
    # the chunk before reads one frame past its end, the chunk's own input starts half
    # a frame early.
    cues = [line for line in (out / "thumbnails.vtt").read_text().splitlines() if "-->" in line]
    assert [c.split(" --> ")[0] for c in cues] == ["00:00:00.000", "00:00:02.000", "00:00:04.000"]
