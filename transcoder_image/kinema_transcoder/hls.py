"""HLS v7 playlists over the CMAF segments, written from segment records.

Pure: records in, playlist text out. ``master.m3u8`` lists a variant per rung (with an
I-frame playlist addressed by byte range), audio groups per language and WebVTT
subtitle groups; each rendition has its media playlist. A subtitle-only change
rewrites the subtitle entries of an existing master playlist
(:func:`with_hls_subtitles`) with the same builders, so the result equals what a full
run with that subtitle set would have written.

``BANDWIDTH`` is the busiest segment (video plus the largest audio rendition) and
``AVERAGE-BANDWIDTH`` total bits over total duration, as Apple's authoring spec defines
them (see ``renditions.py``).
"""

from __future__ import annotations

import math
import posixpath
import re

from kinema_transcoder.renditions import (
    VideoRendition,
    average_bitrate,
    display_name,
    language_name,
    language_tag,
    peak_bitrate,
    rendition_path,
)
from kinema_transcoder.report import AudioTrackRecord, RenditionRecord, SubtitleRecord

MASTER = "master.m3u8"
_MEDIA = "#EXT-X-MEDIA:"
_STREAM = "#EXT-X-STREAM-INF:"
_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
AUDIO_GROUP = "aac"
SUBTITLE_GROUP = "subs"


def _fmt_duration(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"


def media_playlist(record: RenditionRecord) -> str:
    durations = [s.duration / record.timescale for s in record.segments]
    target = max(1, max((math.floor(d + 0.5) for d in durations), default=1))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        f"#EXT-X-MEDIA-SEQUENCE:{record.segments[0].number if record.segments else 0}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        '#EXT-X-MAP:URI="init.mp4"',
    ]
    for segment, duration in zip(record.segments, durations, strict=True):
        lines += [f"#EXTINF:{_fmt_duration(duration)},", segment.uri]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def iframe_playlist(record: RenditionRecord) -> str:
    """One entry per keyframe: the fragment's moof, mdat header and the I-frame itself."""
    entries: list[tuple[float, int, int, str]] = []
    for segment in record.segments:
        for fragment in segment.fragments:
            if fragment.sync:
                length = fragment.iframe_end - fragment.offset
                duration = fragment.duration / record.timescale
                entries.append((duration, length, fragment.offset, segment.uri))
    target = max(1, max((math.floor(d + 0.5) for d, *_ in entries), default=1))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        "#EXT-X-I-FRAMES-ONLY",
        '#EXT-X-MAP:URI="init.mp4"',
    ]
    for duration, length, offset, uri in entries:
        lines += [f"#EXTINF:{_fmt_duration(duration)},", f"#EXT-X-BYTERANGE:{length}@{offset}", uri]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def iframe_bandwidth(record: RenditionRecord) -> int:
    rates = [
        (f.iframe_end - f.offset) * 8 * record.timescale / f.duration
        for s in record.segments
        for f in s.fragments
        if f.sync and f.duration
    ]
    return math.ceil(max(rates, default=0))


def _attrs(pairs: list[tuple[str, str | int]]) -> str:
    return ",".join(f"{k}={v}" for k, v in pairs)


def _fps(frame_rate: str) -> float:
    num, _, den = frame_rate.partition("/")
    return int(num) / int(den or "1")


def master_playlist(
    video: list[VideoRendition],
    audio: list[AudioTrackRecord],
    subtitles: list[SubtitleRecord],
) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", ""]
    for track in audio:
        tag = language_tag(track.language)
        lines.append(
            "#EXT-X-MEDIA:"
            + _attrs([
                ("TYPE", "AUDIO"), ("GROUP-ID", f'"{AUDIO_GROUP}"'),
                ("LANGUAGE", f'"{tag}"'), ("NAME", f'"{track.title or language_name(tag)}"'),
                ("DEFAULT", "YES" if track.default else "NO"), ("AUTOSELECT", "YES"),
                ("CHANNELS", '"2"'),
                ("URI", f'"{rendition_path(track.rendition, "audio")}/index.m3u8"'),
            ])
        )  # fmt: skip
    lines += [subtitle_media_line(sub) for sub in subtitles]
    if audio or subtitles:
        lines.append("")
    audio_avg = max((average_bitrate(a.rendition) for a in audio), default=0)
    audio_peak = max((peak_bitrate(a.rendition) for a in audio), default=0)
    audio_codec = audio[0].rendition.codec if audio else None
    for v in video:
        codecs = ",".join(c for c in (v.record.codec, audio_codec) if c)
        pairs: list[tuple[str, str | int]] = [
            ("BANDWIDTH", peak_bitrate(v.record) + audio_peak),
            ("AVERAGE-BANDWIDTH", average_bitrate(v.record) + audio_avg),
            ("CODECS", f'"{codecs}"'),
            ("RESOLUTION", f"{v.rung.width}x{v.rung.height}"),
            ("FRAME-RATE", f"{_fps(v.frame_rate):.3f}"),
        ]
        if audio:
            pairs.append(("AUDIO", f'"{AUDIO_GROUP}"'))
        if subtitles:
            pairs.append(("SUBTITLES", f'"{SUBTITLE_GROUP}"'))
        pairs.append(("CLOSED-CAPTIONS", "NONE"))
        lines += ["#EXT-X-STREAM-INF:" + _attrs(pairs), f"{v.path}/index.m3u8"]
    lines.append("")
    for v in video:
        pairs = [
            ("BANDWIDTH", iframe_bandwidth(v.record)),
            ("CODECS", f'"{v.record.codec}"'),
            ("RESOLUTION", f"{v.rung.width}x{v.rung.height}"),
            ("URI", f'"{v.path}/iframes.m3u8"'),
        ]
        lines.append("#EXT-X-I-FRAME-STREAM-INF:" + _attrs(pairs))
    return "\n".join(lines) + "\n"


def subtitle_media_line(sub: SubtitleRecord) -> str:
    """The master playlist's ``#EXT-X-MEDIA`` entry of one WebVTT track."""
    tag = language_tag(sub.language)
    return _MEDIA + _attrs([
        ("TYPE", "SUBTITLES"), ("GROUP-ID", f'"{SUBTITLE_GROUP}"'),
        ("LANGUAGE", f'"{tag}"'), ("NAME", f'"{display_name(sub.name)}"'),
        ("DEFAULT", "NO"), ("AUTOSELECT", "YES"), ("FORCED", "NO"),
        ("URI", f'"{subtitle_playlist_uri(sub)}"'),
    ])  # fmt: skip


def _stream_inf(line: str, subtitles: bool) -> str:
    """A variant's ``#EXT-X-STREAM-INF`` with its ``SUBTITLES`` group set or removed."""
    pairs: list[tuple[str, str | int]] = [
        (k, v) for k, v in _ATTR.findall(line.removeprefix(_STREAM)) if k != "SUBTITLES"
    ]
    if subtitles:
        at = next((i for i, (k, _) in enumerate(pairs) if k == "CLOSED-CAPTIONS"), len(pairs))
        pairs.insert(at, ("SUBTITLES", f'"{SUBTITLE_GROUP}"'))
    return _STREAM + _attrs(pairs)


def with_hls_subtitles(master: str, subtitles: list[SubtitleRecord]) -> str:
    """``master`` (a :func:`master_playlist`) listing exactly ``subtitles``."""
    lines = master.rstrip("\n").split("\n")
    first_variant = next(
        (i for i, line in enumerate(lines) if line.startswith(_STREAM)), len(lines)
    )
    head = [line for line in lines[:first_variant] if line and not line.startswith(_MEDIA)]
    media = [
        line
        for line in lines[:first_variant]
        if line.startswith(_MEDIA) and "TYPE=SUBTITLES" not in line
    ]
    media += [subtitle_media_line(sub) for sub in subtitles]
    out = [*head, ""]
    if media:
        out += [*media, ""]
    for line in lines[first_variant:]:
        out.append(_stream_inf(line, bool(subtitles)) if line.startswith(_STREAM) else line)
    return "\n".join(out) + "\n"


def subtitle_playlist_uri(sub: SubtitleRecord) -> str:
    """Where ``sub``'s HLS playlist goes: beside its WebVTT file."""
    return sub.uri.removesuffix(".vtt") + ".m3u8"


def subtitle_playlist(sub: SubtitleRecord, duration: float) -> str:
    """``sub``'s one-segment playlist: cue times in the file are presentation times."""
    vtt_name = posixpath.basename(sub.uri)
    return "\n".join([
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{max(1, math.ceil(duration))}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXTINF:{_fmt_duration(duration)},",
        vtt_name,
        "#EXT-X-ENDLIST",
    ]) + "\n"  # fmt: skip
