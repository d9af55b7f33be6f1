"""Filtering HLS and DASH manifests to a viewer's plan (pure text in, text out).

A plan caps the rendition height. The master playlist keeps only variants (and
I-frame playlists) at or below the cap; the MPD keeps only video Representations at or
below it. :func:`forbidden_files` lists every file only reachable through a dropped
rung, which the streaming route refuses even when a client guesses its URL.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from io import StringIO

_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
_URI_ATTR = re.compile(r'URI="([^"]*)"')


def parse_attributes(line: str) -> dict[str, str]:
    """Attributes of an HLS tag line (``#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=..``)."""
    _, _, rest = line.partition(":")
    return {k: v.strip('"') for k, v in _ATTR.findall(rest)}


def _height(attrs: dict[str, str]) -> int | None:
    res = attrs.get("RESOLUTION", "")
    if "x" not in res:
        return None
    try:
        return int(res.split("x", 1)[1])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Variant:
    uri: str
    height: int | None
    bandwidth: int
    iframe: bool = False


def variants(master: str) -> list[Variant]:
    out: list[Variant] = []
    lines = master.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF"):
            attrs = parse_attributes(line)
            uri = next((u.strip() for u in lines[i + 1 :] if u.strip()), "")
            out.append(Variant(uri, _height(attrs), int(attrs.get("BANDWIDTH", "0") or 0)))
        elif line.startswith("#EXT-X-I-FRAME-STREAM-INF"):
            attrs = parse_attributes(line)
            out.append(
                Variant(
                    attrs.get("URI", ""),
                    _height(attrs),
                    int(attrs.get("BANDWIDTH", "0") or 0),
                    iframe=True,
                )
            )
    return out


def _allowed(height: int | None, max_height: int) -> bool:
    # Audio-only variants have no resolution and are always allowed.
    return height is None or height <= max_height


def filter_master(master: str, max_height: int) -> str:
    """The master playlist without variants above ``max_height``."""
    out: list[str] = []
    lines = master.splitlines()
    skip_uri = False
    for line in lines:
        if skip_uri:
            if line.strip() and not line.startswith("#"):
                skip_uri = False
                continue
            if not line.strip():
                continue
        if line.startswith("#EXT-X-STREAM-INF") and not _allowed(
            _height(parse_attributes(line)), max_height
        ):
            skip_uri = True
            continue
        if line.startswith("#EXT-X-I-FRAME-STREAM-INF") and not _allowed(
            _height(parse_attributes(line)), max_height
        ):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def media_playlist_files(playlist: str) -> list[str]:
    """Files a media playlist references: segments and the init section (EXT-X-MAP)."""
    files: list[str] = []
    for line in playlist.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith(("#EXT-X-MAP", "#EXT-X-PART")):
                files.extend(_URI_ATTR.findall(line))
            continue
        files.append(line)
    return files


def resolve(base_file: str, ref: str) -> str | None:
    """A reference relative to ``base_file`` as a normalized path; None if absolute/outside."""
    if "://" in ref or ref.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), ref.split("?")[0]))
    return None if path.startswith("..") else path


def forbidden_files(
    master_path: str,
    master: str,
    media_playlists: dict[str, str],
    max_height: int,
) -> frozenset[str]:
    """Paths (relative to the output root) only reachable through rungs above the cap.

    ``media_playlists`` maps each variant playlist path (resolved) to its text.
    """
    allowed: set[str] = set()
    denied: set[str] = set()
    for variant in variants(master):
        playlist = resolve(master_path, variant.uri)
        if playlist is None:
            continue
        files = {playlist}
        text = media_playlists.get(playlist)
        if text is not None:
            for ref in media_playlist_files(text):
                resolved = resolve(playlist, ref)
                if resolved is not None:
                    files.add(resolved)
        (allowed if _allowed(variant.height, max_height) else denied).update(files)
    return frozenset(denied - allowed)


def filter_mpd(mpd: str, max_height: int) -> str:
    """The MPD without video Representations above ``max_height``."""
    namespaces: list[tuple[str, str]] = []
    for _event, ns in ET.iterparse(StringIO(mpd), events=("start-ns",)):  # noqa: S314
        namespaces.append(ns)
    for prefix, uri in namespaces:
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(mpd)  # noqa: S314 - our own transcoder's output
    for period in _children(root, "Period"):
        for aset in list(_children(period, "AdaptationSet")):
            set_height = _int(aset.get("height"))
            for rep in list(_children(aset, "Representation")):
                height = _int(rep.get("height")) or set_height
                if height is not None and height > max_height:
                    aset.remove(rep)
            if _is_video(aset) and not list(_children(aset, "Representation")):
                period.remove(aset)
            elif _is_video(aset):
                _fix_max_dims(aset)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _children(elem: ET.Element, name: str) -> Iterable[ET.Element]:
    return [c for c in elem if c.tag.rsplit("}", 1)[-1] == name]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _is_video(aset: ET.Element) -> bool:
    if aset.get("contentType") == "video" or (aset.get("mimeType") or "").startswith("video"):
        return True
    return any(
        (r.get("mimeType") or "").startswith("video") or r.get("height") is not None
        for r in _children(aset, "Representation")
    )


def _fix_max_dims(aset: ET.Element) -> None:
    reps = list(_children(aset, "Representation"))
    heights = [h for h in (_int(r.get("height")) for r in reps) if h is not None]
    widths = [w for w in (_int(r.get("width")) for r in reps) if w is not None]
    if heights and aset.get("maxHeight") is not None:
        aset.set("maxHeight", str(max(heights)))
    if widths and aset.get("maxWidth") is not None:
        aset.set("maxWidth", str(max(widths)))
