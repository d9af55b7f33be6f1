"""SRT and WebVTT in, clean WebVTT out: pure text handling, timing kept to the ms.

Sidecar files (``--subtitle fr=movie.fr.srt``) and the WebVTT ffmpeg extracts from
embedded text tracks both pass through :func:`to_webvtt`, so every subtitle rendition
is normalized the same way: cue times are rewritten as ``HH:MM:SS.mmm`` without any
shift (a cue at 00:01:00 shows at 60 s, because the media timeline starts at 0), SRT
styling that WebVTT lacks (``<font>``, ``{\\an8}``) is dropped and ``<b>``/``<i>``/``<u>``
are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_FONT_TAG = re.compile(r"</?font[^>]*>", re.IGNORECASE)


class SubtitleError(ValueError):
    """Text that holds no subtitle cue we can read."""


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    settings: str = ""


def _ms(hours: str | None, minutes: str, secs: str, frac: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(secs)) * 1000 + int(frac.ljust(3, "0"))


def format_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def parse_cues(text: str) -> list[Cue]:
    """Cues of an SRT or WebVTT document (the header, NOTE and STYLE blocks skipped)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip() != "" or False]
        for i, line in enumerate(lines):
            match = _TIMING.match(line)
            if match is None:
                continue
            g = match.groups()
            start = _ms(g[0], g[1], g[2], g[3])
            end = _ms(g[4], g[5], g[6], g[7])
            settings = g[8].strip()
            body = "\n".join(_clean(t) for t in lines[i + 1 :]).strip()
            if body and end > start:
                cues.append(Cue(start, end, body, settings if "," not in settings else ""))
            break
    return cues


def _clean(line: str) -> str:
    line = _FONT_TAG.sub("", _ASS_TAG.sub("", line))
    # "-->" may not appear in a WebVTT cue payload.
    return line.replace("-->", "->")


def render(cues: list[Cue]) -> str:
    out = ["WEBVTT", ""]
    for n, cue in enumerate(sorted(cues, key=lambda c: (c.start_ms, c.end_ms)), start=1):
        timing = f"{format_time(cue.start_ms)} --> {format_time(cue.end_ms)}"
        if cue.settings:
            timing += f" {cue.settings}"
        out += [str(n), timing, cue.text, ""]
    return "\n".join(out)


def to_webvtt(text: str, origin: str) -> tuple[str, int]:
    """Normalized WebVTT and its cue count; raises SubtitleError when nothing parses."""
    cues = parse_cues(text)
    if not cues:
        raise SubtitleError(f"{origin}: no subtitle cues found (expected SRT or WebVTT)")
    return render(cues), len(cues)
