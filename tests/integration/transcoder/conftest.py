"""Fixtures for transcoder tests: generated sources, a fast ladder, the CLI, and checks.

The checks read the output the way players do: ``m3u8`` and ``mpegdash`` parse the
manifests, ffprobe decodes the segments.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import m3u8
import pytest
from mpegdash.parser import MPEGDASHParser

from kinema.ffmpeg import ffmpeg_path
from tests.utils.media import FAST_LADDER, Source, ffprobe, frame_info, make_source

# The transcoder's own entry (what the Job image runs); one test covers `kinema` itself.
KINEMA = [sys.executable, "-m", "kinema_transcoder"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    outdir: Path

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.outdir / "kinema.json").read_text())
        return data

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def fast_ladder(media_dir: Path) -> Path:
    path = media_dir / "fast.yaml"
    path.write_text(FAST_LADDER, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def source(media_dir: Path) -> Callable[[Source], Path]:
    return lambda spec: make_source(spec, media_dir)


BBB = Path(__file__).parents[2] / "fixtures" / "media" / "bigbuckbunny.mp4"


def bbb_source(out: Path, width: int, height: int, *options: str) -> Path:
    """Real footage (the Big Buck Bunny fixture) scaled to ``width`` x ``height``, as a
    near-lossless x264 + AAC source; ``options`` are more output options."""
    subprocess.run(
        [str(ffmpeg_path()), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
         "-i", str(BBB), *options, "-vf", f"scale={width}:{height}", "-c:v", "libx264",
         "-preset", "ultrafast", "-crf", "16", "-c:a", "aac", str(out)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return out


def kinema(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KINEMA, *[str(a) for a in args]],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def transcode(fast_ladder: Path, tmp_path: Path) -> Callable[..., Run]:
    def run(src: str | Path, *extra: str, outdir: Path | str | None = None) -> Run:
        out = Path(outdir) if outdir is not None else tmp_path / "out"
        proc = kinema("transcode", src, out, "--ladder", fast_ladder, *extra)
        return Run(proc.returncode, proc.stdout, proc.stderr, out)

    return run


def video_duration(path: Path | str) -> float:
    """The container's video stream duration, else frames x frame rate (CFR outputs)."""
    data = ffprobe(path, "-select_streams", "v:0", "-count_frames", "-show_entries",
                   "stream=nb_read_frames,r_frame_rate,duration")  # fmt: skip
    stream = data["streams"][0]
    if stream.get("duration") not in (None, "N/A"):
        return float(stream["duration"])
    num, den = stream["r_frame_rate"].split("/")
    return int(stream["nb_read_frames"]) * int(den) / int(num)


def hls_segments(playlist: Path) -> list[tuple[str, float]]:
    parsed = m3u8.load(str(playlist))
    return [(seg.uri, float(seg.duration)) for seg in parsed.segments]


def dash_files(mpd_path: Path) -> dict[str, list[str]]:
    """Every file the MPD addresses, per representation, expanded from its templates."""
    mpd = MPEGDASHParser.parse(str(mpd_path))
    files: dict[str, list[str]] = {}
    for aset in mpd.periods[0].adaptation_sets:
        for rep in aset.representations:
            if rep.segment_templates:
                tpl = rep.segment_templates[0]
                count = 0
                for s in tpl.segment_timelines[0].Ss:
                    count += 1 + (s.r or 0)
                start = tpl.start_number or 1
                names = [tpl.initialization]
                names += [
                    tpl.media.replace("$Number%05d$", f"{n:05d}")
                    for n in range(start, start + count)
                ]
                files[rep.id] = names
            elif rep.base_urls:
                files[rep.id] = [rep.base_urls[0].base_url_value]
    return files


def dash_timeline(mpd_path: Path, rep_id: str) -> list[tuple[int, int]]:
    mpd = MPEGDASHParser.parse(str(mpd_path))
    for aset in mpd.periods[0].adaptation_sets:
        for rep in aset.representations:
            if rep.id == rep_id:
                tpl = rep.segment_templates[0]
                out: list[tuple[int, int]] = []
                t = 0
                for s in tpl.segment_timelines[0].Ss:
                    t = s.t if s.t is not None else t
                    for _ in range(1 + (s.r or 0)):
                        out.append((t, s.d))
                        t += s.d
                return out
    raise AssertionError(f"no representation {rep_id}")


def check_output(outdir: Path, src: Path) -> dict[str, Any]:
    """The contract every reader relies on; returns kinema.json."""
    report: dict[str, Any] = json.loads((outdir / "kinema.json").read_text())
    assert report["status"] == "complete", report.get("error")
    master = m3u8.load(str(outdir / "master.m3u8"))
    assert master.is_variant and master.version == 7
    assert "#EXT-X-INDEPENDENT-SEGMENTS" in (outdir / "master.m3u8").read_text()
    videos = [r for r in report["renditions"] if r["kind"] == "video"]
    assert len(master.playlists) == len(videos) >= 1
    assert len(master.iframe_playlists) == len(videos)
    probe = report["probe"]["video"]
    src_w, src_h = probe["displayWidth"], probe["displayHeight"]
    source_seconds = video_duration(src)
    frame = 1 / report["plan"]["fps"]
    hls_files: set[str] = set()
    timelines = []
    for variant in master.playlists:
        info = variant.stream_info
        assert info.bandwidth >= info.average_bandwidth > 0
        assert info.codecs.startswith("avc1.")
        assert info.frame_rate and info.frame_rate <= 60
        w, h = info.resolution
        assert w <= src_w and h <= src_h, "a rung above the source"
        assert w % 2 == 0 and h % 2 == 0
        folder = outdir / Path(variant.uri).parent
        segments = hls_segments(outdir / variant.uri)
        timelines.append([round(d, 4) for _, d in segments])
        hls_files.add(f"{folder.relative_to(outdir).as_posix()}/init.mp4")
        for uri, _ in segments:
            hls_files.add(f"{folder.relative_to(outdir).as_posix()}/{uri}")
            first = frame_info(f"concat:{folder / 'init.mp4'}|{folder / uri}")[0]
            assert first["key_frame"] == 1 and first["pict_type"] == "I", f"{folder.name}/{uri}"
        assert abs(video_duration(outdir / variant.uri) - source_seconds) <= frame + 1e-6
    assert all(t == timelines[0] for t in timelines), "segment timelines differ across rungs"
    for media in master.media:
        folder = outdir / Path(media.uri).parent
        if media.type == "AUDIO":
            for uri, _ in hls_segments(outdir / media.uri):
                hls_files.add(f"{folder.relative_to(outdir).as_posix()}/{uri}")
            hls_files.add(f"{folder.relative_to(outdir).as_posix()}/init.mp4")
        else:
            for uri, _ in hls_segments(outdir / media.uri):
                hls_files.add(f"{folder.relative_to(outdir).as_posix()}/{uri}")
    dash = {name for names in dash_files(outdir / "manifest.mpd").values() for name in names}
    assert dash == hls_files, "DASH and HLS do not reference the same files"
    for name in dash:
        assert (outdir / name).is_file(), name
    for v in videos:
        assert v.get("quality") is None or (
            v["quality"]["psnr"] > 20 and 0 < v["quality"]["ssim"] <= 1
        )
    return report
