"""Pure parts of the transcoder: argument building, boxes, manifests, text formats."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import m3u8
import pytest
from mpegdash.parser import MPEGDASHParser

from kinema.ffmpeg import EncoderTrial, progress_blocks
from kinema.ladder import plan_ladder
from kinema.media import ProbeSummary, VideoInfo
from kinema.output import PosterCandidate, SheetRecord, SubtitleRecord, TrickplayRecord
from kinema.resources.ladder import Codec, EncoderPreference, Preset, load_ladder
from kinema_transcoder import args, dash, hls, mp4, quality, renditions, subtitles, trickplay
from kinema_transcoder.cli import parse_chunk, parse_subtitle
from kinema_transcoder.encoders import choose_encoders
from kinema_transcoder.errors import BadArguments
from kinema_transcoder.progress import Reporter
from kinema_transcoder.report import (
    AudioTrackRecord,
    FragmentRecord,
    RenditionRecord,
    SegmentRecord,
    quality_from,
)

VIDEO = VideoInfo(index=0, codec="h264", width=1280, height=720, frame_rate="30000/1001")
PLAN = plan_ladder(ProbeSummary(format_name="mp4", duration=20, video=VIDEO), load_ladder())


def request(tmp_path: Path, **over: object) -> args.EncodeRequest:
    values: dict[str, object] = {
        "ffmpeg": Path("/bin/ffmpeg"), "source": "in.mp4", "plan": PLAN, "video": VIDEO,
        "preset": Preset.MEDIUM, "encoders": {Codec.H264: "libx264"},
        "rung_dirs": [tmp_path / r.name for r in PLAN.rungs],
    }  # fmt: skip
    values.update(over)
    return args.EncodeRequest(**values)  # type: ignore[arg-type]


def test_one_process_decodes_once_and_splits_to_every_rung(tmp_path: Path) -> None:
    argv = args.encode_args(request(tmp_path, thumbs_dir=tmp_path / "t"))
    assert argv.count("-i") == 1
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.startswith("[0:v:0]fps=30000/1001,format=yuv420p,split=6")
    assert graph.count("scale=") == len(PLAN.rungs) + 1
    assert argv.count("libx264") == len(PLAN.rungs)
    assert argv.count("expr:eq(mod(n,60),0)") == len(PLAN.rungs)
    assert argv.count("fmp4") == len(PLAN.rungs)


def test_a_chunk_seeks_to_its_frame_and_encodes_exactly_its_frames(tmp_path: Path) -> None:
    argv = args.encode_args(request(tmp_path, start=6.006, duration=6.006, frames=180))
    assert argv[argv.index("-ss") + 1] == "5.989317"  # half a frame early
    assert argv.count("-frames:v") == len(PLAN.rungs)


def test_audio_and_subtitles_come_from_the_full_input_of_chunk_zero(tmp_path: Path) -> None:
    argv = args.encode_args(
        request(tmp_path, full_input=True, audio=[args.AudioOut(1, 0, tmp_path / "a")],
                subtitles=[args.SubtitleOut(1, 0, tmp_path / "s.vtt")])
    )  # fmt: skip
    assert argv.count("-i") == 2
    assert "1:a:0" in argv and "1:s:0" in argv and "webvtt" in argv


def test_hdr_sources_get_a_tone_mapping_chain() -> None:
    hdr = VIDEO.model_copy(update={"color_transfer": "smpte2084", "bit_depth": 10})
    plan = plan_ladder(ProbeSummary(format_name="mp4", duration=5, video=hdr), load_ladder())
    chain = args.normalize_filter(hdr, plan)
    assert "tonemap=tonemap=hable" in chain and chain.endswith("format=yuv420p")
    assert "tonemap" not in args.normalize_filter(VIDEO, PLAN)


@pytest.mark.parametrize("encoder", ["libx264", "libx265", "libsvtav1", "h264_nvenc", "hevc_nvenc"])
def test_every_encoder_gets_closed_fixed_gops(encoder: str) -> None:
    argv = args.video_encoder_args(PLAN.rungs[0], encoder, Preset.FAST, 48)
    assert "expr:eq(mod(n,48),0)" in argv and encoder in argv


@pytest.mark.parametrize(("start", "first"), [(0.0, 0), (6.006, 2), (12.012, 3), (10.0, 2)])
def test_thumbnail_numbering_is_absolute(start: float, first: int) -> None:
    assert args.first_thumb_index(start, 5.0, 29.97) == first


def test_filter_paths_are_escaped() -> None:
    assert args.escape_filter_path("/a:b/c'd,e") == "/a\\:b/c\\'d\\,e"


def test_encoder_choice_falls_back_and_says_why() -> None:
    def broken(name: str) -> EncoderTrial:
        return EncoderTrial(name, False, "OpenEncodeSessionEx failed: no capable devices")

    choice = choose_encoders(EncoderPreference.AUTO, {Codec.H264}, broken)
    assert choice.video == {"h264": "libx264"} and "no capable devices" in choice.reason
    working = choose_encoders(
        EncoderPreference.AUTO, {Codec.H264}, lambda n: EncoderTrial(n, True, "ok")
    )
    assert working.video == {"h264": "h264_nvenc"}
    assert choose_encoders(EncoderPreference.CPU, {Codec.HEVC}, broken).video == {"hevc": "libx265"}
    with pytest.raises(BadArguments, match="NVENC"):
        choose_encoders(EncoderPreference.NVENC, {Codec.H264}, broken)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _segment(decode_time: int, durations: list[int], sync_first: bool = True) -> bytes:
    tfhd = _box(b"tfhd", struct.pack(">II", 0x020000, 1))
    tfdt = _box(b"tfdt", struct.pack(">IQ", 1 << 24, decode_time))
    samples = b"".join(
        struct.pack(">III", d, 100, (0 if (i == 0 and sync_first) else 0x00010000))
        for i, d in enumerate(durations)
    )
    trun = _box(
        b"trun", struct.pack(">II", 0x000701, len(durations)) + struct.pack(">i", 0) + samples
    )
    moof = _box(
        b"moof", _box(b"mfhd", struct.pack(">II", 0, 1)) + _box(b"traf", tfhd + tfdt + trun)
    )
    return moof + _box(b"mdat", b"\0" * (100 * len(durations)))


def test_segments_are_read_and_shifted_in_place() -> None:
    data = bytearray(_segment(0, [1001] * 60) + _segment(60060, [1001] * 60, sync_first=False))
    info = mp4.read_segment(data)
    assert [f.decode_time for f in info.fragments] == [0, 60060]
    assert info.duration == 120120 and info.samples == 120 and info.starts_with_sync
    assert not info.fragments[1].first_sample_sync
    mp4.shift_segment(data, 180180, sequence_offset=6)
    assert [f.decode_time for f in mp4.read_segment(data).fragments] == [180180, 240240]
    with pytest.raises(mp4.Mp4Error):
        mp4.read_segment(data[:-10])


def test_edit_lists_are_dropped_with_sizes_fixed() -> None:
    moov = _box(
        b"moov", _box(b"trak", _box(b"tkhd", b"\0" * 8) + _box(b"edts", _box(b"elst", b"\0" * 16)))
    )
    out = mp4.drop_boxes(_box(b"ftyp", b"isom") + moov)
    assert b"edts" not in out and [b.type for b in mp4.iter_boxes(out)] == [b"ftyp", b"moov"]
    assert mp4.find(out, [b"moov", b"trak", b"tkhd"])


def _record(
    name: str, sizes: list[int], duration: int = 180180, timescale: int = 30000
) -> RenditionRecord:
    segments = []
    for n, size in enumerate(sizes):
        frags = [FragmentRecord(offset=0, size=size // 2, decode_time=n * duration, duration=duration // 2,  # noqa: E501
                                samples=90, sync=True, iframe_end=size // 4),
                 FragmentRecord(offset=size // 2, size=size // 2, decode_time=n * duration + duration // 2,  # noqa: E501
                                duration=duration // 2, samples=90, sync=True, iframe_end=size // 2 + size // 4)]  # fmt: skip  # noqa: E501
        segments.append(SegmentRecord(number=n + 1, uri=f"seg_{n + 1:05d}.m4s", decode_time=n * duration,  # noqa: E501
                                      duration=duration, size=size, starts_with_keyframe=True, fragments=frags))  # fmt: skip  # noqa: E501
    return RenditionRecord(
        name=name, timescale=timescale, codec="avc1.64001f", init_sha256="x", segments=segments
    )


def test_manifests_agree_and_parse(tmp_path: Path) -> None:
    video = [
        renditions.VideoRendition(_record("720p", [600_000, 900_000]), PLAN.rungs[1], "30000/1001")
    ]
    audio_rec = _record("en", [96_000, 96_000], duration=288000, timescale=48000).model_copy(
        update={"codec": "mp4a.40.2"}
    )
    audio = [AudioTrackRecord(rendition=audio_rec, language="en", default=True, source_index=1)]
    subs = [
        SubtitleRecord(language="fr", name="Français", uri="subtitles/fr.vtt", source="x", cues=2)
    ]
    master = m3u8.loads(hls.master_playlist(video, audio, subs))
    variant = master.playlists[0]
    assert variant.stream_info.bandwidth == renditions.peak_bitrate(
        video[0].record
    ) + renditions.peak_bitrate(audio_rec)
    assert variant.stream_info.average_bandwidth == 999_001 + 128_000  # bytes*8 / 12.012 s
    assert variant.stream_info.codecs == "avc1.64001f,mp4a.40.2"
    assert {m.type for m in master.media} == {"AUDIO", "SUBTITLES"}
    assert master.iframe_playlists[0].uri == "video/720p/iframes.m3u8"
    media = m3u8.loads(hls.media_playlist(video[0].record))
    assert [s.duration for s in media.segments] == [6.006, 6.006] and media.target_duration == 6
    iframes = m3u8.loads(hls.iframe_playlist(video[0].record))
    assert iframes.is_i_frames_only and iframes.segments[1].byterange == "150000@300000"
    (tmp_path / "m.mpd").write_text(dash.mpd(video, audio, subs, 12.012))
    mpd = MPEGDASHParser.parse(str(tmp_path / "m.mpd"))
    sets = mpd.periods[0].adaptation_sets
    assert [a.content_type for a in sets] == ["video", "audio", "text"]
    timeline = sets[0].representations[0].segment_templates[0].segment_timelines[0].Ss
    assert (timeline[0].t, timeline[0].d, timeline[0].r) == (0, 180180, 1)


def test_subtitle_timing_is_preserved_and_styling_cleaned() -> None:
    srt = "1\r\n00:01:00,000 --> 00:01:02,5\r\n<font color=red>Hi</font> {\\an8}there\r\n\r\n2\n1:00:00,100 --> 1:00:01,000\nLate\n"  # noqa: E501
    vtt, cues = subtitles.to_webvtt(srt, "x.srt")
    assert cues == 2 and vtt.startswith("WEBVTT\n")
    assert "00:01:00.000 --> 00:01:02.500\nHi there" in vtt
    assert "01:00:00.100 --> 01:00:01.000" in vtt
    again, _ = subtitles.to_webvtt(vtt, "x.vtt")
    assert again == vtt
    with pytest.raises(subtitles.SubtitleError):
        subtitles.to_webvtt("just words", "bad.srt")


def test_thumbnail_index_and_poster_choice() -> None:
    record = TrickplayRecord(interval=5, tile_width=160, tile_height=90, columns=2, rows=2,
                             sheets=[SheetRecord(uri="trickplay/a.jpg", first=0, count=4),
                                     SheetRecord(uri="trickplay/b.jpg", first=4, count=1)])  # fmt: skip  # noqa: E501
    vtt = trickplay.thumbnails_vtt(record, 22.0)
    assert "00:00:15.000 --> 00:00:20.000\ntrickplay/a.jpg#xywh=160,90,160,90" in vtt
    assert "00:00:20.000 --> 00:00:22.000\ntrickplay/b.jpg#xywh=0,0,160,90" in vtt
    frames = trickplay.parse_frame_metadata(
        "frame:0    pts:0       pts_time:0\nlavfi.scene_score=0.5\nlavfi.blur=3.2\n"
        "frame:1    pts:10      pts_time:2.5\nlavfi.blur=1.5\n"
    )
    assert frames == [{"time": 0.0, "scene_score": 0.5, "blur": 3.2}, {"time": 2.5, "blur": 1.5}]
    cands = [
        PosterCandidate(uri=str(t), time=t, blur=b, scene=0)
        for t, b in [(1, 2.0), (1.5, 1.0), (9, 3.0)]
    ]
    assert [c.time for c in trickplay.choose_posters(cands, 2, 2.0)] == [1.5, 9]


def test_quality_logs_sum_and_average() -> None:
    sums = quality.sums_from_logs(
        "n:1 mse_avg:1.00 mse_y:1 psnr_avg:48.13\nn:2 mse_avg:3.00 mse_y:3 psnr_avg:43.36\n",
        "n:1 Y:0.99 U:0.99 V:0.99 All:0.99 (20)\nn:2 Y:0.97 All:0.97 (15)\n",
        json.dumps({"frames": [{"metrics": {"vmaf": 90.0}}, {"metrics": {"vmaf": 80.0}}]}),
    )
    q = quality_from(sums, "ref")
    assert q.frames_compared == 2 and q.psnr == pytest.approx(45.121, abs=1e-3)
    assert q.ssim == pytest.approx(0.98) and q.vmaf == 85.0 and q.psnr_min == 43.36


def test_progress_json_lines_never_go_backwards() -> None:
    out = io.StringIO()
    reporter = Reporter(json_lines=True, stream=out)
    reporter.begin("encode", chunk=0, chunks=1)
    reporter.update(0.5)
    reporter.update(0.2)
    reporter.done("complete")
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert events[0] == {"event": "stage", "stage": "encode", "chunk": 0, "chunks": 1}
    percents = [e["percent"] for e in events if e["event"] == "progress"]
    assert percents == sorted(percents)
    assert events[-1] == {"event": "done", "status": "complete"}


def test_ffmpeg_progress_blocks() -> None:
    blocks = list(
        progress_blocks(
            ["frame=10", "out_time_us=400000", "progress=continue", "frame=20", "progress=end"]
        )
    )
    assert blocks == [
        {"frame": "10", "out_time_us": "400000", "progress": "continue"},
        {"frame": "20", "progress": "end"},
    ]


@pytest.mark.parametrize(
    ("value", "ok"), [("0/4", (0, 4)), ("3/4", (3, 4)), ("4/4", None), ("x/2", None), ("2", None)]
)
def test_chunk_argument(value: str, ok: tuple[int, int] | None) -> None:
    if ok is None:
        with pytest.raises(BadArguments):
            parse_chunk(value)
    else:
        assert parse_chunk(value) == ok
    assert parse_subtitle("fr=a=b.srt") == ("fr", "a=b.srt")
