"""Generated media for transcoder tests: real ffmpeg, small and quick.

Every source is made from ffmpeg's ``testsrc2`` pattern (moving, so encoders have real
work) and ``sine`` tones, with the property a test needs: rotation metadata, VFR,
10-bit HDR, several audio languages, embedded subtitles, no audio. Sources are cached
per pytest session by their parameters, so tests that share one pay for it once.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinema.ffmpeg import ffmpeg_path, ffprobe_path

FAST_LADDER = """\
spec:
  segmentSeconds: 2
  gopSeconds: 1
  preset: ultrafast
  rungs:
    - {height: 144, width: 256, bitrateKbps: 120}
    - {height: 234, width: 416, bitrateKbps: 200}
    - {height: 360, width: 640, bitrateKbps: 500}
    - {height: 720, width: 1280, bitrateKbps: 1500}
  audio: {bitrateKbps: 96}
  trickplay: {intervalSeconds: 1, tileWidth: 96, columns: 4, rows: 3}
"""

SRT_SAMPLE = """\
1
00:00:00,500 --> 00:00:01,500
Hello <font color="red">there</font>

2
00:00:03,000 --> 00:00:04,250
{\\an8}Second line
"""


@dataclass(frozen=True)
class Source:
    size: str = "640x360"
    rate: str = "30"
    duration: float = 4.0
    audio_languages: tuple[str, ...] = ("eng",)
    rotate: int | None = None  # display rotation in degrees (metadata only)
    vfr: bool = False
    hdr10: bool = False
    subtitles: tuple[str, ...] = ()  # languages of embedded SRT tracks (mkv)
    container: str = "mp4"
    extra: tuple[str, ...] = field(default=())

    def key(self) -> str:
        return hashlib.sha1(repr(self).encode(), usedforsecurity=False).hexdigest()[:12]


def run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=300)


def make_source(spec: Source, folder: Path) -> Path:
    """Write (or reuse) the source described by ``spec`` under ``folder``."""
    suffix = "mkv" if spec.subtitles else spec.container
    out = folder / f"src_{spec.key()}.{suffix}"
    if out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    ff = str(ffmpeg_path())
    args = [ff, "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += [
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={spec.size}:rate={spec.rate}:duration={spec.duration}",
    ]
    for n, _ in enumerate(spec.audio_languages):
        freq = 440 + 220 * n
        args += [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={freq}:sample_rate=48000:duration={spec.duration}",
        ]
    srt_inputs = []
    for lang in spec.subtitles:
        srt = folder / f"embedded_{lang}.srt"
        srt.write_text(SRT_SAMPLE, encoding="utf-8")
        srt_inputs.append(srt)
        args += ["-i", str(srt)]
    args += ["-map", "0:v"]
    for n, lang in enumerate(spec.audio_languages):
        args += ["-map", f"{n + 1}:a", f"-metadata:s:a:{n}", f"language={lang}"]
    base = 1 + len(spec.audio_languages)
    for n, lang in enumerate(spec.subtitles):
        args += ["-map", f"{base + n}:s", f"-metadata:s:s:{n}", f"language={lang}"]
    if spec.subtitles:
        args += ["-c:s", "srt"]
    if spec.vfr:
        # Drop a pseudo-random third of the frames: real timestamps, uneven spacing.
        args += ["-vf", "select='not(eq(mod(n*7\\,11)\\,3))*not(eq(mod(n*5\\,13)\\,2))'"]
        args += ["-fps_mode", "vfr"]
    if spec.hdr10:
        args += [
            "-vf", "format=yuv420p,zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:"
            "t=smpte2084:m=bt2020nc:p=bt2020:r=tv,format=yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
            "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
            "-tag:v", "hvc1",
        ]  # fmt: skip
    else:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if spec.audio_languages:
        args += ["-c:a", "aac", "-b:a", "96k"]
    args += list(spec.extra)
    if spec.rotate is not None:
        # -display_rotation is an input option in ffmpeg 7+: remux with it applied.
        tmp = folder / f"tmp_{spec.key()}.{suffix}"
        run([*args, str(tmp)])
        run([ff, "-hide_banner", "-y", "-loglevel", "error", "-display_rotation", str(spec.rotate),
             "-i", str(tmp), "-c", "copy", str(tmp.with_name(f"rot_{out.name}"))])  # fmt: skip
        tmp.with_name(f"rot_{out.name}").replace(out)
        tmp.unlink()
        return out
    partial = out.with_name(f"partial_{out.name}")
    run([*args, str(partial)])
    partial.replace(out)
    return out


def ffprobe(path: Path | str, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [str(ffprobe_path()), "-v", "error", "-of", "json", *extra, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def frame_info(path: Path | str) -> list[dict[str, Any]]:
    """Per-frame key flags and timestamps of the first video stream."""
    data = ffprobe(
        path, "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type,pts_time"
    )
    frames: list[dict[str, Any]] = data.get("frames", [])
    return frames
