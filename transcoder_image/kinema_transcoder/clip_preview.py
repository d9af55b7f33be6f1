"""``kinema clip-preview``: a shared clip's preview, made from the published output.

A preview is a short H.264/AAC MP4 (``preview.mp4``, fast-start, at most
``max_height`` tall) and a JPEG still (``still.jpg``, the clip's middle frame, for
OpenGraph/Twitter cards). It is cut from what viewers already stream, never from the
source: the tallest video rung no taller than ``max_height`` (else the shortest), and
the first audio track. Only the segments that overlap the clip are read from the store,
each track's init segment and fragments concatenated into one fMP4 file (a valid
fragmented MP4), which ffmpeg then trims and re-encodes.

The preview is public (crawlers fetch it signed out), so its height is capped low:
a clip never shows more than the lowest paid-for quality would.

Pure parts (playlist parsing, segment choice, ffmpeg arguments) are apart from the
runner that reads the store and runs ffmpeg.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kinema import ffmpeg
from kinema.errors import KinemaError
from kinema.storage import ObjectStore, open_url
from kinema_transcoder.errors import BadArguments, BadSource, EncodeFailed

PREVIEW_FILE = "preview.mp4"
STILL_FILE = "still.jpg"
MAX_CLIP_S = 60.0
DEFAULT_MAX_HEIGHT = 480
_RUNG = re.compile(r"^video/(\d+)p/index\.m3u8$")


@dataclass(frozen=True, slots=True)
class Segment:
    uri: str
    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True, slots=True)
class MediaPlaylist:
    init_uri: str
    segments: tuple[Segment, ...]


def parse_media_playlist(text: str) -> MediaPlaylist:
    """An fMP4 HLS media playlist: its init segment and timed media segments."""
    init_uri = ""
    segments: list[Segment] = []
    clock = 0.0
    duration: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MAP:"):
            match = re.search(r'URI="([^"]+)"', line)
            init_uri = match.group(1) if match else ""
        elif line.startswith("#EXTINF:"):
            try:
                duration = float(line.removeprefix("#EXTINF:").split(",", 1)[0])
            except ValueError as exc:
                raise BadSource(f"bad #EXTINF line {line!r}") from exc
        elif line and not line.startswith("#") and duration is not None:
            segments.append(Segment(line, clock, duration))
            clock += duration
            duration = None
    if not init_uri or not segments:
        raise BadSource("the media playlist has no init segment or no segments (not CMAF?)")
    return MediaPlaylist(init_uri, tuple(segments))


def covering(playlist: MediaPlaylist, start_s: float, end_s: float) -> tuple[Segment, ...]:
    """The segments that hold any of [start_s, end_s)."""
    chosen = tuple(s for s in playlist.segments if s.end_s > start_s and s.start_s < end_s)
    if not chosen:
        raise BadArguments(f"{start_s:.3f}-{end_s:.3f} s is outside the video")
    return chosen


def pick_rung(keys: list[str], max_height: int) -> str:
    """The media playlist of the tallest rung no taller than ``max_height`` (else the
    shortest rung)."""
    rungs = sorted((int(m.group(1)), k) for k in keys if (m := _RUNG.match(k)))
    if not rungs:
        raise BadSource("the output has no video rungs (video/<height>p/index.m3u8)")
    fitting = [r for r in rungs if r[0] <= max_height]
    return (fitting[-1] if fitting else rungs[0])[1]


def pick_audio(keys: list[str]) -> str | None:
    audio = sorted(k for k in keys if k.startswith("audio/") and k.endswith("/index.m3u8"))
    return audio[0] if audio else None


def check_range(start_s: float, end_s: float) -> None:
    if not (start_s >= 0 and end_s > start_s and end_s - start_s <= MAX_CLIP_S + 1e-6):
        raise BadArguments(
            f"--start {start_s} --end {end_s}: need 0 <= start < end and at most {MAX_CLIP_S:.0f} s"
        )


def preview_args(
    binary: Path,
    *,
    video: Path,
    audio: Path | None,
    offset_s: float,
    audio_offset_s: float = 0.0,
    duration_s: float,
    max_height: int,
    out: Path,
) -> list[str]:
    """ffmpeg arguments: ``offset_s`` (``audio_offset_s``) into the concatenated video
    (audio) file, ``duration_s`` long."""
    args = [str(binary), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-ss", f"{offset_s:.3f}", "-t", f"{duration_s:.3f}", "-i", str(video)]
    if audio is not None:
        args += ["-ss", f"{audio_offset_s:.3f}", "-t", f"{duration_s:.3f}", "-i", str(audio)]
    args += ["-map", "0:v:0"]
    if audio is not None:
        args += ["-map", "1:a:0", "-c:a", "aac", "-b:a", "96k", "-ac", "2"]
    args += [
        "-vf",
        f"scale=-2:'min({max_height},ih)',format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "28",
        "-movflags",
        "+faststart",
        "-shortest",
        str(out),
    ]
    return args


def still_args(binary: Path, *, preview: Path, at_s: float, out: Path) -> list[str]:
    return [
        str(binary),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-ss",
        f"{at_s:.3f}",
        "-i",
        str(preview),
        "-frames:v",
        "1",
        "-q:v",
        "3",
        str(out),
    ]


def _gather(
    store: ObjectStore, prefix: str, playlist_key: str, start_s: float, end_s: float, into: Path
) -> tuple[Path, float]:
    """One fMP4 file of the track's init segment and the fragments covering the range,
    and the time its first fragment starts at."""
    folder = playlist_key.rsplit("/", 1)[0]
    playlist = parse_media_playlist(store.get_bytes(f"{prefix}/{playlist_key}").decode())
    segments = covering(playlist, start_s, end_s)
    into.parent.mkdir(parents=True, exist_ok=True)
    with into.open("wb") as out:
        for uri in (playlist.init_uri, *(s.uri for s in segments)):
            if "/" in uri or uri.startswith("."):
                raise BadSource(f"unexpected segment name {uri!r} in {playlist_key}")
            out.write(store.get_bytes(f"{prefix}/{folder}/{uri}"))
    return into, segments[0].start_s


def make_preview(
    output: str,
    *,
    start_s: float,
    end_s: float,
    dest: str,
    max_height: int = DEFAULT_MAX_HEIGHT,
) -> None:
    """Write ``preview.mp4`` and ``still.jpg`` for [start_s, end_s) of the published
    output at ``output`` (a path or ``s3://`` prefix) into ``dest`` (the same)."""
    check_range(start_s, end_s)
    store, prefix = open_url(output)
    out_store, out_prefix = open_url(dest)
    try:
        keys = [i.key.removeprefix(f"{prefix}/") for i in store.list(f"{prefix}/")]
        rung = pick_rung(keys, max_height)
        audio_key = pick_audio(keys)
        work = Path(tempfile.mkdtemp(prefix="kinema-clip-"))
        try:
            video, first = _gather(store, prefix, rung, start_s, end_s, work / "video.mp4")
            audio, audio_first = None, start_s
            if audio_key is not None:
                audio, audio_first = _gather(
                    store, prefix, audio_key, start_s, end_s, work / "audio.mp4"
                )
            binary = ffmpeg.ffmpeg_path()
            duration = end_s - start_s
            preview = work / "out" / PREVIEW_FILE
            preview.parent.mkdir()
            try:
                ffmpeg.run(
                    preview_args(
                        binary,
                        video=video,
                        audio=audio,
                        offset_s=max(0.0, start_s - first),
                        audio_offset_s=max(0.0, start_s - audio_first),
                        duration_s=duration,
                        max_height=max_height,
                        out=preview,
                    ),
                    what="clip preview",
                    timeout=300,
                )
                ffmpeg.run(
                    still_args(
                        binary, preview=preview, at_s=duration / 2, out=work / "out" / STILL_FILE
                    ),
                    what="clip still",
                    timeout=60,
                )
            except KinemaError as exc:
                raise EncodeFailed(str(exc)) from exc
            out_store.put_file(preview, f"{out_prefix}/{PREVIEW_FILE}", content_type="video/mp4")
            out_store.put_file(
                work / "out" / STILL_FILE, f"{out_prefix}/{STILL_FILE}", content_type="image/jpeg"
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    finally:
        store.close()
        if out_store is not store:
            out_store.close()
