"""HLS and DASH manifests over the same CMAF segments, written from segment records.

Pure: records in, ``{relative path: text}`` out. Both formats point at the same files::

    master.m3u8                       HLS v7 multivariant playlist
    manifest.mpd                      DASH (static, isoff-live + CMAF profiles)
    video/<rung>/init.mp4, seg_NNNNN.m4s, index.m3u8, iframes.m3u8
    audio/<track>/init.mp4, seg_NNNNN.m4s, index.m3u8
    subtitles/<lang>.vtt, <lang>.m3u8

A subtitle-only change rewrites the subtitle entries of existing manifests
(:func:`with_hls_subtitles`, :func:`with_dash_subtitles`) with the same builders, so
the result equals what a full run with that subtitle set would have written.

Bitrates come from the bytes written: ``AVERAGE-BANDWIDTH`` is total bits over total
duration, ``BANDWIDTH`` the busiest segment (video plus the largest audio rendition), as
Apple's authoring spec defines them. The DASH ``SegmentTimeline`` is built from each
segment's decode time and duration, so gaps or overlaps would show, not be papered over.
"""

from __future__ import annotations

import math
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from kinema.ladder import PlannedRung
from kinema_transcoder.report import AudioTrackRecord, RenditionRecord, SubtitleRecord

MASTER = "master.m3u8"
MPD = "manifest.mpd"
MPD_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011"
_MEDIA = "#EXT-X-MEDIA:"
_STREAM = "#EXT-X-STREAM-INF:"
_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
AUDIO_GROUP = "aac"
SUBTITLE_GROUP = "subs"
# ISO 639-2 (what containers carry) to the BCP 47 / ISO 639-1 tags players expect.
_TWO_LETTER = {
    "eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es",
    "ita": "it", "por": "pt", "jpn": "ja", "kor": "ko", "chi": "zh", "zho": "zh",
    "rus": "ru", "ara": "ar", "hin": "hi", "dut": "nl", "nld": "nl", "swe": "sv",
    "nor": "no", "dan": "da", "fin": "fi", "pol": "pl", "tur": "tr", "ukr": "uk",
}  # fmt: skip
_NAMES = {
    "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano",
    "pt": "Português", "ja": "日本語", "ko": "한국어", "zh": "中文", "ru": "Русский",
    "ar": "العربية", "hi": "हिन्दी", "nl": "Nederlands", "sv": "Svenska", "no": "Norsk",
    "da": "Dansk", "fi": "Suomi", "pl": "Polski", "tr": "Türkçe", "uk": "Українська",
}  # fmt: skip


def language_tag(code: str | None) -> str:
    if not code:
        return "und"
    code = code.strip().lower()
    return _TWO_LETTER.get(code, code)


def language_name(tag: str) -> str:
    return _NAMES.get(tag, tag)


@dataclass(frozen=True, slots=True)
class VideoRendition:
    record: RenditionRecord
    rung: PlannedRung
    frame_rate: str  # "30000/1001"

    @property
    def path(self) -> str:
        return f"video/{self.record.name}"


def rendition_path(record: RenditionRecord, kind: str) -> str:
    return f"{kind}/{record.name}"


def seconds(record: RenditionRecord) -> float:
    return sum(s.duration for s in record.segments) / record.timescale


def total_bytes(record: RenditionRecord) -> int:
    return sum(s.size for s in record.segments)


def average_bitrate(record: RenditionRecord) -> int:
    duration = seconds(record)
    return math.ceil(total_bytes(record) * 8 / duration) if duration > 0 else 0


def peak_bitrate(record: RenditionRecord) -> int:
    peaks = [s.size * 8 * record.timescale / s.duration for s in record.segments if s.duration]
    return math.ceil(max(peaks, default=0))


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


def display_name(text: str) -> str:
    """A track name as an HLS quoted string may hold it: one line, no double quote."""
    return " ".join(text.replace('"', "'").split()) or "Subtitles"


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


def _iso_duration(value: float) -> str:
    return f"PT{value:.3f}S"


def _timeline(parent: ET.Element, record: RenditionRecord) -> None:
    timeline = ET.SubElement(parent, "SegmentTimeline")
    expected: int | None = None
    last: ET.Element | None = None
    last_d = -1
    repeat = 0
    for segment in record.segments:
        contiguous = expected == segment.decode_time
        if last is not None and contiguous and segment.duration == last_d:
            repeat += 1
            last.set("r", str(repeat))
        else:
            last = ET.SubElement(timeline, "S")
            if not contiguous:
                last.set("t", str(segment.decode_time))
            last.set("d", str(segment.duration))
            last_d = segment.duration
            repeat = 0
        expected = segment.decode_time + segment.duration


def _template(parent: ET.Element, record: RenditionRecord, base: str) -> None:
    template = ET.SubElement(
        parent,
        "SegmentTemplate",
        {
            "timescale": str(record.timescale),
            "initialization": f"{base}/init.mp4",
            "media": f"{base}/seg_$Number%05d$.m4s",
            "startNumber": str(record.segments[0].number if record.segments else 1),
        },
    )
    _timeline(template, record)


def mpd(
    video: list[VideoRendition],
    audio: list[AudioTrackRecord],
    subtitles: list[SubtitleRecord],
    duration: float,
) -> str:
    root = ET.Element(
        "MPD",
        {
            "xmlns": "urn:mpeg:dash:schema:mpd:2011",
            "profiles": "urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019",
            "type": "static",
            "mediaPresentationDuration": _iso_duration(duration),
            "minBufferTime": "PT4.000S",
        },
    )
    period = ET.SubElement(root, "Period", {"id": "0", "start": "PT0.000S"})
    set_id = 0
    if video:
        top = max(video, key=lambda v: v.rung.width * v.rung.height)
        vset = ET.SubElement(
            period,
            "AdaptationSet",
            {
                "id": str(set_id),
                "contentType": "video",
                "mimeType": "video/mp4",
                "segmentAlignment": "true",
                "startWithSAP": "1",
                "maxWidth": str(top.rung.width),
                "maxHeight": str(top.rung.height),
                "maxFrameRate": top.frame_rate,
            },
        )
        set_id += 1
        for v in video:
            rep = ET.SubElement(
                vset,
                "Representation",
                {
                    "id": v.record.name,
                    "bandwidth": str(peak_bitrate(v.record)),
                    "codecs": v.record.codec,
                    "width": str(v.rung.width),
                    "height": str(v.rung.height),
                    "frameRate": v.frame_rate,
                    "sar": "1:1",
                },
            )
            _template(rep, v.record, v.path)
    for track in audio:
        tag = language_tag(track.language)
        aset = ET.SubElement(
            period,
            "AdaptationSet",
            {
                "id": str(set_id),
                "contentType": "audio",
                "mimeType": "audio/mp4",
                "lang": tag,
                "segmentAlignment": "true",
                "startWithSAP": "1",
            },
        )
        set_id += 1
        ET.SubElement(
            aset,
            "Role",
            {
                "schemeIdUri": "urn:mpeg:dash:role:2011",
                "value": "main" if track.default else "alternate",
            },
        )
        rep = ET.SubElement(
            aset,
            "Representation",
            {
                "id": f"audio_{track.rendition.name}",
                "bandwidth": str(peak_bitrate(track.rendition)),
                "codecs": track.rendition.codec,
                "audioSamplingRate": str(track.rendition.timescale),
            },
        )
        ET.SubElement(
            rep,
            "AudioChannelConfiguration",
            {
                "schemeIdUri": "urn:mpeg:dash:23003:3:audio_channel_configuration:2011",
                "value": "2",
            },
        )
        _template(rep, track.rendition, rendition_path(track.rendition, "audio"))
    for sub in subtitles:
        _text_set(period, sub, set_id)
        set_id += 1
    return _serialize(root)


def _text_set(period: ET.Element, sub: SubtitleRecord, set_id: int) -> None:
    tag = language_tag(sub.language)
    sset = ET.SubElement(
        period,
        "AdaptationSet",
        {"id": str(set_id), "contentType": "text", "mimeType": "text/vtt", "lang": tag},
    )
    # Label (what players list) precedes Role in the schema's element order.
    ET.SubElement(sset, "Label").text = display_name(sub.name)
    ET.SubElement(sset, "Role", {"schemeIdUri": "urn:mpeg:dash:role:2011", "value": "subtitle"})
    # The id must hold no whitespace: the file's stem (``fr``, ``fr-2``), not the label.
    stem = sub.uri.rsplit("/", 1)[-1].removesuffix(".vtt")
    rep = ET.SubElement(sset, "Representation", {"id": f"text_{stem}", "bandwidth": "256"})
    ET.SubElement(rep, "BaseURL").text = sub.uri


def _serialize(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def with_dash_subtitles(document: str, subtitles: list[SubtitleRecord]) -> str:
    """``document`` (an :func:`mpd`) whose text adaptation sets are exactly ``subtitles``.

    Raises ValueError when the document is not an MPD with a Period.
    """
    try:
        # Our own output, read back from our own store: no DTD, no entities expected.
        root = ET.fromstring(document)  # noqa: S314
    except ET.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    # Parsing turns xmlns into {namespace}Tag names; write them back as mpd() does.
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    attributes = dict(root.attrib)
    root.attrib.clear()
    root.attrib.update({"xmlns": MPD_NAMESPACE, **attributes})
    period = root.find("Period")
    if root.tag != "MPD" or period is None:
        raise ValueError("no MPD Period")
    for aset in period.findall("AdaptationSet"):
        if aset.get("contentType") == "text":
            period.remove(aset)
    ids = [int(a.get("id", "0")) for a in period.findall("AdaptationSet")]
    set_id = max(ids, default=-1) + 1
    for sub in subtitles:
        _text_set(period, sub, set_id)
        set_id += 1
    return _serialize(root)
