"""What a chunk makes besides its segments: sprite sheets, posters, subtitles, quality.

Each starts from what the chunk's one ffmpeg run left in the work folder (thumbnails,
poster candidates and their frame metadata, extracted WebVTT, the segments) and
publishes through the :class:`Sink`:

- sprite sheets: the thumbnails tiled into ``trickplay/sheet_<chunk>_<n>.jpg``;
- posters: the sharpest, most distinct candidates of the chunk, kept under ``posters/``;
- subtitles: embedded text tracks and ``--subtitle`` sidecars, converted to WebVTT
  with the same :class:`TrackWriter` ``kinema subtitles`` uses;
- the quality pass: PSNR/SSIM (and VMAF) of every rung against the normalised
  source, kept as sums so packaging can combine chunks exactly.

Apart from ``encode.py`` because none of them touches the encode itself: each could be
dropped or redone without changing a segment.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from kinema import ffmpeg
from kinema.ladder import LadderPlan
from kinema.media import ProbeSummary
from kinema.resources.ladder import Trickplay
from kinema_transcoder import args as ffargs
from kinema_transcoder import mp4, quality, trickplay
from kinema_transcoder.errors import BadArguments, EncodeFailed
from kinema_transcoder.failures import classify_ffmpeg
from kinema_transcoder.progress import Reporter, ffmpeg_fraction
from kinema_transcoder.report import (
    FragmentRecord,
    PosterCandidate,
    QualitySums,
    RenditionRecord,
    SegmentRecord,
    SheetRecord,
    SubtitleRecord,
    TrickplayRecord,
)
from kinema_transcoder.resubtitle import TrackWriter
from kinema_transcoder.segmenter import Segmenter
from kinema_transcoder.sink import Sink
from kinema_transcoder.sources import read_text
from kinema_transcoder.subtitles import SubtitleError

POSTERS_PER_CHUNK = 3
QUALITY_SAMPLES_PER_S = 5


def build_sheets(
    sink: Sink, thumbs: Path, *, index: int, trick: Trickplay, tile_height: int
) -> TrickplayRecord | None:
    """Tile the chunk's thumbnails into numbered sprite sheets; None when there are none."""
    columns, rows = trick.columns, trick.rows
    files = sorted(thumbs.glob("t_*.jpg"))
    if not files:
        return None
    first = int(files[0].stem.split("_")[1])
    out_dir = sink.path("trickplay")
    out_dir.mkdir(parents=True, exist_ok=True)
    pattern = out_dir / f"sheet_{index:03d}_%03d.jpg"
    try:
        ffmpeg.run(
            ffargs.sprite_args(ffmpeg.ffmpeg_path(), thumbs, first, columns, rows, pattern),
            what="ffmpeg (sprites)",
        )
    except ffmpeg.FfmpegFailed as exc:
        raise classify_ffmpeg(exc, "thumbnails", sink.outdir) from exc
    per_sheet = columns * rows
    sheets: list[SheetRecord] = []
    for n in range((len(files) + per_sheet - 1) // per_sheet):
        path = out_dir / f"sheet_{index:03d}_{n + 1:03d}.jpg"
        if not path.exists():
            raise EncodeFailed(f"sprite sheet {path.name} was not written")
        sink.publish(path)
        sheets.append(
            SheetRecord(
                uri=f"trickplay/{path.name}",
                first=first + n * per_sheet,
                count=min(per_sheet, len(files) - n * per_sheet),
            )
        )
    return TrickplayRecord(
        interval=trick.interval_seconds,
        tile_width=trick.tile_width,
        tile_height=tile_height,
        columns=columns,
        rows=rows,
        sheets=sheets,
    )


def pick_posters(
    sink: Sink, folder: Path, log: Path, start: float, length: float
) -> list[PosterCandidate]:
    files = sorted(folder.glob("p_*.jpg"))
    try:
        meta = trickplay.parse_frame_metadata(log.read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        meta = []
    candidates: list[tuple[PosterCandidate, Path]] = []
    for path, frame in zip(files, meta, strict=False):
        moment = start + frame.get("time", 0.0)
        cand = PosterCandidate(
            uri=f"posters/poster_{round(moment * 1000):09d}.jpg",
            time=round(moment, 3),
            blur=round(frame.get("blur", 99.0), 4),
            scene=round(frame.get("scene_score", 0.0), 4),
        )
        candidates.append((cand, path))
    chosen = trickplay.choose_posters(
        [c for c, _ in candidates], POSTERS_PER_CHUNK, max(1.0, length / 8)
    )
    by_uri = {c.uri: p for c, p in candidates}
    for cand in chosen:
        target = sink.path(cand.uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(by_uri[cand.uri], target)
        sink.publish(target)
    return chosen


def build_subtitles(
    sink: Sink,
    probe: ProbeSummary,
    outs: list[ffargs.SubtitleOut],
    *,
    sidecars: Sequence[tuple[str, str]],
    labels: Mapping[str, str],
    taken: set[str] | None = None,
) -> list[SubtitleRecord]:
    """WebVTT tracks from the extracted embedded ones (``outs``) and the sidecar files."""
    writer = TrackWriter(sink, taken)
    records: list[SubtitleRecord] = []

    def add(language: str, text: str, origin: str, label: str | None) -> None:
        records.append(writer.add(language, text, origin, label))

    for out in outs:
        info = probe.subtitles[out.stream]
        if not out.path.exists():
            continue
        try:
            add(
                info.language or "und",
                out.path.read_text("utf-8", "replace"),
                f"embedded:{info.index}",
                info.title,
            )
        except SubtitleError:
            continue  # an empty embedded track is not an error
    for language, path in sidecars:
        try:
            add(language, read_text(path), path, labels.get(language))
        except SubtitleError as exc:
            raise BadArguments(f"--subtitle {language}={path}: {exc}") from exc
    return records


def measure_quality(
    sink: Sink,
    work: Path,
    *,
    source_input: str,
    source_options: tuple[str, ...] = (),
    probe: ProbeSummary,
    plan: LadderPlan,
    segmenters: list[Segmenter],
    records: list[RenditionRecord],
    start: float,
    length: float,
    vmaf: bool,
    reporter: Reporter,
    every_seconds: int = 1,
) -> dict[str, QualitySums]:
    """Each rung's PSNR/SSIM[/VMAF] sums over this chunk, by rung name."""
    video = probe.video
    assert video is not None  # noqa: S101 - checked at planning
    qdir = work / "quality"
    qdir.mkdir(exist_ok=True)
    every = max(1, round(plan.fps / QUALITY_SAMPLES_PER_S))
    windows = _windows(plan, records, every_seconds) if every_seconds > 1 else []
    placed: list[tuple[tuple[int, int], ...]] = []
    if windows:
        playlists = []
        for seg, record in zip(segmenters, records, strict=True):
            path, where = _window_file(sink, qdir, seg, record, windows)
            playlists.append(path)
            placed.append(where)
        compared = sum(count for _, count in windows) / plan.fps
    else:
        playlists = [
            _rung_playlist(sink, qdir, seg, record)
            for seg, record in zip(segmenters, records, strict=True)
        ]
        compared = length
    request = ffargs.QualityRequest(
        ffmpeg=ffmpeg.ffmpeg_path(), source=source_input, video=video, plan=plan,
        playlists=playlists, stats_dir=qdir, start=start, duration=length,
        every=1 if vmaf else every, every_seconds=every_seconds, vmaf=vmaf,
        source_options=source_options, windows=tuple(windows), rung_windows=tuple(placed),
    )  # fmt: skip
    try:
        ffmpeg.run(
            ffargs.quality_args(request),
            on_progress=lambda b: reporter.update(ffmpeg_fraction(b, compared)),
            what="ffmpeg (quality)",
        )
    except ffmpeg.FfmpegFailed as exc:
        raise classify_ffmpeg(exc, "quality measurement", sink.outdir) from exc
    sums: dict[str, QualitySums] = {}
    for i, record in enumerate(records):
        vmaf_log = qdir / f"vmaf_{i}.json"
        sums[record.name] = quality.sums_from_logs(
            (qdir / f"psnr_{i}.log").read_text(encoding="utf-8"),
            (qdir / f"ssim_{i}.log").read_text(encoding="utf-8"),
            vmaf_log.read_text(encoding="utf-8") if vmaf and vmaf_log.exists() else None,
        )
    return sums


def _rung_playlist(sink: Sink, qdir: Path, seg: Segmenter, record: RenditionRecord) -> Path:
    """A local media playlist of one rung's segments in this chunk."""
    init = qdir / f"{record.name}_init.mp4"
    init.write_bytes(seg.init_data)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-TARGETDURATION:60",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    lines.append(f'#EXT-X-MAP:URI="{init}"')
    for s in record.segments:
        lines += [
            f"#EXTINF:{s.duration / record.timescale:.6f},",
            str(sink.path(f"video/{record.name}/{s.uri}")),
        ]
    lines.append("#EXT-X-ENDLIST")
    playlist = qdir / f"{record.name}.m3u8"
    playlist.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return playlist


def _fragments(record: RenditionRecord) -> list[tuple[int, SegmentRecord, FragmentRecord]]:
    """(first frame within the chunk, segment, fragment) of every fragment of a rung."""
    out = []
    frame = 0
    for segment in record.segments:
        for fragment in segment.fragments:
            out.append((frame, segment, fragment))
            frame += fragment.samples
    return out


def _windows(
    plan: LadderPlan, records: list[RenditionRecord], every_seconds: int
) -> list[tuple[int, int]]:
    """The sampled pass's windows, from the rungs' shared keyframe fragments; none (so
    every frame is decoded) if the rungs' fragments do not line up."""
    layouts = [[(first, f.samples, f.sync) for first, _, f in _fragments(r)] for r in records]
    if not layouts or not layouts[0] or any(layout != layouts[0] for layout in layouts):
        return []
    starts = [first for first, _, sync in layouts[0] if sync]
    frames = sum(samples for _, samples, _ in layouts[0])
    every_frames = max(plan.gop_frames, round(every_seconds * plan.fps))
    return ffargs.quality_windows(starts, frames, every_frames, max(1, round(plan.fps)))


def _window_file(
    sink: Sink,
    qdir: Path,
    seg: Segmenter,
    record: RenditionRecord,
    windows: list[tuple[int, int]],
) -> tuple[Path, tuple[tuple[int, int], ...]]:
    """One rung's compared windows as one small fMP4 file: its init segment and, for
    each window, its fragments from the keyframe before it, the last one cut after
    the window's last frame (:func:`mp4.keep_for_display`); timestamps jump between
    windows. Returns the file and where each window's frames are in its decode."""
    fragments = _fragments(record)
    path = qdir / f"{record.name}_windows.mp4"
    placed: list[tuple[int, int]] = []
    decoded = 0  # frames the decoder gives before the current window
    with path.open("wb") as out:
        out.write(seg.init_data)
        for first, count in windows:
            needed = [
                (start, segment, fragment)
                for start, segment, fragment in fragments
                if start < first + count and start + fragment.samples > first
            ]
            placed.append((decoded + first - needed[0][0], count))
            for start, segment, fragment in needed:
                with sink.path(f"video/{record.name}/{segment.uri}").open("rb") as f:
                    f.seek(fragment.offset)
                    data = f.read(fragment.size)
                data, kept = mp4.keep_for_display(data, first + count - start)
                out.write(data)
                decoded += kept
    return path, tuple(placed)
