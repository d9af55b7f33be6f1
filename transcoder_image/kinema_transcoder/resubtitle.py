"""``kinema subtitles``: replace the sidecar subtitle tracks of a complete output.

A subtitle-only change must not re-encode a frame. This reads ``kinema.json``, turns
each ``--subtitle LANG=URI`` into WebVTT with the same code a full run uses
(:class:`TrackWriter`), and rewrites ``master.m3u8``, ``manifest.mpd`` and
``kinema.json`` so they list exactly the new set; media segments and their playlists
are neither read nor written. Tracks extracted from the source (``embedded:<n>``)
belong to the media and are kept.

Order is what keeps readers safe: new tracks first, then the manifests, then
``kinema.json``, and tracks no longer listed last, so no manifest ever points at a
missing file. A failure leaves the previous output as it was, complete and playable.
"""

from __future__ import annotations

from pydantic import ValidationError

from kinema_transcoder.dash import MPD, with_dash_subtitles
from kinema_transcoder.errors import BadArguments, OutputFailed, TranscodeError
from kinema_transcoder.hls import (
    MASTER,
    subtitle_playlist,
    subtitle_playlist_uri,
    with_hls_subtitles,
)
from kinema_transcoder.progress import Reporter
from kinema_transcoder.renditions import display_name, language_name, language_tag
from kinema_transcoder.report import REPORT, SubtitleRecord, TranscodeReport, embedded
from kinema_transcoder.sink import Sink
from kinema_transcoder.sources import read_text
from kinema_transcoder.subtitles import SubtitleError, to_webvtt


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... when an earlier track took it."""
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


class TrackWriter:
    """Subtitle text in, normalized WebVTT at ``subtitles/<name>.vtt`` out."""

    def __init__(self, sink: Sink, taken: set[str] | None = None) -> None:
        self.sink = sink
        self.taken = set(taken or ())

    def prepare(
        self, language: str, text: str, origin: str, label: str | None
    ) -> tuple[SubtitleRecord, str]:
        """One track's record and WebVTT, not written yet; SubtitleError when no cue."""
        vtt, cues = to_webvtt(text, origin)
        tag = language_tag(language)
        name = unique_name(tag, self.taken)
        record = SubtitleRecord(
            language=tag,
            name=display_name(label or language_name(tag)) if name == tag else name,
            uri=f"subtitles/{name}.vtt",
            source=origin,
            cues=cues,
        )
        return record, vtt

    def write(self, record: SubtitleRecord, vtt: str) -> None:
        self.sink.write_bytes(record.uri, vtt.encode("utf-8"))

    def add(self, language: str, text: str, origin: str, label: str | None) -> SubtitleRecord:
        """Write one track; raises SubtitleError when ``text`` holds no cue."""
        record, vtt = self.prepare(language, text, origin, label)
        self.write(record, vtt)
        return record


def read_report(sink: Sink) -> TranscodeReport:
    data = sink.read_bytes(REPORT)
    if data is None:
        raise OutputFailed(f"{sink.outdir} has no {REPORT}: transcode it before its subtitles")
    try:
        report = TranscodeReport.model_validate_json(data)
    except ValidationError as exc:
        raise OutputFailed(f"{sink.outdir}/{REPORT} is not a Kinema report: {exc}") from exc
    if report.status != "complete":
        raise OutputFailed(f"{sink.outdir} is not a complete output (status {report.status})")
    return report


def replace_subtitles(
    outdir: str,
    sidecars: list[tuple[str, str]],
    reporter: Reporter,
    *,
    labels: dict[str, str] | None = None,
) -> TranscodeReport:
    """Make the output at ``outdir`` list its embedded tracks plus exactly ``sidecars``."""
    sink = Sink(outdir)
    try:
        reporter.begin("package")  # rewriting manifests is a packaging stage
        report = read_report(sink)
        master = sink.read_bytes(MASTER)
        mpd = sink.read_bytes(MPD)
        if master is None or mpd is None:
            raise OutputFailed(f"{outdir} lacks {MASTER} or {MPD}: transcode it again")
        kept = embedded(report.subtitles)
        writer = TrackWriter(sink, {s.name for s in kept})
        # Every sidecar is read and converted before anything is written.
        tracks: list[tuple[SubtitleRecord, str]] = []
        for n, (language, uri) in enumerate(sidecars):
            try:
                label = (labels or {}).get(language)
                tracks.append(writer.prepare(language, read_text(uri), uri, label))
            except SubtitleError as exc:
                raise BadArguments(f"--subtitle {language}={uri}: {exc}") from exc
            reporter.update((n + 1) / (len(sidecars) + 1))
        records = [*kept, *(record for record, _ in tracks)]
        try:
            new_mpd = with_dash_subtitles(mpd.decode("utf-8"), records)
            new_master = with_hls_subtitles(master.decode("utf-8"), records)
        except (UnicodeDecodeError, ValueError) as exc:
            raise OutputFailed(f"{outdir}: the manifests cannot be rewritten: {exc}") from exc
        duration = report.duration or (report.probe.duration if report.probe else 0.0)
        for record, vtt in tracks:
            writer.write(record, vtt)
            sink.write_bytes(
                subtitle_playlist_uri(record), subtitle_playlist(record, duration).encode()
            )
        sink.write_bytes(MASTER, new_master.encode())
        sink.write_bytes(MPD, new_mpd.encode())
        updated = report.model_copy(update={"subtitles": records})
        sink.write_bytes(REPORT, updated.to_json().encode())
        listed = {r.uri for r in records}
        for old in report.subtitles:
            if old.uri not in listed:
                sink.remove(old.uri)
                sink.remove(subtitle_playlist_uri(old))
        reporter.done("complete", outdir=outdir, subtitles=len(records))
        return updated
    except TranscodeError as exc:
        reporter.error(exc.code, str(exc))
        raise
    finally:
        sink.close()
