from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kinema_api.viewing.services import manifests

MASTER = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",URI="audio/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,AUDIO="aud"
360p/playlist.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1400000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=854x480,AUDIO="aud"
480p/playlist.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="aud"
720p/playlist.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=6000000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,AUDIO="aud"

1080p/playlist.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,RESOLUTION=854x480,URI="480p/iframes.m3u8"
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,RESOLUTION=1920x1080,URI="1080p/iframes.m3u8"
"""

MEDIA = """#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.0,
seg_00001.m4s
#EXTINF:4.0,
seg_00002.m4s
#EXT-X-ENDLIST
"""


@pytest.mark.parametrize(
    ("cap", "heights"),
    [(480, [360, 480]), (720, [360, 480, 720]), (2160, [360, 480, 720, 1080]), (240, [])],
)
def test_filter_master_keeps_rungs_up_to_cap(cap: int, heights: list[int]) -> None:
    out = manifests.filter_master(MASTER, cap)
    kept = [v.height for v in manifests.variants(out) if not v.iframe]
    assert kept == heights
    # Every remaining STREAM-INF is followed by its own URI.
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF"):
            height = manifests.parse_attributes(line)["RESOLUTION"].split("x")[1]
            uri = next(u for u in lines[i + 1 :] if u.strip())
            assert uri == f"{height}p/playlist.m3u8"
    assert "#EXT-X-MEDIA:TYPE=AUDIO" in out
    assert all(v.height is not None and v.height <= cap for v in manifests.variants(out))


def test_parse_attributes_with_quoted_commas() -> None:
    attrs = manifests.parse_attributes(
        '#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1x2'
    )
    assert attrs == {"BANDWIDTH": "1", "CODECS": "avc1.64001f,mp4a.40.2", "RESOLUTION": "1x2"}


def test_forbidden_files_cover_refused_rungs_only() -> None:
    media = {f"{h}p/playlist.m3u8": MEDIA for h in (360, 480, 720, 1080)}
    denied = manifests.forbidden_files("master.m3u8", MASTER, media, 480)
    assert "720p/seg_00001.m4s" in denied
    assert "1080p/init.mp4" in denied
    assert "1080p/playlist.m3u8" in denied
    assert "1080p/iframes.m3u8" in denied
    assert not any(p.startswith(("360p/", "480p/", "audio/")) for p in denied)


def test_forbidden_files_shared_segments_stay_allowed() -> None:
    # A flat layout where two rungs share a file: allowed wins.
    master = (
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360\nlow.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2,RESOLUTION=1920x1080\nhigh.m3u8\n"
    )
    media = {
        "low.m3u8": '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nlow_1.m4s\n',
        "high.m3u8": '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nhigh_1.m4s\n../escape.m4s\n',
    }
    assert manifests.forbidden_files("master.m3u8", master, media, 480) == {
        "high.m3u8",
        "high_1.m4s",
    }


MPD = """<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:cenc="urn:mpeg:cenc:2013" type="static"
  mediaPresentationDuration="PT8S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
 <Period id="0">
  <AdaptationSet contentType="video" maxHeight="1080" maxWidth="1920" segmentAlignment="true">
   <Representation id="360p" bandwidth="800000" width="640" height="360"/>
   <Representation id="720p" bandwidth="3000000" width="1280" height="720"/>
   <Representation id="1080p" bandwidth="6000000" width="1920" height="1080"/>
  </AdaptationSet>
  <AdaptationSet contentType="audio" lang="en">
   <Representation id="audio" bandwidth="128000"/>
  </AdaptationSet>
 </Period>
</MPD>
"""


def test_filter_mpd() -> None:
    out = manifests.filter_mpd(MPD, 720)
    root = ET.fromstring(out)  # noqa: S314 - our own test data
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    video = root.find("d:Period/d:AdaptationSet[@contentType='video']", ns)
    assert video is not None
    assert [r.get("id") for r in video.findall("d:Representation", ns)] == ["360p", "720p"]
    assert video.get("maxHeight") == "720"
    assert video.get("maxWidth") == "1280"
    assert root.find("d:Period/d:AdaptationSet[@contentType='audio']", ns) is not None
    assert "ns0:" not in out  # the default namespace survives the rewrite


def test_filter_mpd_removes_empty_video_sets() -> None:
    out = manifests.filter_mpd(MPD, 240)
    root = ET.fromstring(out)  # noqa: S314 - our own test data
    sets = root.findall(".//{urn:mpeg:dash:schema:mpd:2011}AdaptationSet")
    assert [s.get("contentType") for s in sets] == ["audio"]


@pytest.mark.parametrize(
    ("base", "ref", "expected"),
    [
        ("master.m3u8", "720p/a.m3u8", "720p/a.m3u8"),
        ("720p/a.m3u8", "seg.m4s", "720p/seg.m4s"),
        ("720p/a.m3u8", "../audio/x.m4s", "audio/x.m4s"),
        ("a.m3u8", "../x", None),
        ("a.m3u8", "https://cdn/x", None),
        ("a.m3u8", "/abs", None),
    ],
)
def test_resolve(base: str, ref: str, expected: str | None) -> None:
    assert manifests.resolve(base, ref) == expected
