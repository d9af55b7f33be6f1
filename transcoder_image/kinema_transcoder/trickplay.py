"""Trickplay sprites, their WebVTT index, and poster choice: the pure parts.

Thumbnail ``k`` shows the first frame at or after ``k * interval`` seconds and covers
``[k*interval, (k+1)*interval)``. Each chunk tiles its own thumbnails into sheets of
``columns x rows``; ``thumbnails.vtt`` maps every time range to a sheet and a tile
(``sheet.jpg#xywh=x,y,w,h``), which is the format Shaka Player and video.js read.

Poster candidates are frames picked in the encode (scene changes plus evenly spread
frames) and scored by ffmpeg's ``blurdetect``; the sharpest, spread out in time, win.
"""

from __future__ import annotations

import re

from kinema_transcoder.report import PosterCandidate, TrickplayRecord
from kinema_transcoder.subtitles import format_time

_FRAME = re.compile(r"^frame:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[\d.]+)")
_VALUE = re.compile(r"^lavfi\.(blur|scene_score)=(-?[\d.]+|nan|inf)")


def thumbnails_vtt(record: TrickplayRecord, duration: float, base: str = "") -> str:
    lines = ["WEBVTT", ""]
    per_sheet = record.columns * record.rows
    for sheet in record.sheets:
        for n in range(sheet.count):
            index = sheet.first + n
            start = index * record.interval
            if start >= duration:
                break
            end = min((index + 1) * record.interval, duration)
            x = (n % record.columns) * record.tile_width
            y = (n // record.columns) * record.tile_height
            lines += [
                f"{format_time(round(start * 1000))} --> {format_time(round(end * 1000))}",
                f"{base}{sheet.uri}#xywh={x},{y},{record.tile_width},{record.tile_height}",
                "",
            ]
        if sheet.count > per_sheet:
            raise ValueError(f"sheet {sheet.uri} holds {sheet.count} > {per_sheet} tiles")
    return "\n".join(lines)


def parse_frame_metadata(text: str) -> list[dict[str, float]]:
    """ffmpeg ``metadata=print`` output -> one dict per frame (``time``, ``blur``, ...)."""
    frames: list[dict[str, float]] = []
    for line in text.splitlines():
        line = line.strip()
        head = _FRAME.match(line)
        if head:
            frames.append({"time": float(head.group(3))})
            continue
        value = _VALUE.match(line)
        if value and frames:
            try:
                frames[-1][value.group(1)] = float(value.group(2))
            except ValueError:
                continue
    return frames


def choose_posters(
    candidates: list[PosterCandidate], count: int, min_gap: float
) -> list[PosterCandidate]:
    """Sharpest first (scene changes break ties), no two closer than ``min_gap`` s."""
    ranked = sorted(candidates, key=lambda c: (c.blur, -c.scene, c.time))
    chosen: list[PosterCandidate] = []
    for cand in ranked:
        if all(abs(cand.time - c.time) >= min_gap for c in chosen):
            chosen.append(cand)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda c: c.time)
