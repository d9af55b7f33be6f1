"""The pure parts of clips: the preview's playlist reading, segment and rung choice and
ffmpeg arguments, the cluster Job manifest, and the link card's escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema_api.clips.services import card
from kinema_transcoder import clip_preview as cp
from kinema_transcoder.errors import BadArguments, BadSource

PLAYLIST = """#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2,
seg_00001.m4s
#EXTINF:2.5,
seg_00002.m4s
#EXTINF:1.5,
seg_00003.m4s
#EXT-X-ENDLIST
"""


def test_playlist_segments_and_the_ones_a_range_needs() -> None:
    playlist = cp.parse_media_playlist(PLAYLIST)
    assert playlist.init_uri == "init.mp4"
    assert [(s.uri, s.start_s, s.end_s) for s in playlist.segments] == [
        ("seg_00001.m4s", 0.0, 2.0),
        ("seg_00002.m4s", 2.0, 4.5),
        ("seg_00003.m4s", 4.5, 6.0),
    ]
    assert [s.uri for s in cp.covering(playlist, 2.0, 4.5)] == ["seg_00002.m4s"]
    assert [s.uri for s in cp.covering(playlist, 1.9, 4.6)] == [s.uri for s in playlist.segments]
    with pytest.raises(BadArguments):
        cp.covering(playlist, 7, 9)
    with pytest.raises(BadSource):
        cp.parse_media_playlist("#EXTM3U\n#EXTINF:2,\nseg.m4s\n")  # no init: not CMAF


@pytest.mark.parametrize(
    ("keys", "height", "expected"),
    [
        (["video/144p/index.m3u8", "video/360p/index.m3u8", "video/1080p/index.m3u8"], 480, 360),
        (["video/720p/index.m3u8", "video/1080p/index.m3u8"], 480, 720),
        (["video/480p/index.m3u8", "video/360p/iframes.m3u8"], 480, 480),
    ],
)
def test_the_preview_rung(keys: list[str], height: int, expected: int) -> None:
    assert cp.pick_rung(keys, height) == f"video/{expected}p/index.m3u8"


def test_ranges_and_ffmpeg_arguments() -> None:
    cp.check_range(0, 60)
    for start, end in ((5, 5), (10, 5), (-1, 3), (0, 61)):
        with pytest.raises(BadArguments):
            cp.check_range(start, end)
    args = cp.preview_args(
        Path("ffmpeg"),
        video=Path("v.mp4"),
        audio=Path("a.mp4"),
        offset_s=1.5,
        audio_offset_s=1.49,
        duration_s=3,
        max_height=480,
        out=Path("p.mp4"),
    )
    first = args.index("v.mp4")
    assert args[first - 5 : first + 7] == [
        "-ss", "1.500", "-t", "3.000", "-i", "v.mp4",
        "-ss", "1.490", "-t", "3.000", "-i", "a.mp4",
    ]  # fmt: skip
    assert "scale=-2:'min(480,ih)',format=yuv420p" in args and args[-1] == "p.mp4"


def test_card_values_are_escaped_in_attributes() -> None:
    nasty = card.Card(
        title='A "quote" <i>',
        description="</title><script>x()</script>' &amp;",
        page_url="https://k.example/clip/1?a=1&b=2",
        still_url="https://k.example/s.jpg",
        video_url=None,
    )
    shell = "<html><head>\n<title>Kinema</title>\n</head><body></body></html>"
    page = card.with_card(shell, nasty)
    assert "<script>" not in page and "<i>" not in page
    assert 'content="A &quot;quote&quot; &lt;i&gt;"' in page
    assert "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;&#x27; &amp;amp;" in page
    assert 'content="https://k.example/clip/1?a=1&amp;b=2"' in page
    assert "<title>A &quot;quote&quot; &lt;i&gt; · Kinema</title>" not in page  # text, not attr
    assert '<title>A "quote" &lt;i&gt; · Kinema</title>' in page
    assert page.count("<title>") == 1 and "og:video" not in page
