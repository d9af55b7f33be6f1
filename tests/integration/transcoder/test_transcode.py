"""``kinema transcode`` end to end on generated sources, checked like a player would."""

from __future__ import annotations

import json
from pathlib import Path

import m3u8
import pytest

from tests.integration.transcoder.conftest import (
    check_output,
    dash_timeline,
    hls_segments,
    kinema,
    video_duration,
)
from tests.utils.media import SRT_SAMPLE, Source, ffprobe, frame_info

pytestmark = pytest.mark.integration


def test_16x9_languages_subtitles_trickplay_and_progress(source, transcode, tmp_path):
    src = source(Source(size="1280x720", audio_languages=("eng", "fra"), subtitles=("fra",)))
    sidecar = tmp_path / "de.srt"
    sidecar.write_text(
        SRT_SAMPLE.replace("00:00:03,000", "00:01:00,000").replace("00:00:04,250", "00:01:02,000")
    )
    run = transcode(src, "--subtitle", f"de={sidecar}")
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, src)

    sizes = [(r["width"], r["height"]) for r in report["renditions"] if r["kind"] == "video"]
    assert sizes == [(1280, 720), (640, 360), (416, 234), (256, 144)]
    assert report["encoder"]["video"] == {"h264": "libx264"} and report["encoder"]["reason"]
    master = m3u8.load(str(run.outdir / "master.m3u8"))
    audio = [m for m in master.media if m.type == "AUDIO"]
    subs = [m for m in master.media if m.type == "SUBTITLES"]
    assert sorted(m.language for m in audio) == ["en", "fr"]
    assert sorted(m.language for m in subs) == ["de", "fr"]
    assert all("mp4a.40.2" in p.stream_info.codecs for p in master.playlists)
    for v in (r for r in report["renditions"] if r["kind"] == "video"):
        assert v["quality"]["psnr"] > 25 and v["quality"]["ssim"] > 0.8, v

    # A sidecar cue at one minute stays at one minute; embedded cues keep their times.
    de = (run.outdir / "subtitles" / "de.vtt").read_text()
    assert "00:01:00.000 --> 00:01:02.000" in de and "<font" not in de and "{\\an8}" not in de
    fr = (run.outdir / "subtitles" / "fr.vtt").read_text()
    assert "00:00:00.500 --> 00:00:01.500" in fr

    # Trickplay: one tile per second, each cue pointing into an existing sheet.
    vtt = (run.outdir / "thumbnails.vtt").read_text().split("\n\n")
    cues = [c for c in vtt[1:] if "-->" in c]
    assert len(cues) == 4
    for cue in cues:
        target = cue.splitlines()[1]
        sheet, _, xywh = target.partition("#xywh=")
        assert (run.outdir / sheet).is_file() and len(xywh.split(",")) == 4
    posters = report["posters"]
    assert posters and all((run.outdir / p["uri"]).is_file() for p in posters)

    events = run.events()
    assert events[-1] == {**events[-1], "event": "done", "status": "complete"}
    percents = [e["percent"] for e in events if e["event"] == "progress"]
    assert percents == sorted(percents) and percents[-1] <= 100


def test_4x3_keeps_aspect_and_drops_rungs_above_the_source(source, transcode):
    src = source(Source(size="480x360", audio_languages=()))
    run = transcode(src, "--no-quality")
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, src)
    sizes = [(r["width"], r["height"]) for r in report["renditions"]]
    assert sizes == [(480, 360), (312, 234), (192, 144)]
    assert [d["name"] for d in report["dropped"]] == ["720p"]
    master = m3u8.load(str(run.outdir / "master.m3u8"))
    assert not master.media and all(p.stream_info.codecs.count(",") == 0 for p in master.playlists)


def test_rotated_phone_video_is_encoded_upright(source, transcode):
    src = source(Source(size="640x360", rotate=90))
    run = transcode(src, "--no-quality")
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, src)
    top = report["renditions"][0]
    assert (top["width"], top["height"]) == (360, 640)
    stream = ffprobe(run.outdir / "video" / top["name"] / "index.m3u8", "-show_streams")["streams"]
    video = next(s for s in stream if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (360, 640)


def test_vfr_source_becomes_constant_frame_rate(source, transcode):
    src = source(Source(vfr=True, audio_languages=()))
    run = transcode(src, "--no-quality")
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, src)
    assert report["plan"]["frameRate"] == "25/1"
    top = run.outdir / "video" / report["renditions"][0]["name"] / "index.m3u8"
    times = [float(f["pts_time"]) for f in frame_info(top)]
    steps = {round(b - a, 4) for a, b in zip(times, times[1:], strict=False)}  # noqa: RUF007
    assert steps == {0.04}


def test_hdr10_source_is_tone_mapped_to_sdr(source, transcode):
    src = source(Source(hdr10=True, audio_languages=()))
    run = transcode(src, "--no-quality")
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, src)
    assert report["plan"]["tonemap"] is True
    stream = ffprobe(run.outdir / "video/360p/index.m3u8", "-show_streams")["streams"][0]
    assert stream["pix_fmt"] == "yuv420p"
    assert stream.get("color_transfer") != "smpte2084"


def test_four_chunks_stitch_to_the_one_chunk_timeline(source, fast_ladder, tmp_path):
    src = source(Source(duration=7.0))
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    assert kinema("transcode", src, whole, "--ladder", fast_ladder, "--no-quality").returncode == 0
    for i in range(4):
        proc = kinema(
            "transcode", src, parts, "--ladder", fast_ladder, "--chunk", f"{i}/4", "--no-quality"
        )
        assert proc.returncode == 0, proc.stderr
        assert not (parts / "master.m3u8").exists(), "a chunk must not look complete"
    proc = kinema("package", parts)
    assert proc.returncode == 0, proc.stderr
    check_output(parts, src)
    assert not (parts / "chunks").exists()
    for rung in ("360p", "234p", "144p"):
        assert hls_segments(parts / f"video/{rung}/index.m3u8") == hls_segments(
            whole / f"video/{rung}/index.m3u8"
        )
        assert dash_timeline(parts / "manifest.mpd", rung) == dash_timeline(
            whole / "manifest.mpd", rung
        )
        assert video_duration(parts / f"video/{rung}/index.m3u8") == video_duration(
            whole / f"video/{rung}/index.m3u8"
        )
    # Audio (encoded once) spans the same time as the video: no drift at the end.
    audio = ffprobe(parts / "audio/en/index.m3u8", "-show_format")["format"]
    assert abs(float(audio["duration"]) - video_duration(parts / "video/360p/index.m3u8")) < 0.1
    report = json.loads((parts / "kinema.json").read_text())
    assert report["chunks"] == 4 and len(report["timing"]["chunkWallS"]) == 4


def test_package_refuses_missing_chunks(source, fast_ladder, tmp_path):
    src = source(Source(duration=5.0, audio_languages=()))
    out = tmp_path / "out"
    proc = kinema("transcode", src, out, "--ladder", fast_ladder, "--chunk", "0/2", "--no-quality")
    assert proc.returncode == 0, proc.stderr
    proc = kinema("package", out)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "chunks missing: [1]" in proc.stderr
    assert not (out / "master.m3u8").exists()


def test_s3_source_and_output(source, fast_ladder, s3_env, s3_prefix, tmp_path, monkeypatch):
    monkeypatch.setenv("KINEMA_SOURCE_BUCKETS", s3_env.bucket)  # s3:// sources: named buckets
    src = source(Source(duration=3.0))
    client = s3_env.client()
    s3_prefix = s3_prefix.rstrip("/")
    client.upload_file(str(src), s3_env.bucket, f"{s3_prefix}/raw/movie.mp4")
    src_url = f"s3://{s3_env.bucket}/{s3_prefix}/raw/movie.mp4"
    out_url = f"s3://{s3_env.bucket}/{s3_prefix}/processed/movie"
    proc = kinema("transcode", src_url, out_url, "--ladder", fast_ladder, "--no-quality")
    assert proc.returncode == 0, proc.stderr
    listed = client.list_objects_v2(Bucket=s3_env.bucket, Prefix=f"{s3_prefix}/processed/movie/")
    keys = {
        o["Key"].removeprefix(f"{s3_prefix}/processed/movie/") for o in listed.get("Contents", [])
    }
    assert {"master.m3u8", "manifest.mpd", "kinema.json", "video/360p/init.mp4"} <= keys
    local = tmp_path / "download"
    for key in keys:
        target = local / key
        target.parent.mkdir(parents=True, exist_ok=True)
        client.download_file(s3_env.bucket, f"{s3_prefix}/processed/movie/{key}", str(target))
    check_output(local, src)


def test_real_clip(transcode):
    clip = Path(__file__).parents[2] / "fixtures" / "media" / "bigbuckbunny.mp4"
    run = transcode(clip)
    assert run.returncode == 0, run.stderr
    report = check_output(run.outdir, clip)
    assert report["renditions"][0]["width"] == 1280 and report["renditions"][-1]["kind"] == "audio"
