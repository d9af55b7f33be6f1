from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from kinema.catalog.models import TrackKind, VideoStatus
from kinema.settings import Settings
from kinema_api.worker.outputs import IncompleteOutput, parse_progress_line, upsert_from_report
from kinema_api.worker.pool import _last_message, transcode_command


@pytest.mark.parametrize(
    ("line", "progress", "stage"),
    [
        ('{"progress": 0.25, "stage": "encode"}', 0.25, "encode"),
        ('{"percent": 50, "phase": "package"}', 0.5, "package"),
        ('{"progress": 75}', 0.75, ""),
        ('{"progress": 2.5}', 0.025, ""),
        ('{"event": "done"}', None, "done"),
    ],
)
def test_progress_lines(line: str, progress: float | None, stage: str) -> None:
    event = parse_progress_line(line)
    assert event is not None
    assert event.progress == (pytest.approx(progress) if progress is not None else None)
    assert event.stage == stage


@pytest.mark.parametrize("line", ["", "frame=10 fps=25", "[1, 2]", "{broken", "  "])
def test_non_json_lines_are_ignored(line: str) -> None:
    assert parse_progress_line(line) is None


def test_error_line() -> None:
    event = parse_progress_line('{"error": {"message": "not a video", "code": "x"}}')
    assert event is not None and event.error == "not a video"


REPORT = {
    "status": "complete",
    "manifests": {"hls": "master.m3u8", "dash": "manifest.mpd"},
    "duration": 20.04,
    "probe": {"duration": 20.04, "formatName": "mov,mp4"},
    "renditions": [
        {
            "name": "720p",
            "kind": "video",
            "codec": "avc1.64001f",
            "width": 1280,
            "height": 720,
            "playlist": "video/720p/index.m3u8",
            "averageBitrate": 2_500_000,
            "bytes": 6_000_000,
            "quality": {"psnr": 41.2, "vmaf": 93.1},
        },
        {
            "name": "und",
            "kind": "audio",
            "codec": "mp4a.40.2",
            "language": "und",
            "playlist": "audio/und/index.m3u8",
            "averageBitrate": 128_000,
            "bytes": 1,
        },
    ],
    "subtitles": [{"language": "fr", "name": "Français", "uri": "subs/fr.vtt", "cues": 3}],
    "posters": [{"uri": "posters/p0.jpg", "time": 1.0, "blur": 1, "scene": 0.5}],
}


def test_report_to_catalog() -> None:
    vid = uuid.uuid4()
    data = upsert_from_report(
        REPORT,
        video_id=vid,
        generation=3,
        output_prefix="processed/x/3",
        files={"master.m3u8", "manifest.mpd", "thumbnails.vtt"},
    )
    assert data.status is VideoStatus.READY
    assert (data.video_id, data.generation, data.output_prefix) == (vid, 3, "processed/x/3")
    assert (data.hls_path, data.dash_path, data.thumbnails_path) == (
        "master.m3u8",
        "manifest.mpd",
        "thumbnails.vtt",
    )
    assert data.poster_path == "posters/p0.jpg"
    assert data.duration_s == pytest.approx(20.04)
    assert data.renditions is not None and data.tracks is not None
    [rung] = data.renditions
    assert (rung.name, rung.height, rung.bitrate, rung.vmaf) == ("720p", 720, 2_500_000, 93.1)
    assert [(t.kind, t.language) for t in data.tracks] == [
        (TrackKind.AUDIO, "und"),
        (TrackKind.SUBTITLE, "fr"),
    ]


def test_incomplete_report_is_refused() -> None:
    failed = {"status": "failed", "error": {"message": "source is not a video"}}
    with pytest.raises(IncompleteOutput, match="not a video"):
        upsert_from_report(failed, video_id=None, generation=1, output_prefix="p", files=set())
    no_hls = {"status": "complete", "manifests": {}}
    with pytest.raises(IncompleteOutput, match="HLS"):
        upsert_from_report(no_hls, video_id=None, generation=1, output_prefix="p", files=set())


def test_transcode_command(tmp_path: Path) -> None:
    custom = Settings(data_dir=tmp_path, transcode_command="/opt/kinema/bin/kinema --quiet")
    assert transcode_command(custom) == ["/opt/kinema/bin/kinema", "--quiet"]
    default = transcode_command(Settings(data_dir=tmp_path))
    # The venv's console script, or the interpreter running the same entry point.
    assert default[0].endswith("/kinema") or default[1] == "-c"


def test_last_message_skips_box_drawing(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    log.write_text("Error: source is not a video\n╭──────╮\n│      │\n╰──────╯\n")
    assert _last_message(log) == "Error: source is not a video"
    log.write_text("")
    assert _last_message(log) is None
