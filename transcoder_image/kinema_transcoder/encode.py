"""Encoding one chunk: ONE ffmpeg run over every rung, then its checks and extras.

One ffmpeg process decodes the chunk's slice of the source once and writes every rung
to encode, thumbnails and poster candidates (and, in chunk 0, the audio and embedded
subtitles); while it runs, Segmenters turn finished fragments into segments and the
Sink uploads them. Then the segments are verified (a keyframe at every segment start,
identical timelines across rungs, nothing truncated) and the extras are made from what
ffmpeg left in the work folder (``extras.py``).

What to encode comes in as one :class:`ChunkOptions`, decided by ``pipeline.py`` from
the probe, the plan, ``--chunk`` and ``--reuse``; what was made goes back as an
:class:`EncodedChunk`, which the pipeline folds into the chunk's report.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from kinema import ffmpeg
from kinema.ladder import LadderPlan
from kinema.media import ProbeSummary
from kinema.resources.ladder import Codec, LadderSpec
from kinema_transcoder import args as ffargs
from kinema_transcoder.errors import EncodeFailed, OutputFailed, UnsupportedSource
from kinema_transcoder.extras import build_sheets, build_subtitles, measure_quality, pick_posters
from kinema_transcoder.failures import classify_ffmpeg
from kinema_transcoder.progress import Reporter, ffmpeg_fraction, ffmpeg_number
from kinema_transcoder.renditions import language_tag
from kinema_transcoder.report import (
    AudioTrackRecord,
    PosterCandidate,
    QualitySums,
    RenditionRecord,
    SegmentRecord,
    SubtitleRecord,
    TrickplayRecord,
)
from kinema_transcoder.resubtitle import unique_name
from kinema_transcoder.segmenter import Segmenter
from kinema_transcoder.sink import Sink

# A source whose decodable video ends this much short of its stated duration is corrupt.
TRUNCATION_TOLERANCE = 0.9


@dataclass(frozen=True, slots=True, kw_only=True)
class ChunkOptions:
    """What one chunk encodes and where its slice of the timeline lies."""

    source: str  # the source as the user named it: what messages say
    source_input: str  # what ffmpeg reads (a local path or a presigned URL)
    # ffmpeg options before ``-i source_input`` (see ``sources.Source.input_options``).
    source_options: tuple[str, ...] = ()
    outdir: str
    probe: ProbeSummary
    plan: LadderPlan  # only the rungs to encode: copied ones are left out
    ladder: LadderSpec
    encoders: Mapping[str, str]  # codec -> encoder
    index: int
    count: int
    start: Fraction  # seconds: the chunk's first frame, a multiple of the segment length
    length: float  # seconds
    frames: int | None  # the chunk's exact frame count; None for the last (to the end)
    first_segment: int
    seg_frames: int
    gops_per_segment: int
    audio: bool = True  # False when --reuse copies the audio
    quality: bool = True
    vmaf: bool = False
    quality_every_seconds: int = 1
    threads: int | None = None  # per video encoder
    sidecars: Sequence[tuple[str, str]] = ()  # (language, path or URL)
    subtitle_labels: Mapping[str, str] = field(default_factory=dict)  # language -> label


@dataclass(frozen=True, slots=True)
class EncodedChunk:
    """What a chunk's encode made: the ``ChunkReport`` fields it fills in."""

    frames: int
    video: list[RenditionRecord]
    audio: list[AudioTrackRecord]
    subtitles: list[SubtitleRecord]
    trickplay: TrickplayRecord | None
    posters: list[PosterCandidate]
    quality: dict[str, QualitySums]
    stages: dict[str, float] = field(default_factory=dict)  # wall seconds by stage


def encode_chunk(opts: ChunkOptions, *, sink: Sink, work: Path, reporter: Reporter) -> EncodedChunk:
    """Encode ``opts.plan.rungs`` (the rungs not copied), thumbnails, posters and, in
    chunk 0, the audio (unless copied) and embedded subtitles."""
    probe, plan, ladder = opts.probe, opts.plan, opts.ladder
    index, start, length, frames = opts.index, opts.start, opts.length, opts.frames
    video = probe.video
    assert video is not None  # noqa: S101 - checked by the caller
    chunked = opts.count > 1
    audio_names: set[str] = set()
    audio_outs: list[tuple[ffargs.AudioOut, str]] = []
    subtitle_outs: list[ffargs.SubtitleOut] = []
    if index == 0:
        for k, track in enumerate(probe.audio if opts.audio else []):
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
        source=opts.source_input,
        source_options=opts.source_options,
        plan=plan,
        video=video,
        preset=ladder.preset,
        encoders={Codec(c): e for c, e in opts.encoders.items()},
        rung_dirs=rung_dirs,
        start=float(start),
        duration=length,
        frames=frames,
        audio=[a for a, _ in audio_outs],
        subtitles=subtitle_outs,
        audio_bitrate_kbps=ladder.audio.bitrate_kbps,
        audio_channels=ladder.audio.channels,
        audio_sample_rate=ladder.audio.sample_rate,
        thumbs_dir=(
            thumbs
            if ffargs.selects_thumbnail(float(start), length, trick.interval_seconds, plan.fps)
            else None
        ),
        thumb_interval=trick.interval_seconds,
        thumb_width=trick.tile_width,
        thumb_height=thumb_h,
        posters_dir=posters,
        posters_log=work / "posters.log",
        full_input=chunked and index == 0 and bool(audio_outs or subtitle_outs),
        threads=opts.threads,
    )
    segmenters = [
        Segmenter(
            name=rung.name,
            work_dir=folder,
            out_dir=sink.path(f"video/{rung.name}"),
            segment_frames=opts.seg_frames,
            first_number=opts.first_segment + 1,
            shift_start=(start.numerator, start.denominator),
            sequence_offset=opts.first_segment * opts.gops_per_segment,
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
    reporter.begin("encode", chunk=index, chunks=opts.count)

    def on_progress(block: dict[str, str]) -> None:
        for seg in (*segmenters, *audio_segmenters):
            seg.poll()
        reporter.update(
            ffmpeg_fraction(block, length),
            fps=ffmpeg_number(block, "fps"),
            speed=ffmpeg_number(block, "speed"),
        )

    t0 = time.monotonic()
    try:
        ffmpeg.run(ffargs.encode_args(request), on_progress=on_progress, what="ffmpeg")
    except ffmpeg.FfmpegFailed as exc:
        raise classify_ffmpeg(exc, opts.source, opts.outdir) from exc
    try:
        records = [s.finish() for s in segmenters]
        audio_records = [s.finish() for s in audio_segmenters]
    except OSError as exc:
        raise OutputFailed(f"cannot write segments to {opts.outdir}: {exc}") from exc
    t1 = time.monotonic()
    verify_chunk(records, frames, length, float(Fraction(plan.frame_rate)), opts.source)
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
    sheets = build_sheets(sink, thumbs, index=index, trick=trick, tile_height=thumb_h)
    poster_list = pick_posters(sink, posters, work / "posters.log", float(start), length)
    subtitles = (
        build_subtitles(
            sink, probe, subtitle_outs, sidecars=opts.sidecars, labels=opts.subtitle_labels
        )
        if index == 0
        else []
    )
    t2 = time.monotonic()
    sums: dict[str, QualitySums] = {}
    if opts.quality and records:
        reporter.begin("quality")
        sums = measure_quality(
            sink,
            work,
            source_input=opts.source_input,
            source_options=opts.source_options,
            probe=probe,
            plan=plan,
            segmenters=segmenters,
            records=records,
            start=float(start),
            length=length,
            vmaf=opts.vmaf,
            reporter=reporter,
            every_seconds=opts.quality_every_seconds,
        )
    return EncodedChunk(
        frames=sum(_samples(s) for s in records[0].segments) if records else frames or 0,
        video=records,
        audio=tracks,
        subtitles=subtitles,
        trickplay=sheets,
        posters=poster_list,
        quality=sums,
        stages={
            "encode": round(t1 - t0, 3),
            "extras": round(t2 - t1, 3),
            "quality": round(time.monotonic() - t2, 3),
        },
    )


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
