"""VAST 4 documents (pure: typed inputs to XML text).

One InLine linear ad, the pre-roll: AdSystem, Impression, AdServingId, AdTitle, and one
Creative (UniversalAdId, Linear with Duration, TrackingEvents and MediaFiles), which is
what VAST 4.2 requires of an InLine ad. No ad to serve is an empty ``<VAST>``, as the
spec says. Built with ElementTree, so names and URLs are escaped by the serializer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree as ET

VAST_VERSION = "4.2"
VAST_NS = "http://www.iab.com/VAST"
HLS_TYPE = "application/x-mpegURL"


@dataclass(frozen=True, slots=True)
class MediaFile:
    url: str
    width: int
    height: int
    bitrate_kbps: int | None = None
    type: str = HLS_TYPE
    delivery: str = "streaming"


@dataclass(frozen=True, slots=True)
class LinearAd:
    ad_id: str  # the creative's id
    serving_id: str  # this decision's id
    title: str
    duration_s: float
    impression_url: str
    # VAST tracking event name (start, firstQuartile, ...) -> pixel URL
    tracking: Mapping[str, str]
    media: tuple[MediaFile, ...]


def duration(seconds: float) -> str:
    """VAST's ``HH:MM:SS.mmm``."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    child.text = text
    return child


def _document(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def empty() -> str:
    """The VAST for "no ad" (nothing active, or nothing to show this viewer)."""
    return _document(ET.Element("VAST", {"version": VAST_VERSION, "xmlns": VAST_NS}))


def inline(ad: LinearAd) -> str:
    root = ET.Element("VAST", {"version": VAST_VERSION, "xmlns": VAST_NS})
    ad_el = ET.SubElement(root, "Ad", {"id": ad.ad_id})
    inline_el = ET.SubElement(ad_el, "InLine")
    _text(inline_el, "AdSystem", "Kinema")
    _text(inline_el, "Impression", ad.impression_url, id="kinema")
    _text(inline_el, "AdServingId", ad.serving_id)
    _text(inline_el, "AdTitle", ad.title)
    creatives = ET.SubElement(inline_el, "Creatives")
    creative = ET.SubElement(creatives, "Creative", {"id": ad.ad_id, "adId": ad.ad_id})
    _text(creative, "UniversalAdId", ad.ad_id, idRegistry="kinema")
    linear = ET.SubElement(creative, "Linear")
    _text(linear, "Duration", duration(ad.duration_s))
    events = ET.SubElement(linear, "TrackingEvents")
    for event, url in ad.tracking.items():
        _text(events, "Tracking", url, event=event)
    files = ET.SubElement(linear, "MediaFiles")
    for media in ad.media:
        attrs = {
            "delivery": media.delivery,
            "type": media.type,
            "width": str(media.width),
            "height": str(media.height),
        }
        if media.bitrate_kbps:
            attrs["bitrate"] = str(media.bitrate_kbps)
        _text(files, "MediaFile", media.url, **attrs)
    return _document(root)
