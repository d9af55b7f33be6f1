"""``kinema transcode --reuse PREV``: a ladder change encodes only what it changed.

A complete output keeps ``records.json`` (:class:`OutputRecords`) beside ``kinema.json``:
the segment records of every rendition, the quality sums, and the source, revision,
probe and settings they were made with. A new run given the previous output:

1. :func:`load_previous` reads PREV's ``kinema.json`` (it must be complete) and
   ``records.json``. Anything missing or unreadable means a full encode, never a failure:
   reuse only saves work.
2. :func:`plan_reuse` (pure) compares. Nothing is reused unless the source, the
   revision and the probe are the same, and the frame rate, GOP, segment length, tone
   mapping and preset too (they shape every rung's timeline). Then a rung of the new
   plan is copied when PREV has a rung of that name with exactly the same planned
   settings (codec, profile, size, bitrates, CRF) made by the same encoder; the audio
   tracks when the ladder's audio settings are unchanged. When every rung and the audio
   are copied and the trickplay settings are unchanged, nothing is encoded at all and
   thumbnails, posters and embedded subtitle tracks are copied as well.
3. The chunks encode only the other rungs (:mod:`pipeline`); packaging calls
   :func:`adopt`, which copies the reused files (a server-side copy within one bucket)
   and hands back their records, so the manifests cover old and new rungs alike.

The copies live in the new output, so the previous one can be deleted once the new one
is live, as the operator does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from kinema.ladder import LadderPlan
from kinema.media import ProbeSummary
from kinema.resources.ladder import LadderSpec
from kinema_transcoder.errors import OutputFailed, PackageFailed
from kinema_transcoder.progress import Reporter
from kinema_transcoder.report import (
    RECORDS,
    REPORT,
    AudioTrackRecord,
    EncoderChoice,
    OutputRecords,
    PosterCandidate,
    QualitySums,
    RenditionRecord,
    ReuseRecord,
    SubtitleRecord,
    TranscodeReport,
    TrickplayRecord,
    embedded,
)
from kinema_transcoder.segmenter import INIT_NAME
from kinema_transcoder.sink import Sink

# Files copied between progress reports, and the share of packaging that copying is.
COPY_BATCH = 200
COPY_SHARE = 0.9
# Plan fields every rung's timeline and pictures depend on.
_SHARED = ("frame_rate", "gop_frames", "segment_seconds", "tonemap", "ten_bit_to_eight")


def load_previous(outdir: str) -> tuple[OutputRecords | None, str]:
    """PREV's records when it is a complete output that kept them; else why not."""
    try:
        sink = Sink(outdir, create=False)
    except OutputFailed as exc:
        return None, str(exc)
    try:
        report_data = sink.read_bytes(REPORT)
        if report_data is None:
            return None, f"{outdir} holds no {REPORT}"
        report = TranscodeReport.model_validate_json(report_data)
        if report.status != "complete":
            return None, f"{outdir} is not a complete output ({report.status})"
        data = sink.read_bytes(RECORDS)
        if data is None:
            return None, f"{outdir} holds no {RECORDS} (made by an older version)"
        return OutputRecords.model_validate_json(data), ""
    except ValidationError as exc:
        return None, f"{outdir}: unreadable records: {exc.errors()[0]['msg']}"
    except OutputFailed as exc:
        return None, str(exc)
    finally:
        sink.close()


def plan_reuse(
    previous: OutputRecords,
    outdir: str,
    *,
    source: str,
    revision: int,
    probe: ProbeSummary,
    ladder: LadderSpec,
    plan: LadderPlan,
    encoders: EncoderChoice,
) -> tuple[ReuseRecord | None, str]:
    """What of ``previous`` (the output at ``outdir``) the new run may copy; else why not."""
    if previous.source != source:
        return None, f"it was made from another source ({previous.source})"
    if previous.revision != revision:
        return None, f"it is revision {previous.revision}, this run is revision {revision}"
    if previous.probe != probe:
        return None, "the source has changed since (its probe differs)"
    changed = [k for k in _SHARED if getattr(previous.plan, k) != getattr(plan, k)]
    if previous.ladder.preset != ladder.preset:
        changed.append("preset")
    if changed:
        return None, f"{', '.join(changed)} changed"
    before = {r.name: r for r in previous.plan.rungs}
    recorded = {r.name for r in previous.video}
    rungs = [
        r.name
        for r in plan.rungs
        if before.get(r.name) == r
        and r.name in recorded
        and previous.encoder.video.get(r.codec.value) == encoders.video.get(r.codec.value)
    ]
    audio = previous.ladder.audio == ladder.audio and len(previous.audio) == len(probe.audio)
    if not rungs and not (audio and probe.audio):
        return None, "no rung and no audio setting is unchanged"
    pictures = (
        len(rungs) == len(plan.rungs)
        and audio
        and previous.ladder.trickplay == ladder.trickplay
        and previous.trickplay is not None
    )
    return ReuseRecord(source=outdir, rungs=rungs, audio=audio, pictures=pictures), ""


@dataclass
class Adopted:
    """The records of what was copied into the new output."""

    video: dict[str, RenditionRecord] = field(default_factory=dict)
    audio: list[AudioTrackRecord] = field(default_factory=list)
    quality: dict[str, QualitySums] = field(default_factory=dict)
    subtitles: list[SubtitleRecord] = field(default_factory=list)
    trickplay: TrickplayRecord | None = None
    posters: list[PosterCandidate] = field(default_factory=list)


def _media_files(record: RenditionRecord, folder: str) -> list[str]:
    return [f"{folder}/{INIT_NAME}", *(f"{folder}/{s.uri}" for s in record.segments)]


def adopt(sink: Sink, reuse: ReuseRecord, reporter: Reporter) -> Adopted:
    """Copy what ``reuse`` names from its previous output into ``sink``; their records."""
    previous, why = load_previous(reuse.source)
    if previous is None:
        raise PackageFailed(f"the output to reuse is gone: {why}; run the transcode again")
    by_name = {r.name: r for r in previous.video}
    lost = [name for name in reuse.rungs if name not in by_name]
    if lost:
        raise PackageFailed(
            f"{reuse.source} no longer holds {', '.join(lost)} (it was rewritten since the "
            "chunks ran); run the transcode again"
        )
    prev = Sink(reuse.source, create=False)
    try:
        out = Adopted()
        files: list[str] = []
        for name in reuse.rungs:
            record = by_name[name]
            out.video[name] = record
            if name in previous.quality:
                out.quality[name] = previous.quality[name]
            files += _media_files(record, f"video/{name}")
        if reuse.audio:
            out.audio = previous.audio
            for track in previous.audio:
                files += _media_files(track.rendition, f"audio/{track.rendition.name}")
        if reuse.pictures:
            out.trickplay = previous.trickplay
            out.posters = previous.posters
            out.subtitles = embedded(previous.subtitles)
            files += [s.uri for s in previous.trickplay.sheets] if previous.trickplay else []
            files += [p.uri for p in previous.posters]
            files += [s.uri for s in out.subtitles]
        for start in range(0, len(files), COPY_BATCH):
            for rel in files[start : start + COPY_BATCH]:
                sink.adopt(prev, rel)
            sink.flush()
            reporter.update(min(1.0, (start + COPY_BATCH) / len(files)) * COPY_SHARE)
        return out
    finally:
        prev.close()
