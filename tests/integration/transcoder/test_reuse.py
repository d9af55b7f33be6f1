"""``kinema transcode --reuse PREV``: a ladder change encodes only the rungs it changed.

Copies between local folders are hard links, so "copied, not encoded again" is checked
by inode: an encoder that happens to produce the same bytes would still make new files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.integration.transcoder.conftest import check_output, kinema
from tests.utils.media import SRT_SAMPLE, Source, make_source

pytestmark = pytest.mark.integration

RUNGS = {
    "144p": "{height: 144, width: 256, bitrateKbps: 120}",
    "234p": "{height: 234, width: 416, bitrateKbps: 200}",
    "360p": "{height: 360, width: 640, bitrateKbps: 500}",
}


def ladder(folder: Path, name: str, rungs: list[str], audio_kbps: int = 96) -> Path:
    lines = ["spec:", "  segmentSeconds: 2", "  gopSeconds: 1", "  preset: ultrafast", "  rungs:"]
    lines += [f"    - {RUNGS[r]}" for r in rungs]
    lines += [f"  audio: {{bitrateKbps: {audio_kbps}}}"]
    lines += ["  trickplay: {intervalSeconds: 1, tileWidth: 96, columns: 4, rows: 3}"]
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def files(outdir: Path, folder: str) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: inode and content hash."""
    out: dict[str, tuple[int, str]] = {}
    for path in sorted((outdir / folder).rglob("*")):
        if path.is_file() and path.suffix != ".m3u8":
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[path.relative_to(outdir).as_posix()] = (path.stat().st_ino, digest)
    return out


def report(outdir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((outdir / "kinema.json").read_text())
    return data


def notes(stdout: str) -> list[dict[str, Any]]:
    events = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return [e for e in events if e["event"] == "note"]


def quality(outdir: Path, rung: str) -> dict[str, Any]:
    found = next(r for r in report(outdir)["renditions"] if r["name"] == rung)
    value: dict[str, Any] = found["quality"]
    return value


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A source with English audio and an embedded French track, encoded at 144p+234p."""
    folder = tmp_path_factory.mktemp("reuse")
    src = make_source(Source(duration=5.0, subtitles=("fra",)), folder)
    out = folder / "first"
    proc = kinema("transcode", src, out, "--ladder", ladder(folder, "a", ["144p", "234p"]))
    assert proc.returncode == 0, proc.stderr
    assert (out / "records.json").is_file()
    return src, out


def test_a_new_rung_is_encoded_and_the_others_copied(first, tmp_path):
    src, prev = first
    out = tmp_path / "second"
    new_ladder = ladder(tmp_path, "b", ["144p", "360p"])
    proc = kinema("transcode", src, out, "--ladder", new_ladder, "--reuse", prev, "--json-progress")
    assert proc.returncode == 0, proc.stderr
    check_output(out, src)
    [note] = notes(proc.stdout)
    assert note["reused"] == ["144p"] and note["encoded"] == ["360p"] and note["audioReused"]
    assert report(out)["reused"] == {
        "source": str(prev),
        "rungs": ["144p"],
        "audio": True,
        "pictures": False,
    }
    # Same files (hard links), not a re-encode; the audio too; the dropped rung is gone.
    for part in ("video/144p", "audio"):
        assert files(out, part) == files(prev, part) != {}
    assert not (out / "video/234p").exists()
    assert files(out, "video/360p")
    assert {i for i, _ in files(out, "video/360p").values()}.isdisjoint(
        i for i, _ in files(prev, "video/360p").values()
    )
    # The copied rung keeps its measured quality; the new one was measured.
    assert quality(out, "144p") == quality(prev, "144p")
    assert quality(out, "360p")["framesCompared"] > 0
    # Thumbnails and posters come from this run's own decode; the embedded track too.
    assert (out / "thumbnails.vtt").is_file() and report(out)["posters"]
    assert [s["language"] for s in report(out)["subtitles"]] == ["fr"]
    # The new output can itself be reused.
    records = json.loads((out / "records.json").read_text())
    assert [v["name"] for v in records["video"]] == ["360p", "144p"]


def test_removing_a_rung_encodes_nothing(first, tmp_path):
    src, prev = first
    out = tmp_path / "fewer"
    german = tmp_path / "de.srt"
    german.write_text(SRT_SAMPLE)
    proc = kinema(
        "transcode", src, out, "--ladder", ladder(tmp_path, "c", ["144p"]),
        "--reuse", prev, "--subtitle", f"de={german}", "--json-progress",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    check_output(out, src)
    reused = report(out)["reused"]
    assert reused["pictures"] and reused["rungs"] == ["144p"] and reused["audio"]
    for part in ("video/144p", "audio", "trickplay", "posters"):
        assert files(out, part) == files(prev, part) != {}
    assert (
        files(out, "subtitles")["subtitles/fr.vtt"] == files(prev, "subtitles")["subtitles/fr.vtt"]
    )
    assert (out / "thumbnails.vtt").read_text() == (prev / "thumbnails.vtt").read_text()
    assert sorted(s["language"] for s in report(out)["subtitles"]) == ["de", "fr"]
    assert report(out)["posters"] == report(prev)["posters"]


def test_chunked_run_encodes_only_the_new_rung(first, tmp_path):
    src, prev = first
    out = tmp_path / "chunked"
    new_ladder = ladder(tmp_path, "d", ["144p", "234p", "360p"], audio_kbps=64)
    for i in range(2):
        proc = kinema(
            "transcode", src, out, "--ladder", new_ladder, "--reuse", prev,
            "--chunk", f"{i}/2", "--no-quality",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        chunk = json.loads((out / f"chunks/{i:04d}/chunk.json").read_text())
        assert [v["name"] for v in chunk["video"]] == ["360p"]
    proc = kinema("package", out)
    assert proc.returncode == 0, proc.stderr
    check_output(out, src)
    # The audio bitrate changed: the audio was encoded again, the two old rungs copied.
    assert sorted(report(out)["reused"]["rungs"]) == ["144p", "234p"]
    assert not report(out)["reused"]["audio"]
    for rung in ("144p", "234p"):
        assert files(out, f"video/{rung}") == files(prev, f"video/{rung}")
    assert {i for i, _ in files(out, "audio").values()}.isdisjoint(
        i for i, _ in files(prev, "audio").values()
    )


@pytest.mark.parametrize(
    ("previous", "extra", "why"),
    [
        ("first", ["--revision", "1"], "revision 0, this run is revision 1"),
        ("missing", [], "holds no kinema.json"),
    ],
)
def test_what_cannot_be_reused_is_encoded(first, tmp_path, previous, extra, why):
    src, prev = first
    out = tmp_path / "again"
    reuse = prev if previous == "first" else tmp_path / "nothing-here"
    proc = kinema(
        "transcode", src, out, "--ladder", ladder(tmp_path, "e", ["144p"]),
        "--reuse", reuse, "--no-quality", "--json-progress", *extra,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [note] = notes(proc.stdout)
    assert why in note["message"] and note["message"].startswith("encoding every rung")
    assert "reused" not in report(out)
    inode = (out / "video/144p/init.mp4").stat().st_ino
    assert inode != (prev / "video/144p/init.mp4").stat().st_ino
    assert not (tmp_path / "nothing-here").exists()


def test_packaging_says_so_when_the_reused_output_went_away(first, tmp_path):
    src, original = first
    prev = tmp_path / "prev"
    shutil.copytree(original, prev)
    out = tmp_path / "out"
    new_ladder = ladder(tmp_path, "f", ["144p", "360p"])
    for i in range(2):
        proc = kinema(
            "transcode", src, out, "--ladder", new_ladder, "--reuse", prev,
            "--chunk", f"{i}/2", "--no-quality",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    shutil.rmtree(prev)
    proc = kinema("package", out)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "the output to reuse is gone" in proc.stderr
    assert report(out)["status"] == "failed"
    assert not (out / "master.m3u8").exists()
