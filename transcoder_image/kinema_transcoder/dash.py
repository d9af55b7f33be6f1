"""The DASH MPD over the same CMAF segments HLS uses, written from segment records.

Pure: records in, ``manifest.mpd`` text out (static, isoff-live + CMAF profiles). The
``SegmentTimeline`` is built from each segment's decode time and duration, so gaps or
overlaps would show, not be papered over. A subtitle-only change rewrites the text
adaptation sets of an existing MPD (:func:`with_dash_subtitles`) with the same builder,
so the result equals what a full run with that subtitle set would have written.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kinema_transcoder.renditions import (
    VideoRendition,
    display_name,
    language_tag,
    peak_bitrate,
    rendition_path,
)
from kinema_transcoder.report import AudioTrackRecord, RenditionRecord, SubtitleRecord

MPD = "manifest.mpd"
MPD_NAMESPACE = "urn:mpeg:dash:schema:mpd:2011"


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
