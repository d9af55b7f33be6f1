"""The words spoken in a title: its ready videos' subtitle tracks as plain text.

Auto-tagging reads them once per title; the recommender's content vectors read them on
every training run, through one :class:`SubtitleReader` that keeps what it has read
(``kinema up`` trains every few minutes; a file is read again only when its video's
subtitles change).
"""

from __future__ import annotations

import re
from collections import OrderedDict

from kinema.catalog.models import Title, TrackKind, Video, VideoStatus
from kinema.storage import ObjectStore, StorageError, join_key

# Enough of a feature's dialogue to say what it is about; a file is never read past it.
SUBTITLE_BYTES = 512 * 1024
_CUE_TIMING = re.compile(r"^\s*(\d{2}:)?\d{2}:\d{2}[.,]\d{3}\s*-->")
_TAG = re.compile(r"<[^>]+>")


def vtt_text(vtt: str) -> str:
    """The spoken words of a WebVTT file (no header, cue ids, timings or tags)."""
    lines = []
    for line in vtt.splitlines():
        s = line.strip()
        if not s or s.startswith(("WEBVTT", "NOTE", "X-TIMESTAMP")) or _CUE_TIMING.match(s):
            continue
        if s.isdigit():
            continue
        lines.append(_TAG.sub("", s))
    return " ".join(lines)


def read_text(store: ObjectStore, key: str) -> str:
    """Up to SUBTITLE_BYTES of a stored text file ("" when it cannot be read)."""
    try:
        data = store.get_bytes(key)
    except (StorageError, OSError):
        return ""
    return data[:SUBTITLE_BYTES].decode("utf-8", "replace")


def ready_videos(title: Title) -> list[Video]:
    return [v for v in title.videos if v.status is VideoStatus.READY and v.output_prefix]


def subtitle_keys(video: Video) -> list[str]:
    """The stored WebVTT files of a ready video's subtitle tracks (the HLS playlist's
    ``.m3u8`` sits next to the ``.vtt`` it lists)."""
    prefix = video.output_prefix or ""
    return [
        join_key(prefix, re.sub(r"\.m3u8$", ".vtt", track.path))
        for track in video.tracks
        if track.kind is TrackKind.SUBTITLE and track.path
    ]


class SubtitleReader:
    """Reads subtitle text from the store, keeping up to ``capacity`` files' words.

    A file is known by its key and its video's generation and subtitle list, so a video
    given new subtitles (rewritten in place) is read again. A file that cannot be read
    counts as empty (a title is never left out of training for it).
    """

    def __init__(self, store: ObjectStore, *, capacity: int = 4096) -> None:
        self.store = store
        self.capacity = capacity
        self.reads = 0
        self._words: OrderedDict[tuple[str, int, str], str] = OrderedDict()

    def video_text(self, video: Video) -> str:
        parts = []
        for key in subtitle_keys(video):
            memo = (key, video.generation, repr(video.subtitles))
            text = self._words.get(memo)
            if text is None:
                self.reads += 1
                text = vtt_text(read_text(self.store, key))
                self._words[memo] = text
                if len(self._words) > self.capacity:
                    self._words.popitem(last=False)
            else:
                self._words.move_to_end(memo)
            parts.append(text)
        return " ".join(p for p in parts if p)

    def title_text(self, title: Title) -> str:
        """Every ready video's subtitle words (each language), one string."""
        return " ".join(t for t in (self.video_text(v) for v in ready_videos(title)) if t)
