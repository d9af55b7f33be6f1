"""``kinema transcode``: probe, plan, encode one chunk (or all of it), measure, package.

The flow for one chunk (an unchunked run is chunk 0 of 1 followed by packaging in the
same process)::

    open_source -> probe -> plan_ladder -> choose_encoders
      -> ONE ffmpeg (all rungs + thumbnails + poster candidates [+ audio + subtitles])
         while it runs: Segmenters turn finished pieces into segments -> Sink uploads
      -> verify (keyframes, aligned timelines, nothing truncated)
      -> sprite sheets, posters, subtitles -> quality pass (PSNR/SSIM[/VMAF])
      -> chunk report (chunks/<i>/chunk.json) or packaging (manifests, kinema.json)

Chunk ``I/N`` covers whole segments of the timeline: it starts on a frame that is a
multiple of the segment length in frames, encodes exactly its frames, and moves its
segments to their true decode time, so stitched output equals a one-chunk run. Audio,
embedded subtitles and sidecars are encoded once, by chunk 0.
"""

from __future__ import annotations

import re
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from kinema import ffmpeg
from kinema.errors import KinemaError
from kinema.ladder import (
    Codec,
    EncoderPreference,
    LadderError,
    LadderPlan,
    LadderSpec,
    SourceRejected,
    load_ladder,
    plan_chunks,
    plan_ladder,
    segment_count,
)
from kinema.media import ProbeSummary, summarize_probe
from kinema_transcoder import args as ffargs
from kinema_transcoder import packaging, quality, trickplay
from kinema_transcoder.encoders import choose_encoders
from kinema_transcoder.errors import (
    BadArguments,
    EncodeFailed,
    OutputFailed,
    SourceUnreachable,
    TranscodeError,
    UnsupportedSource,
)
from kinema_transcoder.manifests import language_tag
from kinema_transcoder.progress import Reporter, ffmpeg_fraction, ffmpeg_number
from kinema_transcoder.report import (
    AudioTrackRecord,
    ChunkReport,
    EncoderChoice,
    OutputRecords,
    PosterCandidate,
    QualitySums,
    RenditionRecord,
    ReuseRecord,
    SegmentRecord,
    SheetRecord,
    SubtitleRecord,
    TranscodeReport,
    TrickplayRecord,
    embedded,
)
from kinema_transcoder.resubtitle import TrackWriter, unique_name
from kinema_transcoder.reuse import load_previous, plan_reuse
from kinema_transcoder.segmenter import Segmenter
from kinema_transcoder.sink import Sink
from kinema_transcoder.sources import open_source, read_text
from kinema_transcoder.subtitles import SubtitleError

POSTERS_PER_CHUNK = 3
QUALITY_SAMPLES_PER_S = 5
# A source whose decodable video ends this much short of its stated duration is corrupt.
TRUNCATION_TOLERANCE = 0.9


@dataclass
class Job:
    source: str
    outdir: str
    ladder: str | Path = "default"
    encoder: EncoderPreference | None = None
    subtitles: list[tuple[str, str]] = field(default_factory=list)
    subtitle_labels: dict[str, str] = field(default_factory=dict)  # language -> label
    chunk: tuple[int, int] | None = None
    quality: bool = True
    vmaf: bool = False
    reuse: str | None = None  # a previous output whose unchanged parts are copied
    revision: int = 0


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# The query of a presigned URL carries its signature: it must never reach a message that
# ends up in kinema.json, a pod's termination message, a condition or an Event.
_SIGNED_QUERY = re.compile(r"\?[^\s'\":]*Signature=[^\s'\":&]*(&[^\s'\":]*)?")


def redact_signed_urls(text: str) -> str:
    return _SIGNED_QUERY.sub("?<signed>", text)


def classify_ffmpeg(exc: ffmpeg.FfmpegFailed, source: str, outdir: str) -> TranscodeError:
    text = f"{exc}\n{exc.stderr_tail}"
    detail = redact_signed_urls(str(exc))
    if "No space left on device" in text:
        return OutputFailed(f"no space left on device while writing {outdir}")
    if any(m in text for m in ("Connection refused", "Server returned", "Failed to resolve")):
        return SourceUnreachable(f"cannot read source {source}: {detail}")
    unreadable = ("Invalid data found", "moov atom not found", "Decoder", "decoder", "corrupt")
    if any(m in text for m in unreadable):
        return UnsupportedSource(f"{source} cannot be decoded: {detail}")
    return EncodeFailed(f"encoding {source} failed: {detail}")


def probe_source(src: str, original: str) -> ProbeSummary:
    try:
        data = ffmpeg.probe(src)
    except ffmpeg.FfmpegFailed as exc:
        error = classify_ffmpeg(exc, original, "")
        if isinstance(error, EncodeFailed):
            error = UnsupportedSource(
                f"{original} is not a media file ffprobe can read: {redact_signed_urls(str(exc))}"
            )
        raise error from exc
    summary = summarize_probe(data)
    if summary.video is not None and summary.video.codec in ("unknown", "none"):
        raise UnsupportedSource(f"{original}: the video codec is not one ffmpeg can decode")
    return summary


def load_job_ladder(job: Job) -> LadderSpec:
    try:
        ladder = load_ladder(job.ladder)
    except LadderError as exc:
        raise BadArguments(str(exc)) from exc
    if job.encoder is not None:
        ladder = ladder.model_copy(update={"encoder": job.encoder})
    return ladder


def plan_for(probe: ProbeSummary, ladder: LadderSpec, source: str) -> LadderPlan:
    try:
        plan = plan_ladder(probe, ladder)
    except SourceRejected as exc:
        raise UnsupportedSource(f"{source}: {exc}") from exc
    if probe.duration <= 0:
        raise UnsupportedSource(f"{source}: the source has no duration (empty or corrupt)")
    return plan


def transcode(job: Job, reporter: Reporter) -> ChunkReport | TranscodeReport:
    """Run one transcode (or one chunk of it); raises TranscodeError after recording it."""
    wall0, cpu0 = time.monotonic(), cpu_seconds()
    index, count = job.chunk or (0, 1)
    if not 0 <= index < count:
        raise BadArguments(f"--chunk {index}/{count}: the index must be between 0 and {count - 1}")
    sink = Sink(job.outdir)
    try:
        if count == 1:
            packaging.invalidate(sink)
        chunk = encode_chunk(job, sink, index, count, reporter, wall0, cpu0)
        if count > 1:
            sink.write_bytes(packaging.chunk_key(index), chunk.to_json().encode())
            reporter.done("complete", chunk=index, chunks=count, wallS=chunk.wall_s)
            return chunk
        report = packaging.package_chunks(sink, [chunk], job.source, reporter)
        reporter.done(
            "complete", outdir=job.outdir, wallS=report.timing.wall_s if report.timing else None
        )
        return report
    except KinemaError as exc:
        error = exc if isinstance(exc, TranscodeError) else EncodeFailed(str(exc))
        packaging.record_failure(sink, job.source, error, cleanup=count == 1)
        reporter.error(error.code, str(error))
        if error is exc:
            raise
        raise error from exc
    except Exception as exc:
        error = TranscodeError(f"unexpected {type(exc).__name__} transcoding {job.source}: {exc}")
        packaging.record_failure(sink, job.source, error, cleanup=count == 1)
        reporter.error(error.code, str(error))
        raise error from exc
    finally:
        sink.close()


def consider_reuse(
    job: Job,
    probe: ProbeSummary,
    ladder: LadderSpec,
    plan: LadderPlan,
    encoders: EncoderChoice,
    reporter: Reporter,
) -> tuple[OutputRecords | None, ReuseRecord | None]:
    """The previous output's records and what of it this run copies (``--reuse``)."""
    if job.reuse is None:
        return None, None
    previous, why = load_previous(job.reuse)
    reuse = None
    if previous is not None:
        reuse, why = plan_reuse(
            previous, job.reuse, source=job.source, revision=job.revision, probe=probe,
            ladder=ladder, plan=plan, encoders=encoders,
        )  # fmt: skip
    if reuse is None:
        reporter.note(f"encoding every rung: {job.reuse} cannot be reused: {why}")
        return None, None
    encode = [r.name for r in plan.rungs if r.name not in reuse.rungs]
    reporter.note(
        f"copying {len(reuse.rungs)} rung(s) from {job.reuse}, encoding {len(encode)}",
        reused=reuse.rungs, encoded=encode, audioReused=reuse.audio,
    )  # fmt: skip
    return previous, reuse


def encode_chunk(
    job: Job, sink: Sink, index: int, count: int, reporter: Reporter, wall0: float, cpu0: float
) -> ChunkReport:
    reporter.begin("probe")
    source = open_source(job.source)
    probe = probe_source(source.input, job.source)
    ladder = load_job_ladder(job)
    plan = plan_for(probe, ladder, job.source)
    video = probe.video
    if video is None:  # pragma: no cover - plan_for rejected it
        raise UnsupportedSource(f"{job.source}: no video stream")
    fps = Fraction(plan.frame_rate)
    gops_per_segment = round(ladder.segment_seconds / ladder.gop_seconds)
    seg_frames = plan.gop_frames * gops_per_segment
    seg_seconds = float(seg_frames / fps)
    total_segments = segment_count(probe.duration, seg_seconds)
    span = plan_chunks(probe.duration, seg_seconds, count)[index]
    encoders = choose_encoders(ladder.encoder, {r.codec for r in plan.rungs})
    previous, reuse = consider_reuse(job, probe, ladder, plan, encoders, reporter)
    base = ChunkReport(
        index=index,
        count=count,
        start=0.0,
        end=0.0,
        frames=0,
        source=job.source,
        probe=probe,
        ladder=ladder,
        plan=plan,
        encoder=encoders,
        wall_s=0.0,
        cpu_s=0.0,
        revision=job.revision,
        reuse=reuse,
    )
    if span.segments == 0:
        return base.model_copy(update={"wall_s": time.monotonic() - wall0})
    start = Fraction(span.first_segment * seg_frames) / fps
    last = span.first_segment + span.segments >= total_segments
    frames = None if last else span.segments * seg_frames
    length = probe.duration - float(start) if last else float(frames or 0) / float(fps)
    timing = {"start": float(start), "end": float(start) + length}
    if previous is not None and reuse is not None and reuse.pictures:
        # Every part is copied at packaging: only the sidecar subtitles are made here.
        reporter.begin("encode", chunk=index, chunks=count)
        taken = {Path(s.uri).stem for s in embedded(previous.subtitles)}
        subtitles = build_subtitles(sink, job, probe, [], taken) if index == 0 else []
        sink.flush()
        return base.model_copy(
            update={
                **timing,
                "subtitles": subtitles,
                "wall_s": round(time.monotonic() - wall0, 3),
                "cpu_s": round(cpu_seconds() - cpu0, 3),
            }
        )
    copied = set(reuse.rungs) if reuse else set()
    todo = plan.model_copy(update={"rungs": [r for r in plan.rungs if r.name not in copied]})
    work = Path(tempfile.mkdtemp(prefix=".kinema-work-", dir=None if sink.remote else sink.root))
    try:
        result = _encode(
            job, sink, work, probe, todo, ladder, encoders.video, index, count,
            start, length, frames, span.first_segment, seg_frames, gops_per_segment,
            source.input, reporter, audio=reuse is None or not reuse.audio,
        )  # fmt: skip
        sink.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return base.model_copy(
        update={
            **result,
            **timing,
            "wall_s": round(time.monotonic() - wall0, 3),
            "cpu_s": round(cpu_seconds() - cpu0, 3),
        }
    )


def _encode(
    job: Job,
    sink: Sink,
    work: Path,
    probe: ProbeSummary,
    plan: LadderPlan,
    ladder: LadderSpec,
    encoders: dict[str, str],
    index: int,
    count: int,
    start: Fraction,
    length: float,
    frames: int | None,
    first_segment: int,
    seg_frames: int,
    gops_per_segment: int,
    source_input: str,
    reporter: Reporter,
    *,
    audio: bool = True,
) -> dict[str, Any]:
    """Encode ``plan.rungs`` (the rungs not copied), thumbnails, posters and, in chunk 0,
    the audio (unless copied) and embedded subtitles."""
    video = probe.video
    assert video is not None  # noqa: S101 - checked by the caller
    chunked = count > 1
    audio_names: set[str] = set()
    audio_outs: list[tuple[ffargs.AudioOut, str]] = []
    subtitle_outs: list[ffargs.SubtitleOut] = []
    if index == 0:
        for k, track in enumerate(probe.audio if audio else []):
            name = unique_name(language_tag(track.language), audio_names)
            out = ffargs.AudioOut(1 if chunked else 0, k, work / "a" / name)
            audio_outs.append((out, name))
        for k, sub in enumerate(probe.subtitles):
            if sub.text:
                subtitle_outs.append(
                    ffargs.SubtitleOut(1 if chunked else 0, k, work / "s" / f"{k}.vtt")
                )
    rung_dirs = [work / "v" / r.name for r in plan.rungs]
    thumbs = work / "thumbs"
    posters = work / "posters"
    for folder in [*rung_dirs, *(a.directory for a, _ in audio_outs), thumbs, posters, work / "s"]:
        folder.mkdir(parents=True, exist_ok=True)
    trick = ladder.trickplay
    thumb_h = max(2, 2 * round(trick.tile_width * plan.source_height / plan.source_width / 2))
    request = ffargs.EncodeRequest(
        ffmpeg=ffmpeg.ffmpeg_path(),
        source=source_input,
        plan=plan,
        video=video,
        preset=ladder.preset,
        encoders={Codec(c): e for c, e in encoders.items()},
        rung_dirs=rung_dirs,
        start=float(start),
        duration=length,
        frames=frames,
        audio=[a for a, _ in audio_outs],
        subtitles=subtitle_outs,
        audio_bitrate_kbps=ladder.audio.bitrate_kbps,
        audio_channels=ladder.audio.channels,
        audio_sample_rate=ladder.audio.sample_rate,
        thumbs_dir=thumbs,
        thumb_interval=trick.interval_seconds,
        thumb_width=trick.tile_width,
        thumb_height=thumb_h,
        posters_dir=posters,
        posters_log=work / "posters.log",
        full_input=chunked and index == 0 and bool(audio_outs or subtitle_outs),
    )
    segmenters = [
        Segmenter(
            name=rung.name,
            work_dir=folder,
            out_dir=sink.path(f"video/{rung.name}"),
            segment_frames=seg_frames,
            first_number=first_segment + 1,
            shift_start=(start.numerator, start.denominator),
            sequence_offset=first_segment * gops_per_segment,
            write_init=index == 0,
            on_file=sink.publish,
        )
        for rung, folder in zip(plan.rungs, rung_dirs, strict=True)
    ]
    audio_segmenters = [
        Segmenter(
            name=name,
            work_dir=out.directory,
            out_dir=sink.path(f"audio/{name}"),
            segment_frames=None,
            strip_edit_list=False,
            on_file=sink.publish,
        )
        for out, name in audio_outs
    ]
    reporter.begin("encode", chunk=index, chunks=count)

    def on_progress(block: dict[str, str]) -> None:
        for seg in (*segmenters, *audio_segmenters):
            seg.poll()
        reporter.update(
            ffmpeg_fraction(block, length),
            fps=ffmpeg_number(block, "fps"),
            speed=ffmpeg_number(block, "speed"),
        )

    try:
        ffmpeg.run(ffargs.encode_args(request), on_progress=on_progress, what="ffmpeg")
    except ffmpeg.FfmpegFailed as exc:
        raise classify_ffmpeg(exc, job.source, job.outdir) from exc
    try:
        records = [s.finish() for s in segmenters]
        audio_records = [s.finish() for s in audio_segmenters]
    except OSError as exc:
        raise OutputFailed(f"cannot write segments to {job.outdir}: {exc}") from exc
    verify_chunk(records, frames, length, float(Fraction(plan.frame_rate)), job.source)
    tracks = [
        AudioTrackRecord(
            rendition=rec,
            language=language_tag(probe.audio[out.stream].language),
            title=probe.audio[out.stream].title,
            default=k == 0,
            source_index=probe.audio[out.stream].index,
        )
        for k, ((out, _), rec) in enumerate(zip(audio_outs, audio_records, strict=True))
    ]
    sheets = build_sheets(
        sink,
        thumbs,
        index,
        trick.columns,
        trick.rows,
        trick.tile_width,
        thumb_h,
        trick.interval_seconds,
    )
    poster_list = pick_posters(sink, posters, work / "posters.log", float(start), length)
    subtitles = build_subtitles(sink, job, probe, subtitle_outs) if index == 0 else []
    sums: dict[str, QualitySums] = {}
    if job.quality and records:
        reporter.begin("quality")
        sums = measure_quality(
            sink,
            work,
            source_input,
            probe,
            plan,
            segmenters,
            records,
            float(start),
            length,
            job.vmaf,
            reporter,
        )
    return {
        "frames": sum(_samples(s) for s in records[0].segments) if records else frames or 0,
        "video": records,
        "audio": tracks,
        "subtitles": subtitles,
        "trickplay": sheets,
        "posters": poster_list,
        "quality": sums,
    }


def _samples(segment: SegmentRecord) -> int:
    return int(sum(f.samples for f in segment.fragments))


def verify_chunk(
    records: list[RenditionRecord], frames: int | None, length: float, fps: float, source: str
) -> None:
    """Keyframe at every segment start, identical timelines, nothing truncated."""
    reference: list[tuple[int, float, float]] | None = None
    for record in records:
        if not record.segments:
            raise UnsupportedSource(f"{source}: no video frame could be decoded")
        for seg in record.segments:
            if not seg.starts_with_keyframe:
                raise EncodeFailed(
                    f"{record.name} segment {seg.number} does not start with a keyframe"
                )
        timeline = record.timeline()
        if reference is None:
            reference = timeline
        elif timeline != reference:
            raise EncodeFailed(
                f"rendition {record.name}'s segment timeline differs from the others"
            )
        got = sum(_samples(s) for s in record.segments)
        if frames is not None and got != frames:
            raise UnsupportedSource(
                f"{source}: expected {frames} frames in this chunk but decoded {got} "
                "(a corrupt source?)"
            )
        if frames is None and got < (length * fps) * TRUNCATION_TOLERANCE - 2:
            raise UnsupportedSource(
                f"{source} is truncated or corrupt: decoded {got / fps:.2f} s of video, "
                f"the container says {length:.2f} s"
            )


def build_sheets(
    sink: Sink,
    thumbs: Path,
    index: int,
    columns: int,
    rows: int,
    width: int,
    height: int,
    interval: float,
) -> TrickplayRecord | None:
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
        interval=interval,
        tile_width=width,
        tile_height=height,
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
    job: Job,
    probe: ProbeSummary,
    outs: list[ffargs.SubtitleOut],
    taken: set[str] | None = None,
) -> list[SubtitleRecord]:
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
    for language, path in job.subtitles:
        try:
            add(language, read_text(path), path, job.subtitle_labels.get(language))
        except SubtitleError as exc:
            raise BadArguments(f"--subtitle {language}={path}: {exc}") from exc
    return records


def measure_quality(
    sink: Sink,
    work: Path,
    source_input: str,
    probe: ProbeSummary,
    plan: LadderPlan,
    segmenters: list[Segmenter],
    records: list[RenditionRecord],
    start: float,
    length: float,
    vmaf: bool,
    reporter: Reporter,
) -> dict[str, QualitySums]:
    video = probe.video
    assert video is not None  # noqa: S101 - checked at planning
    qdir = work / "quality"
    qdir.mkdir(exist_ok=True)
    playlists: list[Path] = []
    for seg, record in zip(segmenters, records, strict=True):
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
        playlists.append(playlist)
    every = max(1, round(plan.fps / QUALITY_SAMPLES_PER_S))
    request = ffargs.QualityRequest(
        ffmpeg=ffmpeg.ffmpeg_path(), source=source_input, video=video, plan=plan,
        playlists=playlists, stats_dir=qdir, start=start, duration=length,
        every=1 if vmaf else every, vmaf=vmaf,
    )  # fmt: skip
    try:
        ffmpeg.run(
            ffargs.quality_args(request),
            on_progress=lambda b: reporter.update(ffmpeg_fraction(b, length)),
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
