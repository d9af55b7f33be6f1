"""The operator's small pure pieces: names and digests, Job/Pod views, failure lines,
conditions, Ladder status and GPU defaults, catalog records, status patches."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kinema.catalog.models import TitleKind, TrackKind, VideoStatus
from kinema.output import TranscodeReport
from kinema.resources.common import ConditionStatus
from kinema.resources.ladder import EncoderPreference, LadderSpec, Preset, load_ladder
from kinema.resources.video import Chapters, VideoSpec
from kinema_operator import conditions
from kinema_operator import ladder as ladders
from kinema_operator.run import default_priority
from kinema_operator.video import identity
from kinema_operator.video.status import status_patch
from kinema_operator.video.upserts import metadata_upsert, ready_upsert
from kinema_operator.video.views import (
    NOT_STARTED,
    JobView,
    PodView,
    failure_line,
    last_failure,
)

SPEC = VideoSpec(source="s3://media-bucket/raw/a.mp4", title="A")
LADDER = load_ladder("default")


def test_digest_follows_what_the_output_depends_on() -> None:
    base = identity.digest(SPEC, LADDER)
    assert base == identity.digest(SPEC.model_copy(update={"title": "Renamed"}), LADDER)
    assert base != identity.digest(SPEC.model_copy(update={"source": "s3://b-1/x.mp4"}), LADDER)
    faster = LADDER.model_copy(update={"preset": Preset.ULTRAFAST})
    assert base != identity.digest(SPEC, faster)
    assert base != identity.digest(SPEC.model_copy(update={"revision": 1}), LADDER)
    chapters = Chapters(intro_start_seconds=1, intro_end_seconds=5)
    assert base == identity.digest(SPEC.model_copy(update={"chapters": chapters}), LADDER)
    assert len(base) == identity.DIGEST_LENGTH


def test_child_names_fit_in_a_label() -> None:
    assert identity.job_name("clip", identity.Step.PROBE, "abc") == "clip-probe-abc"
    long = "v" * 250
    name = identity.job_name(long, identity.Step.TRANSCODE, "0123456789")
    assert len(name) <= 63 and name.endswith("-transcode-0123456789")
    assert name != identity.job_name("w" * 250, identity.Step.TRANSCODE, "0123456789")
    assert len(identity.video_label(long)) <= 63


def _job(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "clip-transcode-d1",
            "labels": {"kinema.dev/step": "transcode", "kinema.dev/digest": "d1"},
        },
        "spec": {"completions": 4, "suspend": False},
        "status": status,
    }


def test_job_view_reads_completions_and_final_conditions() -> None:
    running = JobView.parse(_job(succeeded=3, active=1))
    assert running.step is identity.Step.TRANSCODE and running.digest == "d1"
    assert running.fraction_done == 0.75 and not running.finished
    failed = JobView.parse(
        _job(
            failed=1,
            conditions=[
                {"type": "FailureTarget", "status": "True"},
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"},
            ],
        )
    )
    assert failed.failed_final and failed.finished
    assert failed.failure_reason == "BackoffLimitExceeded"
    complete = JobView.parse(_job(succeeded=4, conditions=[{"type": "Complete", "status": "True"}]))
    assert complete.complete and complete.fraction_done == 1.0
    odd = JobView.parse({"metadata": {"name": "x", "labels": {"kinema.dev/step": "dance"}}})
    assert odd.step is None and odd.completions == 1


LOG_TAIL = "\n".join(
    [
        json.dumps({"event": "progress", "stage": "probe", "percent": 0}),
        json.dumps({"event": "error", "code": "unsupported_source", "message": "from json"}),
        "error: s3://b/x.mp4 is not a media file ffprobe can read: moov atom not found",
    ]
)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (LOG_TAIL, "s3://b/x.mp4 is not a media file ffprobe can read: moov atom not found"),
        (LOG_TAIL.rsplit("\n", 1)[0], "from json"),
        ("Traceback...\nKeyError: 'x'\n", "KeyError: 'x'"),
        ("", ""),
    ],
)
def test_failure_line_prefers_the_transcoders_own_words(message: str, line: str) -> None:
    assert failure_line(message) == line


def _pod(name: str, phase: str, started: str, message: str = "", code: int = 1) -> dict[str, Any]:
    terminated = {"exitCode": code, "reason": "Error", "message": message}
    return {
        "metadata": {"name": name, "labels": {"batch.kubernetes.io/job-name": "j"}},
        "status": {
            "phase": phase,
            "startTime": started,
            "containerStatuses": [{"state": {"terminated": terminated}}],
        },
    }


def test_last_failure_is_the_latest_failed_pod() -> None:
    pods = [
        PodView.parse(_pod("a", "Failed", "2026-01-01T00:00:01Z", "error: first")),
        PodView.parse(_pod("b", "Failed", "2026-01-01T00:00:09Z", "error: second")),
        PodView.parse(_pod("c", "Succeeded", "2026-01-01T00:00:10Z", code=0)),
    ]
    assert pods[0].job == "j" and pods[0].exit_code == 1
    assert last_failure(pods) == "second"
    silent = [PodView.parse(_pod("d", "Failed", "2026-01-01T00:00:01Z", code=137))]
    assert last_failure(silent) == "exited with code 137 (Error)"
    assert last_failure([]) == ""


def test_conditions_keep_their_transition_time_while_unchanged() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    first = conditions.merge(
        [], [conditions.condition("Ready", False, "Probing", generation=1)], t0
    )
    same = conditions.merge(
        first, [conditions.condition("Ready", False, "Encoding", generation=1)], t0 + timedelta(1)
    )
    assert same[0].last_transition_time == t0 and same[0].reason == "Encoding"
    flipped = conditions.merge(
        same, [conditions.condition("Ready", True, "Done", generation=2)], t0 + timedelta(2)
    )
    assert flipped[0].last_transition_time == t0 + timedelta(2)
    assert flipped[0].status is ConditionStatus.TRUE
    assert conditions.is_true(flipped, "Ready") and not conditions.is_true(flipped, "Failed")


def _ladder_body(spec: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Ladder", "metadata": {"name": "l", "generation": 3}, "spec": spec}


def test_ladder_status_accepts_or_explains() -> None:
    good = ladders.ladder_status(_ladder_body({"rungs": [{"height": 360, "bitrateKbps": 500}]}))
    assert ladders.is_valid(good) and good["rungs"] == 1 and good["observedGeneration"] == 3
    # What the CRD schema cannot check: segments must be whole GOPs.
    bad = ladders.ladder_status(
        _ladder_body(
            {"rungs": [{"height": 360, "bitrateKbps": 500}], "segmentSeconds": 5, "gopSeconds": 2}
        )
    )
    assert not ladders.is_valid(bad)
    assert "whole multiple of gopSeconds" in ladders.message(bad)


GPU = {
    "resourceName": "nvidia.com/gpu",
    "nodeSelector": {"pool": "gpu"},
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    "runtimeClassName": "nvidia",
}


def test_gpu_defaults_fill_only_an_nvenc_ladder_without_scheduling() -> None:
    nvenc = LADDER.model_copy(update={"encoder": EncoderPreference.NVENC})
    filled = ladders.with_gpu_defaults(nvenc, GPU)
    assert filled.scheduling.resources.limits == {"nvidia.com/gpu": "1"}
    assert filled.scheduling.node_selector == {"pool": "gpu"}
    assert filled.scheduling.runtime_class_name == "nvidia"
    assert ladders.with_gpu_defaults(LADDER, GPU) is LADDER  # auto: CPU is fine
    assert ladders.with_gpu_defaults(nvenc, {}) is nvenc
    placed = LadderSpec.model_validate(
        {**nvenc.model_dump(by_alias=True), "scheduling": {"nodeSelector": {"mine": "yes"}}}
    )
    assert ladders.with_gpu_defaults(placed, GPU) is placed


REPORT = TranscodeReport.model_validate(
    {
        "status": "complete",
        "manifests": {"hls": "master.m3u8", "dash": "manifest.mpd"},
        "duration": 8.0,
        "renditions": [
            {"name": "720p", "kind": "video", "codec": "avc1", "width": 1280, "height": 720,
             "playlist": "video/720p/index.m3u8", "averageBitrate": 4000000, "bytes": 10},
            {"name": "en", "kind": "audio", "codec": "mp4a.40.2", "language": "en",
             "playlist": "audio/en/index.m3u8"},
            {"name": "fr", "kind": "audio", "codec": "mp4a.40.2", "language": "fr",
             "playlist": "audio/fr/index.m3u8"},
        ],
        "subtitles": [{"language": "de", "name": "Deutsch", "uri": "subtitles/de.vtt"}],
    }
)  # fmt: skip


def test_ready_upsert_carries_renditions_tracks_and_paths() -> None:
    spec = VideoSpec.model_validate(
        {
            "source": "s3://media-bucket/raw/e.mkv",
            "title": "Pilot",
            "type": "episode",
            "episode": {"series": "Show", "season": 1, "number": 1},
            "maturityRating": "16+",
            "audioTracks": [{"language": "fr", "label": "Français", "default": True}],
            "subtitles": [{"language": "de", "source": "s3://media-bucket/raw/e.de.srt",
                           "label": "German"}],
        }
    )  # fmt: skip
    data = ready_upsert("media", "pilot", spec, 4, "processed/media/pilot/d1", REPORT)
    assert data.resource_name == "media/pilot" and data.generation == 4
    assert data.kind is TitleKind.SERIES and data.series == "Show"
    assert data.status is VideoStatus.READY
    assert data.output_prefix == "processed/media/pilot/d1"
    assert (data.hls_path, data.dash_path) == ("master.m3u8", "manifest.mpd")
    assert [(r.name, r.height, r.bitrate) for r in data.renditions or []] == [
        ("720p", 720, 4000000)
    ]
    tracks = [(t.kind, t.language, t.label, t.is_default) for t in data.tracks or []]
    assert tracks == [
        (TrackKind.AUDIO, "en", "en", False),
        (TrackKind.AUDIO, "fr", "Français", True),
        (TrackKind.SUBTITLE, "de", "German", False),
    ]
    meta = metadata_upsert("media", "pilot", spec, 5)
    assert meta.status is None and meta.renditions is None and meta.title == "Pilot"


def test_status_patch_nulls_what_the_new_status_dropped() -> None:
    old = {"phase": "Failed", "message": "boom", "progress": 3}
    new = {"phase": "Probing", "progress": 2}
    assert status_patch(old, new) == {"phase": "Probing", "progress": 2, "message": None}


def test_default_priority_is_stable_per_pod_and_in_range() -> None:
    first = default_priority("kinema-operator-7d9f-abcde")
    assert first == default_priority("kinema-operator-7d9f-abcde")
    assert 1 <= first <= 10_000
    assert first != default_priority("kinema-operator-7d9f-fghij")
    assert 1 <= default_priority(None) <= 10_000


def test_example_plans_map_to_catalog_plans() -> None:
    from pathlib import Path

    import yaml

    from kinema.catalog.services.accounts import SAMPLE_PLANS
    from kinema.resources.plan import PlanSpec
    from kinema_operator.plan.catalog import catalog_plan, parse, plan_status

    examples = Path(__file__).resolve().parents[3] / "examples" / "plans.yaml"
    docs = list(yaml.safe_load_all(examples.read_text()))
    mapped = {
        d["metadata"]["name"]: catalog_plan(
            d["metadata"]["name"], PlanSpec.model_validate(d["spec"])
        )
        for d in docs
    }
    assert {k: (p.max_height, p.price_cents, p.concurrent_streams) for k, p in mapped.items()} == {
        "free": (480, 0, 1),
        "basic": (720, 999, 2),
        "premium": (2160, 1499, 4),
        "family": (2160, 1999, 4),
    }
    assert [k for k, p in mapped.items() if p.is_default] == ["free"]
    assert mapped["free"].ads and not mapped["premium"].ads
    # The examples match the built-in plans `kinema up` serves, download limits included.
    assert {k: (p.downloads, p.download_limit) for k, p in mapped.items() if p.downloads} == {
        "premium": (True, 25),
        "family": (True, 50),
    }
    assert {s.slug: s.download_limit for s in SAMPLE_PLANS if s.downloads} == {
        "premium": 25,
        "family": 50,
    }
    bad, why = parse({"spec": {**docs[2]["spec"], "downloadLimit": -1}})
    assert bad is None and why.startswith("invalid spec at downloadLimit")
    spec, error = parse({"spec": {"displayName": "X"}})
    assert spec is None and error.startswith("invalid spec at price")
    status = plan_status({"metadata": {"generation": 2}}, error)
    assert status["conditions"][0]["reason"] == "Invalid"
    assert status["observedGeneration"] == 2


def test_job_progress_leaves_out_what_no_decision_reads() -> None:
    assert JobView.parse(_job()).progress == NOT_STARTED
    running = _job(active=4, ready=4, startTime="2026-01-01T00:00:00Z")
    assert JobView.parse(running).progress == NOT_STARTED
    one = JobView.parse(_job(succeeded=1, active=3)).progress
    assert one != NOT_STARTED
    assert one == JobView.parse(_job(succeeded=1, active=2, uncountedTerminatedPods={})).progress
    complete = _job(succeeded=4, conditions=[{"type": "Complete", "status": "True"}])
    assert JobView.parse(complete).progress != JobView.parse(_job(succeeded=4)).progress
    failed = _job(conditions=[{"type": "Failed", "status": "True", "reason": "DeadlineExceeded"}])
    assert JobView.parse(failed).progress.failure_reason == "DeadlineExceeded"
