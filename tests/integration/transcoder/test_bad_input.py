"""Bad input: one clear line, non-zero exit, an error in kinema.json, nothing complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kinema.ffmpeg import ffmpeg_path
from tests.utils.media import Source

pytestmark = pytest.mark.integration


def _assert_failed(run, code: str, words: str) -> None:
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert words.lower() in lines[0].lower(), lines[0]
    report = json.loads((run.outdir / "kinema.json").read_text())
    assert report["status"] == "failed"
    assert report["error"]["code"] == code and report["error"]["message"]
    for name in ("master.m3u8", "manifest.mpd", "video", "audio"):
        assert not (run.outdir / name).exists(), name
    assert run.events()[-1]["event"] == "error"


def _ffmpeg(*args: str) -> None:
    base = [str(ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    subprocess.run([*base, *args], check=True, capture_output=True, timeout=120)


def test_not_a_video(transcode, tmp_path):
    src = tmp_path / "notes.mp4"
    src.write_text("this is not a video\n" * 50)
    _assert_failed(transcode(src), "unsupported_source", "cannot be decoded")


def test_zero_bytes(transcode, tmp_path):
    src = tmp_path / "empty.mp4"
    src.touch()
    _assert_failed(transcode(src), "unsupported_source", "empty (0 bytes)")


def test_missing_file(transcode, tmp_path):
    _assert_failed(transcode(tmp_path / "nope.mp4"), "source_unreachable", "does not exist")


def test_truncated_file(source, transcode, tmp_path):
    whole = source(Source(duration=4.0))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _assert_failed(transcode(cut), "unsupported_source", "cut.mp4")


def test_truncated_fragmented_file_is_caught_after_decoding(tmp_path, transcode):
    # Header first (faststart): ffprobe believes the full duration, the data ends early.
    full = tmp_path / "full.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=8",
            "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", str(full))  # fmt: skip  # noqa: E501
    cut = tmp_path / "faststart_cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 5])
    _assert_failed(transcode(cut, "--no-quality"), "unsupported_source", "faststart_cut.mp4")


def test_audio_only(tmp_path, transcode):
    src = tmp_path / "song.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", str(src))
    _assert_failed(transcode(src), "unsupported_source", "no video stream")


def test_unsupported_codec(source, transcode, tmp_path):
    data = bytearray(source(Source(duration=2.0, audio_languages=())).read_bytes())
    at = data.find(b"avc1", data.find(b"stsd"))
    data[at : at + 4] = b"zzzz"  # the sample entry of a codec nobody knows
    src = tmp_path / "weird.mp4"
    src.write_bytes(bytes(data))
    _assert_failed(transcode(src), "unsupported_source", "weird.mp4")


def test_decompression_bomb_dimensions(tmp_path, transcode):
    src = tmp_path / "wide.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=size=8200x16:rate=1:duration=1",
            "-c:v", "libx264", "-preset", "ultrafast", str(src))  # fmt: skip
    _assert_failed(transcode(src), "unsupported_source", "8192")


def test_unreachable_url(transcode, monkeypatch):
    # Loopback sources are refused unless allowed; allowed, nothing listens on port 9.
    monkeypatch.setenv("KINEMA_ALLOW_PRIVATE_SOURCES", "true")
    _assert_failed(transcode("http://127.0.0.1:9/movie.mp4"), "source_unreachable", "cannot reach")


def test_bad_chunk_argument(source, transcode):
    run = transcode(source(Source(duration=2.0)), "--chunk", "4/4")
    assert run.returncode == 2 and "--chunk" in run.stderr


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "tiny"
    mount.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_full_disk(source, transcode, tiny_disk):
    src = source(Source(size="1280x720", duration=4.0))
    run = transcode(src, "--no-quality", outdir=tiny_disk / "out")
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert "no space left on device" in run.stderr
    assert not (tiny_disk / "out" / "master.m3u8").exists()


def test_kinema_cli_registers_the_commands():
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("kinema")), "probe", "/nonexistent.mp4"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: source /nonexistent.mp4 does not exist"
