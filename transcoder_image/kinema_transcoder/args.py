"""ffmpeg command lines, built as pure functions of typed inputs.

Nothing here runs a process: each builder returns ``list[str]`` that the runner in
``kinema.ffmpeg`` executes. That keeps the encoding rules testable without ffmpeg.

The encode command is ONE process per chunk. It decodes the source once, normalizes it
(constant frame rate, 8-bit 4:2:0, tone-mapped when HDR) and ``split``s the picture to
every rung, to the trickplay branch and to the poster branch::

    [0:v] fps -> format/tonemap -> split -+-> scale -> encoder -> hls(fmp4) per rung
                                          +-> select one frame per interval -> thumbs
                                          +-> scene/periodic select -> blurdetect -> posters
    [0|1:a:k] -> aac stereo -> hls(fmp4)  (audio once: unchunked, or chunk 0)
    [0|1:s:k] -> webvtt                   (embedded text subtitles, same rule)

Keyframes are forced on frame numbers (every ``gop_frames``), never on seconds, so they
land on the same frames in every rung and in every chunk. The hls muxer is told to cut
at every keyframe (``hls_time`` far below a GOP), which gives one ``moof``+``mdat`` piece
per GOP; the segmenter joins pieces into segments of ``segment_seconds``. Pieces per GOP
are what lets the I-frame playlists address every keyframe with a byte range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from kinema.ladder import LadderPlan, PlannedRung
from kinema.media import VideoInfo
from kinema.resources.ladder import Codec, Preset

# Below any GOP: the hls muxer then cuts at every keyframe.
PIECE_CUT_SECONDS = 0.01
THUMB_QUALITY = 5  # mjpeg qscale (2 best .. 31 worst)
POSTER_QUALITY = 3
POSTER_MAX_WIDTH = 1280
POSTER_SAMPLE_FPS = 2
POSTER_SCENE_THRESHOLD = 0.3
POSTER_MAX_FRAMES = 40
# x264 preset -> NVENC preset (p1 fastest .. p7 best) and SVT-AV1 preset (13 .. 0).
_NVENC_PRESET = {
    Preset.ULTRAFAST: "p1",
    Preset.SUPERFAST: "p2",
    Preset.VERYFAST: "p3",
    Preset.FASTER: "p4",
    Preset.FAST: "p4",
    Preset.MEDIUM: "p5",
    Preset.SLOW: "p6",
    Preset.SLOWER: "p7",
}
_SVT_PRESET = {
    Preset.ULTRAFAST: "12",
    Preset.SUPERFAST: "11",
    Preset.VERYFAST: "10",
    Preset.FASTER: "9",
    Preset.FAST: "8",
    Preset.MEDIUM: "7",
    Preset.SLOW: "5",
    Preset.SLOWER: "4",
}
CPU_ENCODERS = {Codec.H264: "libx264", Codec.HEVC: "libx265", Codec.AV1: "libsvtav1"}
NVENC_ENCODERS = {Codec.H264: "h264_nvenc", Codec.HEVC: "hevc_nvenc", Codec.AV1: "av1_nvenc"}


def escape_filter_path(path: Path | str) -> str:
    """A path as a filter option value: ``\\``, ``:`` and ``'`` escaped for lavfi."""
    text = str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
    return text.replace(",", "\\,").replace("[", "\\[").replace("]", "\\]").replace(";", "\\;")


def seconds(value: float | Fraction) -> str:
    """A timestamp for the command line, to the microsecond."""
    return f"{float(value):.6f}"


@dataclass(frozen=True, slots=True)
class AudioOut:
    input_index: int  # 0: the (only) source input; 1: the full-length second input
    stream: int  # audio stream number within the input (the k of ``a:k``)
    directory: Path


@dataclass(frozen=True, slots=True)
class SubtitleOut:
    input_index: int
    stream: int  # subtitle stream number within the input (``s:k``)
    path: Path


@dataclass(frozen=True, slots=True)
class EncodeRequest:
    """Everything one chunk's encode needs; ``rung_dirs`` follow ``plan.rungs``."""

    ffmpeg: Path
    source: str
    plan: LadderPlan
    video: VideoInfo
    preset: Preset
    encoders: dict[Codec, str]
    rung_dirs: list[Path]
    start: float = 0.0  # chunk start, seconds (already frame-exact)
    duration: float | None = None  # chunk length, None to the end
    frames: int | None = None  # exact number of frames to encode, None to the end
    audio: list[AudioOut] = field(default_factory=list)
    subtitles: list[SubtitleOut] = field(default_factory=list)
    audio_bitrate_kbps: int = 128
    audio_channels: int = 2
    audio_sample_rate: int = 48000
    # Options before each ``-i source`` (``-max_redirects 0`` for a checked URL).
    source_options: tuple[str, ...] = ()
    thumbs_dir: Path | None = None
    thumb_interval: float = 5.0
    thumb_width: int = 240
    thumb_height: int = 136
    posters_dir: Path | None = None
    posters_log: Path | None = None
    full_input: bool = False  # add the whole source as input 1 (audio/subs of a chunk)
    threads: int | None = None  # per video encoder


def normalize_filter(video: VideoInfo, plan: LadderPlan) -> str:
    """Frame rate, pixel format and (for HDR) tone mapping, applied once before split."""
    parts = [f"fps={plan.frame_rate}"]
    if plan.tonemap:
        transfer = video.color_transfer or "smpte2084"
        primaries = video.color_primaries or "bt2020"
        matrix = video.color_space or "bt2020nc"
        parts += [
            f"zscale=tin={transfer}:pin={primaries}:min={matrix}:t=linear:npl=100",
            "format=gbrpf32le",
            "zscale=p=bt709",
            "tonemap=tonemap=hable:desat=0",
            "zscale=t=bt709:m=bt709:r=tv",
        ]
    parts.append("format=yuv420p")
    return ",".join(parts)


def thumb_select(start: float, interval: float, fps: float, frames: int | None = None) -> str:
    """Select the first frame at or after every multiple of ``interval`` (absolute time).

    A frame's chunk-local time is its number over the frame rate (not its ``t``: a
    chunk's input is cut half a frame early, and ``fps`` then stamps its first frame at
    one frame, not zero); the chunk start is added, and a quarter frame of slack keeps
    a frame exactly on the boundary from slipping by float rounding. ``frames`` (the
    chunk's own frame count) leaves the next chunk's first frame, read past the end so
    that it is not lost to rounding, to that chunk.
    """
    frame = 1 / fps
    slack = frame / 4
    within = f"*lt(n\\,{frames})" if frames is not None else ""
    tick = f"lt(mod(n*{frame:.9f}+{start + slack:.6f}\\,{interval:g})\\,{frame:.6f})"
    return f"select='{tick}{within}'"


def selects_thumbnail(start: float, duration: float, interval: float, fps: float) -> bool:
    """Whether ``thumb_select`` picks any frame of a chunk of ``duration`` seconds
    (chunk-local times k/fps). A chunk shorter than the interval may fall between two thumbnails;
    an image output that gets no frame fails the whole ffmpeg run, so such a chunk
    asks for none."""
    frame = 1 / fps
    slack = frame / 4
    frames = math.ceil(duration * fps - 1e-6)
    return any((k * frame + start + slack) % interval < frame for k in range(frames))


def first_thumb_index(start: float, interval: float, fps: float) -> int:
    """Number of the first thumbnail a chunk starting at ``start`` produces."""
    slack = 1 / fps / 4
    index = int((start + slack) // interval)
    return index if (start + slack) - index * interval < 1 / fps else index + 1


def poster_select(duration: float) -> str:
    """Scene changes plus a few evenly spread frames (for sources without cuts)."""
    sampled = max(1.0, duration * POSTER_SAMPLE_FPS)
    every = max(1, round(sampled / 6))
    return (
        f"fps={POSTER_SAMPLE_FPS},"
        f"select='gt(scene\\,{POSTER_SCENE_THRESHOLD})+not(mod(n\\,{every}))'"
    )


def filter_graph(req: EncodeRequest) -> str:
    branches = len(req.plan.rungs) + (1 if req.thumbs_dir else 0) + (1 if req.posters_dir else 0)
    labels = [f"s{i}" for i in range(branches)]
    graph = [
        f"[0:v:0]{normalize_filter(req.video, req.plan)},split={branches}"
        + "".join(f"[{label}]" for label in labels)
    ]
    for i, rung in enumerate(req.plan.rungs):
        graph.append(f"[s{i}]scale={rung.width}:{rung.height}:flags=lanczos,setsar=1[v{i}]")
    nxt = len(req.plan.rungs)
    if req.thumbs_dir:
        graph.append(
            f"[s{nxt}]{thumb_select(req.start, req.thumb_interval, req.plan.fps, req.frames)},"
            f"scale={req.thumb_width}:{req.thumb_height}:flags=bicubic,setsar=1[thumbs]"
        )
        nxt += 1
    if req.posters_dir and req.posters_log:
        span = req.duration if req.duration is not None else 60.0
        graph.append(
            f"[s{nxt}]{poster_select(span)},"
            f"scale='min({POSTER_MAX_WIDTH}\\,iw)':-2:flags=lanczos,setsar=1,blurdetect,"
            f"metadata=print:file='{escape_filter_path(req.posters_log)}'[posters]"
        )
    return ";".join(graph)


def video_encoder_args(
    rung: PlannedRung, encoder: str, preset: Preset, gop: int, threads: int | None = None
) -> list[str]:
    """Rate control and GOP structure for one rung on one encoder.

    ``preset`` is the ladder's; a rung's own preset wins. ``threads`` caps the encoder's
    threads (several encoders share the machine in one process)."""
    preset = rung.preset or preset
    tail = ["-threads", str(threads)] if threads else []
    return video_rate_args(rung, encoder, preset, gop) + tail


def video_rate_args(rung: PlannedRung, encoder: str, preset: Preset, gop: int) -> list[str]:
    rate = [f"{rung.maxrate_kbps}k", f"{rung.bufsize_kbps}k"]
    force = ["-force_key_frames", f"expr:eq(mod(n,{gop}),0)"]
    if encoder == "libx264":
        quality = (
            ["-crf", f"{rung.crf:g}"] if rung.crf is not None else ["-b:v", f"{rung.bitrate_kbps}k"]
        )
        tune = ["-tune", rung.tune] if rung.tune else []
        x264 = rung.x264.params() if rung.x264 else []
        return [
            "-c:v", "libx264", "-preset", preset.value, *tune, "-profile:v", rung.profile,
            *quality, "-maxrate", rate[0], "-bufsize", rate[1],
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-x264-params", ":".join(["open-gop=0", *x264]), *force,
        ]  # fmt: skip
    if encoder == "libx265":
        quality = (
            ["-crf", f"{rung.crf:g}"] if rung.crf is not None else ["-b:v", f"{rung.bitrate_kbps}k"]
        )
        params = (
            f"keyint={gop}:min-keyint={gop}:scenecut=0:open-gop=0:"
            f"vbv-maxrate={rung.maxrate_kbps}:vbv-bufsize={rung.bufsize_kbps}:log-level=error"
        )
        return [
            "-c:v", "libx265", "-preset", preset.value, "-profile:v", rung.profile,
            *quality, "-x265-params", params, "-tag:v", "hvc1", *force,
        ]  # fmt: skip
    if encoder == "libsvtav1":
        quality = (
            ["-crf", str(round(rung.crf))]
            if rung.crf is not None
            else ["-b:v", f"{rung.bitrate_kbps}k"]
        )
        return [
            "-c:v", "libsvtav1", "-preset", _SVT_PRESET[preset], *quality,
            "-g", str(gop), "-svtav1-params", "scd=0", *force,
        ]  # fmt: skip
    if encoder.endswith("_nvenc"):
        quality = (
            ["-rc", "vbr", "-cq", f"{rung.crf:g}", "-b:v", "0"]
            if rung.crf is not None
            else ["-rc", "vbr", "-b:v", f"{rung.bitrate_kbps}k"]
        )
        extra = ["-profile:v", rung.profile] if encoder != "av1_nvenc" else []
        tag = ["-tag:v", "hvc1"] if encoder == "hevc_nvenc" else []
        return [
            "-c:v", encoder, "-preset", _NVENC_PRESET[preset], "-tune", "hq", *quality,
            "-maxrate", rate[0], "-bufsize", rate[1], *extra,
            "-g", str(gop), "-forced-idr", "1", "-no-scenecut", "1", "-spatial-aq", "1",
            *tag, *force,
        ]  # fmt: skip
    raise ValueError(f"no argument rules for encoder {encoder!r}")


def fmp4_output(directory: Path, piece_seconds: float) -> list[str]:
    """The hls muxer as a CMAF fMP4 writer: init.mp4 + numbered pieces + its own list.

    ``temp_file`` makes every piece and the list appear atomically, so a piece named in
    ``ff.m3u8`` is complete. Negative composition offsets keep the first frame's
    presentation time equal to its decode time (no B-frame delay to edit out).
    """
    return [
        "-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", seconds(piece_seconds),
        "-hls_list_size", "0", "-hls_playlist_type", "vod", "-hls_flags", "temp_file",
        "-hls_segment_options", "movflags=+negative_cts_offsets",
        "-hls_fmp4_init_filename", "init.mp4",
        "-hls_segment_filename", str(directory / "piece_%05d.m4s"),
        str(directory / "ff.m3u8"),
    ]  # fmt: skip


def encode_args(req: EncodeRequest) -> list[str]:
    args = [str(req.ffmpeg), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += ["-progress", "pipe:1", "-nostats"]
    if req.start > 0:
        # Half a frame early so the frame exactly on the boundary is not lost to rounding.
        args += ["-ss", seconds(max(0.0, req.start - 0.5 / req.plan.fps))]
    if req.duration is not None:
        args += ["-t", seconds(req.duration + 1.0 / req.plan.fps)]
    args += [*req.source_options, "-i", req.source]
    if req.full_input:
        args += [*req.source_options, "-i", req.source]
    args += ["-filter_complex", filter_graph(req)]
    for i, (rung, directory) in enumerate(zip(req.plan.rungs, req.rung_dirs, strict=True)):
        args += ["-map", f"[v{i}]", "-fps_mode", "passthrough"]
        if req.frames is not None:
            args += ["-frames:v", str(req.frames)]
        encoder = req.encoders[rung.codec]
        args += video_encoder_args(rung, encoder, req.preset, req.plan.gop_frames, req.threads)
        args += fmp4_output(directory, PIECE_CUT_SECONDS)
    if req.thumbs_dir:
        first = first_thumb_index(req.start, req.thumb_interval, req.plan.fps)
        args += ["-map", "[thumbs]", "-fps_mode", "passthrough", "-q:v", str(THUMB_QUALITY)]
        args += ["-f", "image2", "-start_number", str(first), str(req.thumbs_dir / "t_%06d.jpg")]
    if req.posters_dir and req.posters_log:
        args += ["-map", "[posters]", "-fps_mode", "passthrough", "-q:v", str(POSTER_QUALITY)]
        args += ["-frames:v", str(POSTER_MAX_FRAMES)]
        args += ["-f", "image2", "-start_number", "0", str(req.posters_dir / "p_%04d.jpg")]
    for audio in req.audio:
        args += ["-map", f"{audio.input_index}:a:{audio.stream}", "-c:a", "aac"]
        args += ["-b:a", f"{req.audio_bitrate_kbps}k", "-ac", str(req.audio_channels)]
        args += ["-ar", str(req.audio_sample_rate)]
        args += fmp4_output(audio.directory, req.plan.segment_seconds)
    for sub in req.subtitles:
        args += ["-map", f"{sub.input_index}:s:{sub.stream}", "-c:s", "webvtt"]
        args += ["-f", "webvtt", str(sub.path)]
    return args


def sprite_args(
    ffmpeg: Path, thumbs: Path, first: int, columns: int, rows: int, out_pattern: Path
) -> list[str]:
    """Tile numbered thumbnails into sprite sheets (the last sheet may be partial)."""
    return [
        str(ffmpeg), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-f", "image2", "-framerate", "1", "-start_number", str(first),
        "-i", str(thumbs / "t_%06d.jpg"),
        "-vf", f"tile={columns}x{rows}", "-fps_mode", "passthrough",
        "-q:v", str(THUMB_QUALITY), "-start_number", "1", "-f", "image2", str(out_pattern),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class QualityRequest:
    ffmpeg: Path
    source: str
    video: VideoInfo
    plan: LadderPlan
    playlists: list[Path]  # one local media playlist per rung, in plan order
    stats_dir: Path
    start: float = 0.0
    duration: float | None = None
    every: int = 1  # compare one frame in ``every``
    every_seconds: int = 1  # sampled: one second in about every ``every_seconds``
    vmaf: bool = False
    source_options: tuple[str, ...] = ()
    # Sampled by windows: the first frame and frame count of each compared window in
    # the chunk (``windows``) and in each rung's input (``rung_windows``), which then
    # holds only the GOPs those windows need (the source is decoded whole).
    windows: tuple[tuple[int, int], ...] = ()
    rung_windows: tuple[tuple[tuple[int, int], ...], ...] = ()


def quality_windows(
    fragment_starts: list[int], frames: int, every_frames: int, span: int
) -> list[tuple[int, int]]:
    """(first frame, frames) of each window a sampled quality pass compares: from the
    first fragment (a GOP, starting on a keyframe) at or after each multiple of
    ``every_frames``, ``span`` frames (fewer at the end)."""
    out: list[tuple[int, int]] = []
    mark = 0
    for first in fragment_starts:
        if first < mark or first >= frames:
            continue
        out.append((first, min(span, frames - first)))
        mark = (first // every_frames + 1) * every_frames
    return out


def frames_select(windows: tuple[tuple[int, int], ...], frame_rate: str) -> str:
    """Keep the frames of ``windows`` (by decoded frame number), then number them
    afresh at ``frame_rate``: both sides of the pass then line up frame by frame."""
    spans = "+".join(f"between(n\\,{a}\\,{a + k - 1})" for a, k in windows)
    return f"select='{spans}',setpts=N/(({frame_rate})*TB),"


def quality_sample(every: int, every_seconds: int) -> str:
    """The ``select`` both sides of the quality pass go through ("" for every frame):
    one frame in ``every``, within the first second of every ``every_seconds``."""
    terms = []
    if every > 1:
        terms.append(f"not(mod(n\\,{every}))")
    if every_seconds > 1:
        terms.append(f"lt(mod(t\\,{every_seconds})\\,1)")
    return f"select='{'*'.join(terms)}'," if terms else ""


def quality_args(req: QualityRequest) -> list[str]:
    """Each rung decoded, scaled back to the source's size, against the source.

    The source goes through the same normalization as the encode (frame rate, 8-bit,
    tone mapping) so only scaling and compression losses are measured. Both sides are
    re-timed from zero and sampled on the same frame numbers.
    """
    n = len(req.plan.rungs)
    w, h = (
        req.plan.source_width - req.plan.source_width % 2,
        req.plan.source_height - req.plan.source_height % 2,
    )
    sample = quality_sample(req.every, 1 if req.windows else req.every_seconds)
    source_cut = frames_select(req.windows, req.plan.frame_rate) if req.windows else ""

    def rung_cut(i: int) -> str:
        if req.windows:
            return frames_select(req.rung_windows[i], req.plan.frame_rate)
        return "setpts=PTS-STARTPTS,"

    ways = 3 if req.vmaf else 2
    graph = [
        f"[0:v:0]{normalize_filter(req.video, req.plan)},scale={w}:{h}:flags=bicubic,"
        f"setpts=PTS-STARTPTS,{source_cut}{sample}split={n * ways}"
        + "".join(f"[r{i}]" for i in range(n * ways))
    ]
    for i in range(n):
        graph.append(
            f"[{i + 1}:v:0]{rung_cut(i)}{sample}scale={w}:{h}:flags=bicubic,"
            f"format=yuv420p,split={ways}" + "".join(f"[d{i}_{k}]" for k in range(ways))
        )
        psnr = escape_filter_path(req.stats_dir / f"psnr_{i}.log")
        ssim = escape_filter_path(req.stats_dir / f"ssim_{i}.log")
        graph.append(f"[d{i}_0][r{i * ways}]psnr=stats_file='{psnr}':shortest=1[qp{i}]")
        graph.append(f"[d{i}_1][r{i * ways + 1}]ssim=stats_file='{ssim}':shortest=1[qs{i}]")
        if req.vmaf:
            log = escape_filter_path(req.stats_dir / f"vmaf_{i}.json")
            graph.append(
                f"[d{i}_2][r{i * ways + 2}]libvmaf=log_path='{log}':log_fmt=json:"
                f"n_threads=2:shortest=1[qv{i}]"
            )
    args = [str(req.ffmpeg), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    args += ["-progress", "pipe:1", "-nostats"]
    if req.start > 0:
        args += ["-ss", seconds(max(0.0, req.start - 0.5 / req.plan.fps))]
    if req.duration is not None:
        args += ["-t", seconds(req.duration)]
    args += [*req.source_options, "-i", req.source]
    for playlist in req.playlists:
        args += ["-i", str(playlist)]
    args += ["-filter_complex", ";".join(graph)]
    for i in range(n):
        for kind in ("qp", "qs", "qv")[:ways]:
            args += ["-map", f"[{kind}{i}]", "-f", "null", "-"]
    return args
