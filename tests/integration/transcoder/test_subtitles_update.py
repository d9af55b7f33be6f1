"""``kinema subtitles``: a complete output gets a new sidecar set without a re-encode."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import m3u8
import pytest
from mpegdash.parser import MPEGDASHParser

from tests.integration.transcoder.conftest import check_output, kinema
from tests.utils.media import SRT_SAMPLE, Source

pytestmark = pytest.mark.integration

SPANISH = "1\n00:00:00,200 --> 00:00:01,800\nHola desde el sidecar\n"


def media_files(outdir: Path) -> dict[str, tuple[str, int]]:
    """Every media file's content hash and modification time (ns)."""
    out: dict[str, tuple[str, int]] = {}
    for folder in ("video", "audio"):
        for path in sorted((outdir / folder).rglob("*")):
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[path.relative_to(outdir).as_posix()] = (digest, path.stat().st_mtime_ns)
    return out


def languages(outdir: Path) -> tuple[list[str], list[str]]:
    master = m3u8.load(str(outdir / "master.m3u8"))
    hls = sorted(m.language for m in master.media if m.type == "SUBTITLES")
    mpd = MPEGDASHParser.parse(str(outdir / "manifest.mpd"))
    dash = sorted(a.lang for a in mpd.periods[0].adaptation_sets if a.content_type == "text")
    return hls, dash


def test_sidecars_are_replaced_in_place(source, transcode, tmp_path):
    src = source(Source(duration=5.0, subtitles=("fra",)))
    german = tmp_path / "de.srt"
    german.write_text(SRT_SAMPLE)
    run = transcode(src, "--subtitle", f"de={german}", "--no-quality")
    assert run.returncode == 0, run.stderr
    before = media_files(run.outdir)
    assert before and languages(run.outdir) == (["de", "fr"], ["de", "fr"])

    spanish = tmp_path / "es.srt"
    spanish.write_text(SPANISH)
    proc = kinema("subtitles", run.outdir, "--subtitle", f"es={spanish}", "--json-progress")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert events[-1]["event"] == "done" and events[-1]["status"] == "complete"

    # The embedded French track stays, German is gone, Spanish is new; no media moved.
    assert languages(run.outdir) == (["es", "fr"], ["es", "fr"])
    assert media_files(run.outdir) == before
    assert not (run.outdir / "subtitles" / "de.vtt").exists()
    assert not (run.outdir / "subtitles" / "de.m3u8").exists()
    es = (run.outdir / "subtitles" / "es.vtt").read_text()
    assert es.startswith("WEBVTT") and "Hola desde el sidecar" in es
    report = check_output(run.outdir, src)
    assert [(s["language"], s["source"]) for s in report["subtitles"]] == [
        ("fr", report["subtitles"][0]["source"]),
        ("es", str(spanish)),
    ]
    assert report["subtitles"][0]["source"].startswith("embedded:")

    # No sidecar at all: only what the source carries is left.
    proc = kinema("subtitles", run.outdir)
    assert proc.returncode == 0, proc.stderr
    assert languages(run.outdir) == (["fr"], ["fr"])
    assert not (run.outdir / "subtitles" / "es.vtt").exists()
    assert media_files(run.outdir) == before
    check_output(run.outdir, src)


def test_a_bad_sidecar_leaves_the_output_as_it_was(source, transcode, tmp_path):
    src = source(Source(duration=2.0))
    german = tmp_path / "de.srt"
    german.write_text(SRT_SAMPLE)
    run = transcode(src, "--subtitle", f"de={german}", "--no-quality")
    assert run.returncode == 0, run.stderr
    files = {p: p.read_bytes() for p in run.outdir.rglob("*") if p.is_file()}

    empty = tmp_path / "empty.srt"
    empty.write_text("not a subtitle\n")
    proc = kinema(
        "subtitles", run.outdir, "--subtitle", f"de={german}", "--subtitle", f"it={empty}"
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--subtitle it=" in proc.stderr
    assert {p: p.read_bytes() for p in run.outdir.rglob("*") if p.is_file()} == files

    proc = kinema("subtitles", tmp_path / "nowhere")
    assert proc.returncode == 1 and "no kinema.json" in proc.stderr


def names(outdir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Language -> the track name players show, in the HLS master and the DASH MPD."""
    master = m3u8.load(str(outdir / "master.m3u8"))
    hls = {m.language: m.name for m in master.media if m.type == "SUBTITLES"}
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    root = ET.parse(outdir / "manifest.mpd").getroot()  # noqa: S314 - our own output
    dash = {
        a.get("lang", ""): a.findtext("d:Label", "", ns)
        for a in root.iterfind("d:Period/d:AdaptationSet[@contentType='text']", ns)
    }
    return hls, dash


def test_sidecar_labels_name_the_tracks(source, transcode, tmp_path):
    src = source(Source(duration=2.0))
    german = tmp_path / "de.srt"
    german.write_text(SRT_SAMPLE)
    # A double quote cannot stand in an HLS quoted string: it becomes a single quote.
    run = transcode(
        src, "--subtitle", f"de={german}", "--subtitle-label", 'de=Deutsch "SDH"', "--no-quality"
    )
    assert run.returncode == 0, run.stderr
    assert names(run.outdir) == ({"de": "Deutsch 'SDH'"}, {"de": "Deutsch 'SDH'"})
    check_output(run.outdir, src)

    spanish = tmp_path / "es.srt"
    spanish.write_text(SPANISH)
    proc = kinema(
        "subtitles", run.outdir, "--subtitle", f"es={spanish}", "--subtitle-label",
        "es=Español (España)",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert names(run.outdir) == ({"es": "Español (España)"}, {"es": "Español (España)"})

    # A label must name a sidecar given with --subtitle.
    proc = kinema("subtitles", run.outdir, "--subtitle-label", "it=Italiano")
    assert proc.returncode == 2
    assert "--subtitle-label 'it=Italiano': no --subtitle it=... given" in proc.stderr
