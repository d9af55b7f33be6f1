"""``kinema transcode``: probe, plan, encode one chunk (or all of it), measure, package.

The flow for one chunk (an unchunked run is chunk 0 of 1 followed by packaging in the
same process)::

    open_source -> probe -> plan_ladder -> choose_encoders [-> --reuse: what to copy]
      -> ONE ffmpeg (all rungs + thumbnails + poster candidates [+ audio + subtitles])
         while it runs: Segmenters turn finished pieces into segments -> Sink uploads
      -> verify (keyframes, aligned timelines, nothing truncated)
      -> sprite sheets, posters, subtitles -> quality pass (PSNR/SSIM[/VMAF])
      -> chunk report (chunks/<i>/chunk.json) or packaging (manifests, kinema.json)

This module decides: it probes, plans, places the chunk on the timeline and records
failures. The encode and its checks are ``encode.py`` (typed :class:`ChunkOptions` in,
:class:`EncodedChunk` out), what is made besides the segments is ``extras.py``, and
manifests and ``kinema.json`` are ``packaging.py``.

Chunk ``I/N`` covers whole segments of the timeline: it starts on a frame that is a
multiple of the segment length in frames, encodes exactly its frames, and moves its
segments to their true decode time, so stitched output equals a one-chunk run. Audio,
embedded subtitles and sidecars are encoded once, by chunk 0.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from kinema import ffmpeg
from kinema.errors import KinemaError
from kinema.ladder import LadderPlan, SourceRejected, plan_chunks, plan_ladder, segment_count
from kinema.media import ProbeSummary, summarize_probe
from kinema.pertitle import PerTitleDecision, apply_decision
from kinema.resources.ladder import (
    Codec,
    EncoderPreference,
    LadderError,
    LadderSpec,
    Strategy,
    load_ladder,
)
from kinema_transcoder import packaging, pertitle
from kinema_transcoder.encode import ChunkOptions, encode_chunk
from kinema_transcoder.encoders import choose_encoders
from kinema_transcoder.errors import (
    BadArguments,
    EncodeFailed,
    TranscodeError,
    UnsupportedSource,
)
from kinema_transcoder.extras import build_subtitles
from kinema_transcoder.failures import classify_ffmpeg, redact_signed_urls
from kinema_transcoder.progress import Reporter
from kinema_transcoder.report import (
    ChunkReport,
    EncoderChoice,
    OutputRecords,
    ReuseRecord,
    TranscodeReport,
    embedded,
)
from kinema_transcoder.reuse import load_previous, plan_reuse
from kinema_transcoder.sink import Sink
from kinema_transcoder.sources import open_source


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


def probe_source(src: str, original: str, input_options: Sequence[str] = ()) -> ProbeSummary:
    try:
        data = ffmpeg.probe(src, input_options=input_options)
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
        chunk = run_chunk(job, sink, index, count, reporter, wall0, cpu0)
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


def run_chunk(
    job: Job, sink: Sink, index: int, count: int, reporter: Reporter, wall0: float, cpu0: float
) -> ChunkReport:
    """Probe and plan, place chunk ``index`` of ``count`` on the timeline, encode what
    ``--reuse`` does not copy, and return the chunk's report."""
    reporter.begin("probe")
    source = open_source(job.source)
    probe = probe_source(source.input, job.source, source.input_options)
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
    decision, stages = None, {}
    if ladder.strategy == Strategy.PER_TITLE:
        t0 = time.monotonic()
        decision = per_title(job, sink, probe, ladder, plan, encoders, chunked=count > 1)
        plan = apply_decision(plan, decision)
        stages["perTitle"] = round(time.monotonic() - t0, 3)
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
        per_title=decision,
        stages=stages,
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
        subtitles = (
            build_subtitles(
                sink, probe, [], sidecars=job.subtitles, labels=job.subtitle_labels, taken=taken
            )
            if index == 0
            else []
        )
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
        options = ChunkOptions(
            source=job.source,
            source_input=source.input,
            source_options=source.input_options,
            outdir=job.outdir,
            probe=probe,
            plan=todo,
            ladder=ladder,
            encoders=encoders.video,
            index=index,
            count=count,
            start=start,
            length=length,
            frames=frames,
            first_segment=span.first_segment,
            seg_frames=seg_frames,
            gops_per_segment=gops_per_segment,
            audio=reuse is None or not reuse.audio,
            quality=job.quality,
            vmaf=job.vmaf or ladder.quality.vmaf or decision is not None,
            quality_every_seconds=ladder.quality.every_seconds,
            threads=ladder.encoder_threads,
            sidecars=job.subtitles,
            subtitle_labels=job.subtitle_labels,
        )
        encoded = encode_chunk(options, sink=sink, work=work, reporter=reporter)
        sink.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return base.model_copy(
        update={
            "frames": encoded.frames,
            "video": encoded.video,
            "audio": encoded.audio,
            "subtitles": encoded.subtitles,
            "trickplay": encoded.trickplay,
            "posters": encoded.posters,
            "quality": encoded.quality,
            **timing,
            "wall_s": round(time.monotonic() - wall0, 3),
            "cpu_s": round(cpu_seconds() - cpu0, 3),
            "stages": {**stages, **encoded.stages},
        }
    )


def per_title(
    job: Job,
    sink: Sink,
    probe: ProbeSummary,
    ladder: LadderSpec,
    plan: LadderPlan,
    encoders: EncoderChoice,
    *,
    chunked: bool,
) -> PerTitleDecision:
    """The per-title decision for this source: the stored one (``pertitle.json``, made
    once for every chunk), else measured now and stored."""
    key = pertitle.ladder_key(job.source, job.revision, ladder)
    stored = pertitle.load_decision(sink, key)
    if stored is not None:
        return stored
    if chunked:
        raise BadArguments(
            f"a chunked perTitle encode needs its decision first: run `kinema pertitle "
            f"{job.source} {job.outdir}` with the same ladder (the operator's probe Job does)"
        )
    decision = measure_decision(job.source, probe, ladder, plan, encoders, job.revision)
    pertitle.store_decision(sink, decision)
    return decision


def measure_decision(
    source_name: str,
    probe: ProbeSummary,
    ladder: LadderSpec,
    plan: LadderPlan,
    encoders: EncoderChoice,
    revision: int = 0,
) -> PerTitleDecision:
    source = open_source(source_name)
    assert probe.video is not None  # noqa: S101 - plan_for checked it
    work = Path(tempfile.mkdtemp(prefix=".kinema-pertitle-"))
    try:
        return pertitle.measure(
            source=source_name,
            source_input=source.input,
            options=source.input_options,
            video=probe.video,
            duration=probe.duration,
            plan=plan,
            ladder=ladder,
            encoders={Codec(c): e for c, e in encoders.video.items()},
            key=pertitle.ladder_key(source_name, revision, ladder),
            work=work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
