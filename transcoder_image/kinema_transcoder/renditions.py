"""What HLS and DASH say alike about a rendition, so the two manifests agree.

Both manifests are written from the same segment records and point at the same CMAF
files (HLS in ``hls.py``, DASH in ``dash.py``)::

    master.m3u8                       HLS v7 multivariant playlist
    manifest.mpd                      DASH (static, isoff-live + CMAF profiles)
    video/<rung>/init.mp4, seg_NNNNN.m4s, index.m3u8, iframes.m3u8
    audio/<track>/init.mp4, seg_NNNNN.m4s, index.m3u8
    subtitles/<lang>.vtt, <lang>.m3u8

Pure: records in, measures out. Bitrates come from the bytes written: the average is
total bits over total duration, the peak the busiest segment, as Apple's authoring spec
defines ``AVERAGE-BANDWIDTH`` and ``BANDWIDTH`` (DASH's ``bandwidth`` is the same peak).
Language tags and track names live here too, so a track is called alike in both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kinema.ladder import PlannedRung
from kinema_transcoder.report import RenditionRecord

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


def display_name(text: str) -> str:
    """A track name as an HLS quoted string may hold it: one line, no double quote.

    DASH's ``Label`` carries the same text, so players list a track alike in both."""
    return " ".join(text.replace('"', "'").split()) or "Subtitles"


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
