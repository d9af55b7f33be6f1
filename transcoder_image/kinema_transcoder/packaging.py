"""``kinema package``: chunk reports in, manifests and ``kinema.json`` out.

Packaging never reads a segment: every chunk recorded its segments' timing, sizes and
fragment byte ranges in ``chunks/<i>/chunk.json``. Packaging checks the chunks belong
together (same plan, same codec configuration, all present, timelines continuous),
writes the media, I-frame and subtitle playlists, ``thumbnails.vtt``, then
``master.m3u8`` and ``manifest.mpd``, and ``kinema.json`` with ``status: complete``
LAST. That order is the completion protocol: until ``kinema.json`` says complete, the
output is not finished, and a failed run removes its manifests so nothing half-made
looks playable.
"""

from __future__ import annotations

import itertools
import json

from pydantic import ValidationError

from kinema_transcoder import dash, hls, renditions, reuse, trickplay
from kinema_transcoder.errors import PackageFailed, TranscodeError
from kinema_transcoder.progress import Reporter
from kinema_transcoder.quality import REFERENCE
from kinema_transcoder.report import (
    RECORDS,
    REPORT,
    AudioTrackRecord,
    ChunkReport,
    ErrorInfo,
    OutputRecords,
    PosterCandidate,
    QualitySums,
    RenditionRecord,
    RenditionSummary,
    SubtitleRecord,
    Timing,
    TranscodeReport,
    TrickplayRecord,
    embedded,
    quality_from,
)
from kinema_transcoder.sink import Sink

THUMBNAILS = "thumbnails.vtt"
POSTERS = 5
# Everything a run writes, removed when a run fails or a new unchunked run starts.
OUTPUTS = (
    REPORT, RECORDS, hls.MASTER, dash.MPD, THUMBNAILS,
    "video", "audio", "subtitles", "trickplay", "posters", "chunks",
)  # fmt: skip


def chunk_key(index: int) -> str:
    return f"chunks/{index:04d}/chunk.json"


def invalidate(sink: Sink) -> None:
    """Before a new run: nothing of a previous output may still look complete."""
    for rel in OUTPUTS:
        sink.remove(rel)


def record_failure(sink: Sink, source: str, error: TranscodeError, *, cleanup: bool) -> None:
    """Remove what the run wrote (when it owns the folder) and say why in kinema.json."""
    try:
        if cleanup:
            for rel in OUTPUTS:
                sink.remove(rel)
        else:
            for rel in (hls.MASTER, dash.MPD):
                sink.remove(rel)
        report = TranscodeReport(
            status="failed",
            source=source,
            error=ErrorInfo(code=error.code, type=type(error).__name__, message=str(error)),
        )
        sink.write_bytes(REPORT, report.to_json().encode())
    except TranscodeError:
        pass  # the original error is what the user needs to see (a full disk, say)


def load_chunks(sink: Sink) -> list[ChunkReport]:
    names = [n for n in sink.list("chunks") if n.endswith("/chunk.json")]
    if not names:
        raise PackageFailed(f"{sink.outdir} holds no chunks/<i>/chunk.json: run the chunks first")
    reports: list[ChunkReport] = []
    for name in names:
        data = sink.read_bytes(name)
        try:
            reports.append(ChunkReport.model_validate(json.loads(data or b"")))
        except (ValueError, ValidationError) as exc:
            raise PackageFailed(f"{name} is not a valid chunk report: {exc}") from exc
    return reports


def package(outdir: str, reporter: Reporter) -> TranscodeReport:
    sink = Sink(outdir)
    source = "unknown"
    try:
        chunks = load_chunks(sink)
        source = chunks[0].source
        report = package_chunks(sink, chunks, None, reporter)
        sink.remove("chunks")
        reporter.done("complete", outdir=outdir)
        return report
    except TranscodeError as exc:
        record_failure(sink, source, exc, cleanup=False)
        reporter.error(exc.code, str(exc))
        raise
    finally:
        sink.close()


def _check(chunks: list[ChunkReport]) -> list[ChunkReport]:
    ordered = sorted(chunks, key=lambda c: c.index)
    count = ordered[0].count
    indexes = [c.index for c in ordered]
    if indexes != list(range(count)):
        missing = sorted(set(range(count)) - set(indexes))
        raise PackageFailed(f"chunks missing: {missing} of {count}; rerun those chunks")
    head = ordered[0]
    for chunk in ordered[1:]:
        if chunk.count != count or chunk.plan != head.plan or chunk.reuse != head.reuse:
            raise PackageFailed(f"chunk {chunk.index} was planned differently from chunk 0")
    return ordered


def _part(chunk: ChunkReport, name: str) -> RenditionRecord:
    found = next((r for r in chunk.video if r.name == name), None)
    if found is None:
        raise PackageFailed(f"chunk {chunk.index} holds no rendition {name}")
    return found


def _check_aligned(videos: list[renditions.VideoRendition], reused: set[str]) -> None:
    """Copied rungs must share the encoded ones' segment timeline, like any rung."""
    reference = videos[0].record.timeline()
    for v in videos[1:]:
        if v.record.timeline() != reference:
            origin = "copied" if {v.record.name, videos[0].record.name} & reused else "encoded"
            raise PackageFailed(
                f"rendition {v.record.name} ({origin}) does not line up with "
                f"{videos[0].record.name}; transcode again without --reuse"
            )


def merge_rendition(parts: list[RenditionRecord]) -> RenditionRecord:
    first = parts[0]
    segments = []
    for part in parts:
        if (part.codec, part.timescale, part.init_sha256) != (
            first.codec,
            first.timescale,
            first.init_sha256,
        ):
            raise PackageFailed(
                f"rendition {first.name}: chunks disagree on the codec configuration"
            )
        segments.extend(part.segments)
    for prev, seg in itertools.pairwise(segments):
        if seg.number != prev.number + 1 or seg.decode_time != prev.decode_time + prev.duration:
            raise PackageFailed(
                f"rendition {first.name}: segment {seg.number} does not follow segment "
                f"{prev.number} (gap or overlap on the timeline)"
            )
    return first.model_copy(update={"segments": segments})


def package_chunks(
    sink: Sink, chunks: list[ChunkReport], source: str | None, reporter: Reporter
) -> TranscodeReport:
    reporter.begin("package")
    ordered = _check(chunks)
    head = ordered[0]
    plan = head.plan
    adopted = reuse.adopt(sink, head.reuse, reporter) if head.reuse else reuse.Adopted()
    active = [c for c in ordered if c.end > c.start]
    videos: list[renditions.VideoRendition] = []
    for rung in plan.rungs:
        record = adopted.video.get(rung.name) or merge_rendition(
            [_part(c, rung.name) for c in active]
        )
        videos.append(renditions.VideoRendition(record, rung, plan.frame_rate))
    _check_aligned(videos, set(adopted.video))
    pictures = head.reuse is not None and head.reuse.pictures
    # Each part is either copied or made by chunk 0, never both.
    audio = [*adopted.audio, *head.audio]
    subtitles = [*adopted.subtitles, *head.subtitles]
    duration = renditions.seconds(videos[0].record)
    files: dict[str, str] = {}
    for v in videos:
        files[f"{v.path}/index.m3u8"] = hls.media_playlist(v.record)
        files[f"{v.path}/iframes.m3u8"] = hls.iframe_playlist(v.record)
    for track in audio:
        files[f"audio/{track.rendition.name}/index.m3u8"] = hls.media_playlist(track.rendition)
    for sub in subtitles:
        files[hls.subtitle_playlist_uri(sub)] = hls.subtitle_playlist(sub, duration)
    sheets = [s for c in active if c.trickplay for s in c.trickplay.sheets]
    trick = adopted.trickplay
    if sheets and head.trickplay:
        trick = head.trickplay.model_copy(update={"sheets": sheets})
    if trick is not None:
        files[THUMBNAILS] = trickplay.thumbnails_vtt(trick, duration)
    if pictures:
        posters = adopted.posters
    else:
        candidates = [p for c in active for p in c.posters]
        posters = trickplay.choose_posters(candidates, POSTERS, max(1.0, duration / 10))
        keep = {p.uri for p in posters}
        for cand in candidates:
            if cand.uri not in keep:
                sink.remove(cand.uri)
    sums: dict[str, QualitySums] = {}
    for v in videos:
        total = adopted.quality.get(v.record.name, QualitySums())
        for c in ordered:
            if v.record.name in c.quality:
                total = total.add(c.quality[v.record.name])
        sums[v.record.name] = total
    for rel, text in files.items():
        sink.write_bytes(rel, text.encode("utf-8"))
    sink.write_bytes(hls.MASTER, hls.master_playlist(videos, audio, subtitles).encode())
    sink.write_bytes(dash.MPD, dash.mpd(videos, audio, subtitles, duration).encode())
    records = OutputRecords(
        source=head.source,
        revision=head.revision,
        probe=head.probe,
        ladder=head.ladder,
        plan=plan,
        encoder=head.encoder,
        video=[v.record for v in videos],
        audio=audio,
        subtitles=embedded(subtitles),
        trickplay=trick,
        posters=posters,
        quality=sums,
        per_title=head.per_title,
    )
    sink.write_bytes(RECORDS, records.to_json().encode())
    report = _report(ordered, videos, audio, subtitles, sums, duration, trick, posters, source)
    sink.write_bytes(REPORT, report.to_json().encode())
    return report


def _report(
    chunks: list[ChunkReport],
    videos: list[renditions.VideoRendition],
    audio: list[AudioTrackRecord],
    subtitles: list[SubtitleRecord],
    sums: dict[str, QualitySums],
    duration: float,
    trick: TrickplayRecord | None,
    posters: list[PosterCandidate],
    source: str | None,
) -> TranscodeReport:
    head = chunks[0]
    summaries: list[RenditionSummary] = []
    for v in videos:
        total = sums.get(v.record.name, QualitySums())
        summaries.append(
            RenditionSummary(
                name=v.record.name,
                kind="video",
                codec=v.record.codec,
                width=v.rung.width,
                height=v.rung.height,
                playlist=f"{v.path}/index.m3u8",
                target_bitrate_kbps=v.rung.bitrate_kbps,
                average_bitrate=renditions.average_bitrate(v.record),
                peak_bitrate=renditions.peak_bitrate(v.record),
                bytes=renditions.total_bytes(v.record),
                segments=len(v.record.segments),
                duration=round(renditions.seconds(v.record), 6),
                quality=quality_from(total, REFERENCE) if total.frames else None,
            )
        )
    for track in audio:
        rec = track.rendition
        summaries.append(
            RenditionSummary(
                name=rec.name,
                kind="audio",
                codec=rec.codec,
                language=track.language,
                playlist=f"audio/{rec.name}/index.m3u8",
                average_bitrate=renditions.average_bitrate(rec),
                peak_bitrate=renditions.peak_bitrate(rec),
                bytes=renditions.total_bytes(rec),
                segments=len(rec.segments),
                duration=round(renditions.seconds(rec), 6),
            )
        )
    wall = sum(c.wall_s for c in chunks) if len(chunks) == 1 else max(c.wall_s for c in chunks)
    cpu = sum(c.cpu_s for c in chunks)
    return TranscodeReport(
        status="complete",
        source=source or head.source,
        probe=head.probe,
        ladder=head.ladder,
        plan=head.plan,
        dropped=head.plan.dropped,
        encoder=head.encoder,
        renditions=summaries,
        subtitles=subtitles,
        trickplay=trick,
        posters=posters,
        manifests={"hls": hls.MASTER, "dash": dash.MPD},
        duration=round(duration, 6),
        chunks=len(chunks),
        timing=Timing(
            wall_s=round(wall, 3),
            cpu_s=round(cpu, 3),
            chunk_wall_s=[c.wall_s for c in chunks],
            speed_x_realtime=round(duration / wall, 3) if wall > 0 else None,
            stages=_stages(chunks),
        ),
        reused=head.reuse,
        per_title=head.per_title,
    )


def _stages(chunks: list[ChunkReport]) -> dict[str, float]:
    """Wall seconds by stage, summed over the chunks."""
    out: dict[str, float] = {}
    for chunk in chunks:
        for stage, seconds in chunk.stages.items():
            out[stage] = round(out.get(stage, 0.0) + seconds, 3)
    return out
