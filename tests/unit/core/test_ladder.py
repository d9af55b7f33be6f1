"""Ladder schema and planner: pure rules, one-line cases."""

from __future__ import annotations

import pytest

from kinema.ladder import SourceRejected, chunk_count, fit, plan_chunks, plan_ladder
from kinema.media import ProbeSummary, VideoInfo, summarize_probe
from kinema.resources.ladder import (
    LadderError,
    LadderSpec,
    builtin_ladders,
    ladder_from_data,
    load_ladder,
)


def probe(w: int, h: int, rate: str = "30/1", **video: object) -> ProbeSummary:
    info = VideoInfo(index=0, codec="h264", width=w, height=h, frame_rate=rate, **video)
    return ProbeSummary(format_name="mp4", duration=60.0, video=info)


def sizes(p: ProbeSummary, ladder: LadderSpec | None = None) -> list[tuple[int, int]]:
    return [(r.width, r.height) for r in plan_ladder(p, ladder or load_ladder()).rungs]


def test_default_ladder_is_apple_shaped_data() -> None:
    ladder = load_ladder("default")
    assert "default" in builtin_ladders()
    assert [r.height for r in ladder.rungs] == [234, 360, 480, 540, 720, 1080, 1440, 2160]
    assert ladder.segment_seconds == 6 and ladder.gop_seconds == 2
    assert all(r.codec == "h264" for r in ladder.rungs)


def test_camel_case_round_trip_for_the_crd() -> None:
    spec = load_ladder().model_dump(by_alias=True)
    assert "segmentSeconds" in spec and "bitrateKbps" in spec["rungs"][0]
    assert "kueueQueueName" in spec["scheduling"] and "backoffLimit" in spec["retry"]
    assert LadderSpec.model_validate(spec) == load_ladder()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rungs": []}, "at least 1"),
        ({"rungs": [{"height": 721, "bitrateKbps": 100}]}, "even"),
        ({"rungs": [{"height": 720, "bitrateKbps": 100, "codec": "vp9"}]}, "codec"),
        (
            {"rungs": [{"height": 720, "bitrateKbps": 100, "profile": "main10"}]},
            "not a h264 profile",
        ),
        ({"rungs": [{"height": 720, "bitrateKbps": 100}] * 2}, "unique"),
        ({"rungs": [{"height": 720, "bitrateKbps": 100}], "segmentSeconds": 5}, "multiple"),
        ({"rungs": [{"height": 720, "bitrateKbps": 100}], "encoder": "gpu"}, "encoder"),
        (
            {
                "rungs": [{"height": 720, "bitrateKbps": 100}],
                "chunking": {"chunks": 2, "chunkSeconds": 60},
            },
            "either",
        ),
        (
            {
                "rungs": [{"height": 720, "bitrateKbps": 100}],
                "scheduling": {"resources": {"limits": {"nvidia.com/gpu": "one"}}},
            },
            "quantity",
        ),
        (
            {"rungs": [{"height": 720, "bitrateKbps": 100}], "retry": {"backoffLimit": 99}},
            "backoffLimit",
        ),
        (
            {"rungs": [{"height": 720, "bitrateKbps": 100}], "x264": {"subme": 12}},
            "subme",
        ),
        (
            {"rungs": [{"height": 720, "bitrateKbps": 100, "x264": {"bframes": -1}}]},
            "bframes",
        ),
        (
            {
                "rungs": [{"height": 720, "bitrateKbps": 100, "x264": {"subme": 1}}],
                "strategy": "perTitle",
            },
            "strategy: fixed",
        ),
        # typed options only: no raw parameter (x264's dump-yuv would write any file)
        (
            {"rungs": [{"height": 720, "bitrateKbps": 100}], "x264": {"dump-yuv": "/etc/x"}},
            "dump-yuv",
        ),
    ],
)
def test_invalid_ladders_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(LadderError, match=message):
        ladder_from_data(data)


def test_x264_settings_go_with_the_preset_they_were_chosen_for() -> None:
    ladder = ladder_from_data(
        {
            "preset": "veryfast",
            "x264": {"subme": 1, "bframes": 2},
            "rungs": [
                {"height": 234, "bitrateKbps": 145, "preset": "faster"},
                {"height": 360, "bitrateKbps": 365, "x264": {"bframes": 0}},
                {"height": 720, "bitrateKbps": 4500},
            ],
        }
    )
    x264 = {r.name: r.x264 for r in plan_ladder(probe(1280, 720), ladder).rungs}
    assert x264["234p"] is None  # its own preset: none of the ladder's settings
    assert x264["360p"] is not None and x264["360p"].params() == ["bframes=0"]
    assert x264["720p"] is not None and x264["720p"].params() == ["subme=1", "bframes=2"]
    default = load_ladder("default")
    assert default.x264 is not None and default.x264.params() == ["subme=1", "bframes=2"]


def test_full_resource_document_is_accepted() -> None:
    doc = {
        "apiVersion": "kinema.dev/v1alpha1",
        "kind": "Ladder",
        "spec": {"rungs": [{"height": 360, "bitrateKbps": 500}]},
    }
    assert ladder_from_data(doc).rungs[0].height == 360
    with pytest.raises(LadderError, match="kind"):
        ladder_from_data({**doc, "kind": "Video"})


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(LadderError, match="default"):
        load_ladder("nope")


def test_1080p_source_drops_rungs_above_it() -> None:
    plan = plan_ladder(probe(1920, 1080), load_ladder())
    assert [(r.width, r.height) for r in plan.rungs][0] == (1920, 1080)  # noqa: RUF015
    assert [d.name for d in plan.dropped] == ["1440p", "2160p"]
    assert all("upscale" in d.reason for d in plan.dropped)


def test_source_between_rungs_gets_a_source_sized_top_rung() -> None:
    plan = plan_ladder(probe(1600, 900), load_ladder())
    top = plan.rungs[0]
    assert (top.width, top.height, top.source_sized) == (1600, 900, True)
    assert 4500 < top.bitrate_kbps < 7800
    assert plan.dropped[0].name == "1080p" and "replaced" in plan.dropped[0].reason


def test_source_just_above_a_rung_does_not_add_a_near_duplicate() -> None:
    assert sizes(probe(1312, 738))[0] == (1280, 720)


def test_4x3_keeps_aspect_with_even_dimensions() -> None:
    assert sizes(probe(640, 480))[:3] == [(640, 480), (480, 360), (312, 234)]


def test_rotation_plans_the_displayed_size() -> None:
    plan = plan_ladder(probe(1920, 1080, rotation=90), load_ladder())
    assert (plan.rungs[0].width, plan.rungs[0].height) == (1080, 1920)
    assert plan.source_width == 1080 and any("rotation" in n for n in plan.notes)


def test_anamorphic_pixels_are_squared() -> None:
    plan = plan_ladder(probe(720, 576, sample_aspect_ratio="64:45"), load_ladder())
    assert plan.source_width == 1024 and (plan.rungs[0].width, plan.rungs[0].height) == (960, 540)


def test_tiny_source_still_gets_one_rung() -> None:
    plan = plan_ladder(probe(320, 180), load_ladder())
    assert [(r.width, r.height) for r in plan.rungs] == [(320, 180)]
    assert plan.rungs[0].bitrate_kbps < 145


@pytest.mark.parametrize(
    ("rate", "vfr", "expected"),
    [("30/1", False, "30/1"), ("30000/1001", False, "30000/1001"), ("120/1", False, "60/1"),
     ("100/1", False, "50/1"), ("120000/1001", False, "60000/1001"), ("2997/100", True, "30000/1001"),  # noqa: E501
     ("101/4", True, "25/1")],
)  # fmt: skip
def test_frame_rate_is_kept_capped_and_made_constant(rate: str, vfr: bool, expected: str) -> None:
    assert plan_ladder(probe(1280, 720, rate, vfr=vfr), load_ladder()).frame_rate == expected


def test_hdr_is_tone_mapped_and_10_bit_reduced() -> None:
    plan = plan_ladder(probe(1280, 720, color_transfer="smpte2084", bit_depth=10), load_ladder())
    assert plan.tonemap and plan.ten_bit_to_eight
    plan = plan_ladder(probe(1280, 720, bit_depth=10), load_ladder())
    assert not plan.tonemap and plan.ten_bit_to_eight


@pytest.mark.parametrize(("w", "h"), [(8200, 16), (16, 9000), (12000, 12000)])
def test_absurd_frame_sizes_are_refused(w: int, h: int) -> None:
    with pytest.raises(SourceRejected, match="8192"):
        plan_ladder(probe(w, h), load_ladder())


def test_audio_only_is_refused() -> None:
    with pytest.raises(SourceRejected, match="no video"):
        plan_ladder(ProbeSummary(format_name="mp4", duration=3.0), load_ladder())


def test_fit_is_even_and_inside_the_box() -> None:
    assert fit((1920, 800), (1280, 720)) == (1280, 534)


def test_chunks_cover_whole_segments() -> None:
    spans = plan_chunks(25.0, 6.0, 4)
    assert [(s.start, s.end, s.first_segment, s.segments) for s in spans] == [
        (0.0, 12.0, 0, 2), (12.0, 18.0, 2, 1), (18.0, 24.0, 3, 1), (24.0, 25.0, 4, 1)
    ]  # fmt: skip
    assert [s.segments for s in plan_chunks(5.0, 6.0, 3)] == [1, 0, 0]


def test_chunk_count_follows_the_ladder() -> None:
    ladder = ladder_from_data(
        {"rungs": [{"height": 360, "bitrateKbps": 500}], "chunking": {"chunkSeconds": 60}}
    )
    assert chunk_count(600.0, ladder) == 10
    assert (
        chunk_count(
            7.0,
            ladder_from_data(
                {"rungs": [{"height": 360, "bitrateKbps": 500}], "chunking": {"chunks": 8}}
            ),
        )
        == 2
    )


def test_summarize_probe_reads_rotation_languages_and_hdr() -> None:
    data = {
        "format": {"format_name": "mov,mp4", "duration": "10.5", "size": "1000"},
        "streams": [
            {"index": 0, "codec_type": "video", "codec_name": "hevc", "width": 1920, "height": 1080,
             "avg_frame_rate": "30000/1001", "r_frame_rate": "30000/1001", "pix_fmt": "yuv420p10le",
             "color_transfer": "smpte2084", "side_data_list": [{"rotation": -90}]},
            {"index": 1, "codec_type": "audio", "codec_name": "aac", "channels": 6, "tags": {"language": "fra"}},  # noqa: E501
            {"index": 2, "codec_type": "subtitle", "codec_name": "hdmv_pgs_subtitle"},
            {"index": 3, "codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}},  # noqa: E501
        ],
    }  # fmt: skip
    summary = summarize_probe(data)
    assert summary.video is not None and summary.video.rotation == 270
    assert (summary.video.display_width, summary.video.display_height) == (1080, 1920)
    assert summary.video.hdr and summary.video.bit_depth == 10
    assert summary.audio[0].language == "fra" and not summary.subtitles[0].text
    assert summary.model_dump(by_alias=True)["video"]["displayWidth"] == 1080
