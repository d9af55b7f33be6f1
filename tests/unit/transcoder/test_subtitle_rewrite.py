"""Rewriting the subtitle entries of finished manifests gives what a full run writes."""

from __future__ import annotations

import pytest

from kinema.ladder import plan_ladder
from kinema.media import ProbeSummary, VideoInfo
from kinema.output import SubtitleRecord
from kinema.resources.ladder import load_ladder
from kinema_transcoder import dash, hls, renditions
from kinema_transcoder.report import (
    AudioTrackRecord,
    FragmentRecord,
    RenditionRecord,
    SegmentRecord,
)
from kinema_transcoder.resubtitle import unique_name

VIDEO = VideoInfo(index=0, codec="h264", width=1280, height=720, frame_rate="30000/1001")
PLAN = plan_ladder(ProbeSummary(format_name="mp4", duration=20, video=VIDEO), load_ladder())


def _record(name: str, size: int, codec: str = "avc1.64001f") -> RenditionRecord:
    fragment = FragmentRecord(
        offset=0, size=size, decode_time=0, duration=180180, samples=180, sync=True,
        iframe_end=size // 4,
    )  # fmt: skip
    segment = SegmentRecord(
        number=1, uri="seg_00001.m4s", decode_time=0, duration=180180, size=size,
        starts_with_keyframe=True, fragments=[fragment],
    )  # fmt: skip
    return RenditionRecord(
        name=name, timescale=30000, codec=codec, init_sha256="x", segments=[segment]
    )


VIDEOS = [
    renditions.VideoRendition(_record(rung.name, 400_000 * (i + 1)), rung, "30000/1001")
    for i, rung in enumerate(PLAN.rungs[:2])
]
AUDIO = [
    AudioTrackRecord(
        rendition=_record("en", 50_000, "mp4a.40.2"), language="eng", default=True, source_index=1
    )
]


def _sub(language: str, source: str = "s3://b/x.srt", name: str | None = None) -> SubtitleRecord:
    tag = name or language
    return SubtitleRecord(
        language=language, name=tag, uri=f"subtitles/{tag}.vtt", source=source, cues=1
    )


FR_EMBEDDED = _sub("fr", "embedded:2", "Français")
SETS = {
    "none": [],
    "fr": [FR_EMBEDDED],
    "fr+de": [FR_EMBEDDED, _sub("de")],
    "de+es+es-2": [_sub("de"), _sub("es"), _sub("es", name="es-2")],
}


@pytest.mark.parametrize("audio", [AUDIO, []], ids=["audio", "no-audio"])
@pytest.mark.parametrize("before", SETS, ids=str)
@pytest.mark.parametrize("after", SETS, ids=str)
def test_a_rewrite_equals_a_full_build(
    before: str, after: str, audio: list[AudioTrackRecord]
) -> None:
    old_master = hls.master_playlist(VIDEOS, audio, SETS[before])
    new_master = hls.master_playlist(VIDEOS, audio, SETS[after])
    assert hls.with_hls_subtitles(old_master, SETS[after]) == new_master
    old_mpd = dash.mpd(VIDEOS, audio, SETS[before], 6.006)
    new_mpd = dash.mpd(VIDEOS, audio, SETS[after], 6.006)
    assert dash.with_dash_subtitles(old_mpd, SETS[after]) == new_mpd


@pytest.mark.parametrize("document", ["<MPD", "<?xml version='1.0'?><Other/>"])
def test_a_document_that_is_no_mpd_is_refused(document: str) -> None:
    with pytest.raises(ValueError):
        dash.with_dash_subtitles(document, [])


def test_names_stay_unique_after_embedded_tracks() -> None:
    taken = {"fr"}
    assert [unique_name(n, taken) for n in ("fr", "de", "fr")] == ["fr-2", "de", "fr-3"]
