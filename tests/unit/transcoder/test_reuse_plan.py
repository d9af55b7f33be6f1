"""What a new run may copy from an earlier output (``reuse.plan_reuse``). Pure."""

from __future__ import annotations

from typing import Any

import pytest

from kinema.ladder import plan_ladder
from kinema.media import AudioInfo, ProbeSummary, VideoInfo
from kinema.output import EncoderChoice, ReuseRecord, TrickplayRecord
from kinema.resources.ladder import LadderSpec, load_ladder
from kinema_transcoder.report import AudioTrackRecord, OutputRecords, RenditionRecord
from kinema_transcoder.reuse import plan_reuse

VIDEO = VideoInfo(index=0, codec="h264", width=1920, height=1080, frame_rate="30/1")
PROBE = ProbeSummary(
    format_name="mp4",
    duration=60,
    video=VIDEO,
    audio=[AudioInfo(index=1, codec="aac", channels=2, language="eng")],
)
LADDER = load_ladder()
X264 = EncoderChoice(requested="auto", video={"h264": "libx264"}, reason="no GPU")
PREV = "s3://media/processed/ns/movie/aaaa"
AUDIO = AudioTrackRecord(
    rendition=RenditionRecord(name="en", timescale=48000, codec="mp4a.40.2", init_sha256="a"),
    language="en",
    source_index=1,
)


def records(ladder: LadderSpec = LADDER, **over: Any) -> OutputRecords:
    plan = plan_ladder(PROBE, ladder)
    values: dict[str, Any] = {
        "source": "s3://media/raw/movie.mp4",
        "probe": PROBE,
        "ladder": ladder,
        "plan": plan,
        "encoder": X264,
        "video": [
            RenditionRecord(name=r.name, timescale=90000, codec="avc1", init_sha256="x")
            for r in plan.rungs
        ],
        "audio": [],
        "trickplay": TrickplayRecord(
            interval=5, tile_width=240, tile_height=136, columns=10, rows=10
        ),
    }
    values.update(over)
    return OutputRecords(**values)


def reuse(
    previous: OutputRecords, ladder: LadderSpec = LADDER, **over: Any
) -> tuple[ReuseRecord | None, str]:
    values: dict[str, Any] = {
        "source": "s3://media/raw/movie.mp4",
        "revision": 0,
        "probe": PROBE,
        "ladder": ladder,
        "plan": plan_ladder(PROBE, ladder),
        "encoders": X264,
    }
    values.update(over)
    return plan_reuse(previous, PREV, **values)


def with_rungs(rungs: list[dict[str, Any]], **over: Any) -> LadderSpec:
    data = LADDER.model_dump(by_alias=True)
    data["rungs"] = rungs
    data.update(over)
    return LadderSpec.model_validate(data)


R1080 = {"height": 1080, "bitrateKbps": 5000}
R720 = {"height": 720, "bitrateKbps": 3000}
R480 = {"height": 480, "bitrateKbps": 1200}


def test_an_added_rung_is_encoded_the_others_copied() -> None:
    before = records(with_rungs([R720, R480]))
    found, why = reuse(before, with_rungs([R1080, R720, R480]))
    assert found is not None, why
    assert found.rungs == ["720p", "480p"] and found.source == PREV
    assert not found.pictures  # 1080p has to be encoded: pictures come from that decode


def test_a_rung_with_other_settings_is_encoded_again() -> None:
    before = records(with_rungs([R720, R480]))
    found, _ = reuse(before, with_rungs([{**R720, "bitrateKbps": 2500}, R480]))
    assert found is not None and found.rungs == ["480p"]


def test_other_x264_settings_encode_the_rungs_they_reach_again() -> None:
    small = {**R480, "preset": "faster"}
    before = records(with_rungs([R720, small]))
    found, _ = reuse(before, with_rungs([R720, small], x264={"subme": 1}))
    assert found is not None and found.rungs == ["480p"]  # its own preset: unchanged


def test_removing_a_rung_encodes_nothing() -> None:
    before = records(with_rungs([R1080, R720, R480]), audio=[AUDIO])
    found, _ = reuse(before, with_rungs([R720, R480]))
    assert found is not None and found.rungs == ["720p", "480p"]
    assert found.audio and found.pictures


def test_audio_is_copied_only_with_the_same_settings() -> None:
    before = records(with_rungs([R720, R480]), audio=[AUDIO])
    found, _ = reuse(before, with_rungs([R720, R480], audio={"bitrateKbps": 96}))
    assert found is not None and found.rungs == ["720p", "480p"]
    assert not found.audio and not found.pictures
    # Records without the source's audio track (none was kept): encoded again.
    found, _ = reuse(records(with_rungs([R720]), audio=[]), with_rungs([R720]))
    assert found is not None and not found.audio


def test_trickplay_settings_change_means_a_decode() -> None:
    before = records(with_rungs([R720]), audio=[AUDIO])
    found, _ = reuse(before, with_rungs([R720], trickplay={"intervalSeconds": 2}))
    assert found is not None and found.rungs == ["720p"] and found.audio
    assert not found.pictures


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"source": "s3://media/raw/other.mp4"}, "another source"),
        ({"revision": 2}, "revision 0, this run is revision 2"),
        ({"probe": PROBE.model_copy(update={"duration": 61})}, "probe differs"),
        (
            {"encoders": EncoderChoice(requested="auto", video={"h264": "h264_nvenc"}, reason="")},
            "no rung and no audio setting is unchanged",
        ),
    ],
)
def test_nothing_is_reused_across(change: dict[str, Any], why: str) -> None:
    before = records(audio=[])
    found, message = reuse(before, **change)
    assert found is None and why in message


@pytest.mark.parametrize(
    ("field", "value"),
    [("segmentSeconds", 4), ("gopSeconds", 1), ("maxFrameRate", 24), ("preset", "slow")],
)
def test_timeline_settings_block_every_copy(field: str, value: object) -> None:
    before = records()
    found, why = reuse(
        before, with_rungs(LADDER.model_dump(by_alias=True)["rungs"], **{field: value})
    )
    assert found is None and "changed" in why
