"""decide(): from what exists to what to do next, one step of a Video at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kinema.media import AudioInfo, ProbeSummary, VideoInfo
from kinema.output import ReuseRecord as ReportReuse
from kinema.output import TranscodeReport
from kinema.resources.ladder import LadderSpec
from kinema.resources.video import VideoPhase, VideoSpec, VideoStatus
from kinema_operator.video.identity import Step, job_name
from kinema_operator.video.jobs import JobConfig
from kinema_operator.video.observed import LadderChoice, Observed
from kinema_operator.video.planner import decide
from kinema_operator.video.status import Decision, format_duration
from kinema_operator.video.views import JobView

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
OWNER = {
    "apiVersion": "kinema.dev/v1alpha1",
    "kind": "Video",
    "metadata": {"name": "clip", "namespace": "media", "uid": "uid-1", "labels": {}},
}
LADDER = LadderSpec.model_validate(
    {
        "segmentSeconds": 2,
        "gopSeconds": 1,
        "rungs": [
            {"height": 144, "width": 256, "bitrateKbps": 120},
            {"height": 360, "width": 640, "bitrateKbps": 500},
            {"height": 1080, "width": 1920, "bitrateKbps": 5000},
        ],
        "chunking": {"chunks": 2},
    }
)
PROBE = ProbeSummary(
    format_name="mp4",
    duration=8.0,
    video=VideoInfo(index=0, codec="h264", width=640, height=360, frame_rate="24/1"),
    audio=[AudioInfo(index=1, codec="aac", channels=2, language="en")],
)
CONFIG = JobConfig(image="ghcr.io/kinema/transcoder:test")


def observed(**over: Any) -> Observed:
    values: dict[str, Any] = {
        "namespace": "media",
        "name": "clip",
        "generation": 1,
        "spec": VideoSpec(source="s3://media-bucket/raw/clip.mp4", title="Clip"),
        "status": VideoStatus(),
        "ladder": LadderChoice("tiny", LADDER),
        "digest": "d1",
        "source_url": "s3://media-bucket/raw/clip.mp4",
        "output_url": "s3://media-bucket/processed/media/clip/d1",
        "public_base": "https://cdn.example.com/processed/media/clip/d1",
        "subtitles_digest": "s1",
    }
    values.update(over)
    # Without sidecar subtitles the legacy (one-digest) formula gives the media digest.
    values.setdefault("legacy_digest", values["digest"])
    return Observed(**values)


def job(step: Step, digest: str = "d1", **over: Any) -> JobView:
    values: dict[str, Any] = {
        "name": job_name("clip", step, digest),
        "digest": digest,
        "step": step,
        "completions": 2 if step is Step.TRANSCODE else 1,
        "succeeded": 0,
        "failed": 0,
        "active": 1,
        "suspended": False,
        "complete": False,
        "failed_final": False,
        "failure_reason": "",
        "failure_message": "",
        "subtitles": "s1",
    }
    values.update(over)
    return JobView(**values)


def done(step: Step, digest: str = "d1") -> JobView:
    completions = 2 if step is Step.TRANSCODE else 1
    return job(step, digest, succeeded=completions, active=0, complete=True)


def run(obs: Observed) -> Decision:
    return decide(obs, CONFIG, OWNER, AT)


def cond(decision: Decision, type_: str) -> tuple[str, str]:
    found = next(c for c in decision.status.conditions if c.type == type_)
    return found.status.value, found.reason


REPORT = TranscodeReport.model_validate(
    {
        "status": "complete",
        "source": "s3://media-bucket/raw/clip.mp4",
        "manifests": {"hls": "master.m3u8", "dash": "manifest.mpd"},
        "trickplay": {"interval": 1},
        "posters": [{"uri": "posters/p0.jpg"}],
        "renditions": [
            {
                "name": "360p",
                "kind": "video",
                "codec": "avc1.64001e",
                "width": 640,
                "height": 360,
                "playlist": "video/360p/index.m3u8",
                "targetBitrateKbps": 500,
                "averageBitrate": 480000,
                "bytes": 1000,
                "segments": 4,
                "quality": {"psnr": 40.5, "ssim": 0.98},
            },
            {
                "name": "144p",
                "kind": "video",
                "codec": "avc1.64000c",
                "width": 256,
                "height": 144,
                "playlist": "video/144p/index.m3u8",
                "bytes": 300,
                "segments": 4,
            },
            {
                "name": "en",
                "kind": "audio",
                "codec": "mp4a.40.2",
                "language": "en",
                "playlist": "audio/en/index.m3u8",
                "bytes": 100,
                "segments": 4,
            },
        ],
    }
)


def test_a_new_video_starts_with_a_probe_job() -> None:
    decision = run(observed())
    assert [j["metadata"]["name"] for j in decision.create_jobs] == ["clip-probe-d1"]
    created = decision.create_jobs[0]
    assert created["metadata"]["ownerReferences"][0]["uid"] == "uid-1"
    assert created["metadata"]["ownerReferences"][0]["controller"] is True
    assert decision.status.phase is VideoPhase.PROBING
    assert cond(decision, "Ready") == ("False", "Probing")
    assert cond(decision, "Transcoding") == ("True", "Probing")
    assert cond(decision, "Failed") == ("False", "NoFailure")
    assert all(c.observed_generation == 1 for c in decision.status.conditions)
    assert [e.reason for e in decision.events] == ["Planned", "Probing"]


def test_a_running_probe_is_waited_for_not_duplicated() -> None:
    decision = run(observed(jobs=(job(Step.PROBE),)))
    assert decision.create_jobs == []
    assert decision.status.phase is VideoPhase.PROBING


def test_a_failed_probe_fails_the_video_with_the_pods_reason() -> None:
    failed = job(Step.PROBE, failed_final=True, failure_reason="BackoffLimitExceeded")
    why = "s3://media-bucket/raw/clip.mp4 is not a media file ffprobe can read"
    decision = run(observed(jobs=(failed,), failures={failed.name: why}))
    assert decision.status.phase is VideoPhase.FAILED
    assert cond(decision, "Failed") == ("True", "ProbeFailed")
    assert cond(decision, "Ready") == ("False", "ProbeFailed")
    assert why in (decision.status.message or "")
    assert decision.events[-1].type == "Warning"


def test_probed_video_gets_renditions_and_an_indexed_transcode() -> None:
    decision = run(observed(jobs=(done(Step.PROBE),), probe=PROBE))
    assert decision.status.phase is VideoPhase.TRANSCODING
    assert decision.status.progress == 5
    assert decision.status.duration == "8.0s"
    assert decision.status.chunks == 2
    (transcode,) = decision.create_jobs
    assert transcode["spec"]["completionMode"] == "Indexed"
    assert transcode["spec"]["completions"] == 2
    assert transcode["metadata"]["ownerReferences"][0]["kind"] == "Video"
    # Never upscale: the 1080 rung is dropped for a 640x360 source.
    names = sorted(r["spec"]["name"] for r in decision.renditions)
    assert names == ["144p", "360p", "audio-0"]
    assert all(r["metadata"]["ownerReferences"][0]["name"] == "clip" for r in decision.renditions)
    assert {s.phase.value for s in decision.rendition_status.values()} == {"Pending"}


def test_existing_renditions_of_the_digest_are_not_rewritten() -> None:
    have = {"clip-144p": "d1", "clip-360p": "d1", "clip-audio-0": "d1", "clip-720p": "d0"}
    decision = run(observed(jobs=(done(Step.PROBE),), probe=PROBE, renditions=have))
    assert decision.renditions == []
    assert decision.delete_renditions == ["clip-720p"]


def test_progress_follows_indexed_completions() -> None:
    half = job(Step.TRANSCODE, succeeded=1, active=1)
    decision = run(observed(jobs=(done(Step.PROBE), half), probe=PROBE))
    assert decision.create_jobs == []
    assert decision.status.progress == 5 + int(85 * 0.5)
    assert "1/2" in (decision.status.message or "")
    assert {s.progress for s in decision.rendition_status.values()} == {decision.status.progress}


def test_a_job_held_by_kueue_says_so() -> None:
    held = job(Step.TRANSCODE, active=0, suspended=True)
    ladder = LadderSpec.model_validate(
        {**LADDER.model_dump(by_alias=True), "scheduling": {"kueueQueueName": "gpu"}}
    )
    obs = observed(jobs=(done(Step.PROBE), held), probe=PROBE, ladder=LadderChoice("gpu", ladder))
    decision = run(obs)
    assert "Kueue" in (decision.status.message or "") and "gpu" in (decision.status.message or "")


def test_chunks_are_packaged_then_published() -> None:
    packaging = run(observed(jobs=(done(Step.PROBE), done(Step.TRANSCODE)), probe=PROBE))
    assert [j["metadata"]["name"] for j in packaging.create_jobs] == ["clip-package-d1"]
    assert packaging.status.phase is VideoPhase.PACKAGING

    jobs = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    ready = run(observed(jobs=jobs, probe=PROBE, report=REPORT))
    assert ready.create_jobs == []
    assert ready.publish and ready.prune_outputs
    assert ready.invalidate == []  # a new digest: new paths, nothing for a CDN to forget
    assert ready.status.phase is VideoPhase.READY and ready.status.progress == 100
    assert ready.status.published_digest == "d1"
    assert cond(ready, "Ready") == ("True", "Transcoded")
    assert cond(ready, "Transcoding") == ("False", "Idle")
    assert cond(ready, "Published") == ("False", "NotPublished")
    manifests = ready.status.manifests
    assert manifests is not None
    assert manifests.hls == "https://cdn.example.com/processed/media/clip/d1/master.m3u8"
    assert manifests.dash.endswith("/d1/manifest.mpd")
    assert manifests.thumbnails is not None and manifests.thumbnails.endswith("thumbnails.vtt")
    assert manifests.poster is not None and manifests.poster.endswith("posters/p0.jpg")
    by_name = ready.rendition_status
    assert by_name["clip-360p"].size_bytes == 1000
    assert by_name["clip-360p"].quality is not None and by_name["clip-360p"].quality.psnr == 40.5
    assert by_name["clip-audio-0"].output == "audio/en/index.m3u8"
    assert [r.name for r in ready.status.renditions] == ["360p", "144p", "audio-en"]


def test_published_spec_sets_the_published_condition() -> None:
    spec = VideoSpec(source="s3://media-bucket/raw/clip.mp4", title="Clip", published=True)
    jobs = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    ready = run(observed(spec=spec, jobs=jobs, probe=PROBE, report=REPORT))
    assert cond(ready, "Published") == ("True", "Published")


def test_an_unplayable_report_fails_with_its_error() -> None:
    broken = TranscodeReport.model_validate(
        {"status": "failed", "error": {"code": "encode_failed", "message": "x264 died"}}
    )
    jobs = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    decision = run(observed(jobs=jobs, probe=PROBE, report=broken))
    assert cond(decision, "Failed") == ("True", "OutputIncomplete")
    assert "x264 died" in (decision.status.message or "")


def test_a_single_chunk_needs_no_package_job() -> None:
    ladder = LadderSpec.model_validate({**LADDER.model_dump(by_alias=True), "chunking": {}})
    single = job(Step.TRANSCODE, completions=1, succeeded=1, active=0, complete=True)
    obs = observed(ladder=LadderChoice("one", ladder), jobs=(done(Step.PROBE), single))
    decision = run(replace(obs, probe=PROBE, report=REPORT))
    assert decision.create_jobs == []
    assert decision.status.phase is VideoPhase.READY


def ready_status() -> VideoStatus:
    jobs = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    return run(observed(jobs=jobs, probe=PROBE, report=REPORT)).status


def test_a_metadata_edit_of_a_ready_video_runs_nothing() -> None:
    status = ready_status()
    later = AT + timedelta(minutes=5)
    obs = observed(generation=2, status=status)
    decision = decide(obs, CONFIG, OWNER, later)
    assert decision.create_jobs == [] and not decision.publish
    assert decision.sync_metadata
    assert decision.status.phase is VideoPhase.READY
    ready = next(c for c in decision.status.conditions if c.type == "Ready")
    assert ready.observed_generation == 2
    assert ready.last_transition_time == AT  # still the time it became Ready


def test_a_live_video_follows_its_distribution_to_a_new_domain() -> None:
    status = ready_status()
    moved = "https://d111.cloudfront.net/processed/media/clip/d1"
    # Without a report (the URLs still match) the manifests stay as they are...
    kept = run(observed(status=status, public_base=moved))
    assert kept.status.manifests == status.manifests
    # ...with one (read because they did not match) they move, and nothing runs.
    decision = run(observed(status=status, public_base=moved, report=REPORT))
    assert decision.create_jobs == [] and not decision.publish
    assert decision.status.phase is VideoPhase.READY
    assert decision.status.manifests is not None
    assert decision.status.manifests.hls == f"{moved}/master.m3u8"
    assert decision.status.manifests.dash == f"{moved}/manifest.mpd"


def test_a_new_ladder_retranscodes_and_keeps_the_live_output() -> None:
    status = ready_status()
    stale = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    obs = observed(generation=2, status=status, digest="d2", jobs=stale)
    decision = run(obs)
    assert [j["metadata"]["name"] for j in decision.create_jobs] == ["clip-probe-d2"]
    assert sorted(decision.delete_jobs) == sorted(j.name for j in stale)
    assert decision.status.published_digest == "d1"
    assert decision.status.manifests == status.manifests
    assert cond(decision, "Ready") == ("False", "Probing")


def test_a_new_ladder_encodes_only_what_it_changed() -> None:
    live = "s3://media-bucket/processed/media/clip/d1"
    probed = observed(generation=2, status=ready_status(), digest="d2", probe=PROBE,
                      jobs=(done(Step.PROBE, "d2"),), reuse_url=live)  # fmt: skip
    [transcode] = run(probed).create_jobs
    args = transcode["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--reuse") + 1] == live
    # What was copied is told as an Event when the new output goes live.
    reused = REPORT.model_copy(
        update={"reused": ReportReuse(source=live, rungs=["144p"], audio=True)}
    )
    jobs = (done(Step.PROBE, "d2"), done(Step.TRANSCODE, "d2"), done(Step.PACKAGE, "d2"))
    ready = run(replace(probed, jobs=jobs, report=reused))
    assert ready.publish
    messages = {e.reason: e.message for e in ready.events}
    assert messages["Reused"] == "copied 144p and the audio from the previous output"
    assert "Reused" not in {e.reason for e in run(replace(probed, jobs=jobs, report=REPORT)).events}


def test_a_source_without_video_is_refused() -> None:
    audio_only = ProbeSummary(format_name="mp3", duration=3.0, audio=PROBE.audio)
    decision = run(observed(jobs=(done(Step.PROBE),), probe=audio_only))
    assert cond(decision, "Failed") == ("True", "UnsupportedSource")
    assert decision.create_jobs == []


def test_a_failure_stays_after_its_jobs_are_garbage_collected() -> None:
    failed = job(Step.PROBE, failed_final=True)
    first = run(observed(jobs=(failed,), failures={failed.name: "bad input"}))
    again = run(observed(status=first.status))
    assert again.create_jobs == []
    assert cond(again, "Failed") == ("True", "ProbeFailed")
    # A spec change (new generation) tries again.
    retry = run(observed(status=first.status, generation=2))
    assert [j["metadata"]["name"] for j in retry.create_jobs] == ["clip-probe-d1"]


def test_gpu_scheduling_reaches_the_transcode_job() -> None:
    ladder = LadderSpec.model_validate(
        {
            **LADDER.model_dump(by_alias=True),
            "scheduling": {
                "resources": {"limits": {"nvidia.com/gpu": "1"}},
                "nodeSelector": {"gpu": "l4"},
                "runtimeClassName": "nvidia",
                "kueueQueueName": "gpu",
            },
        }
    )
    obs = observed(ladder=LadderChoice("gpu", ladder), jobs=(done(Step.PROBE),), probe=PROBE)
    (transcode,) = run(obs).create_jobs
    pod = transcode["spec"]["template"]["spec"]
    assert pod["containers"][0]["resources"]["limits"] == {"nvidia.com/gpu": "1"}
    assert pod["nodeSelector"] == {"gpu": "l4"} and pod["runtimeClassName"] == "nvidia"
    assert transcode["spec"]["suspend"] is True
    assert transcode["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "gpu"


def test_uploads_and_subtitles_reach_the_jobs_resolved() -> None:
    spec = VideoSpec.model_validate(
        {
            "source": "upload:abc123/clip.mp4",
            "title": "Clip",
            "subtitles": [{"language": "fr", "source": "upload:abc123/clip.fr.srt"}],
        }
    )
    obs = observed(
        spec=spec,
        source_url="s3://media-bucket/raw/abc123/clip.mp4",
        subtitles=(("fr", "s3://media-bucket/raw/abc123/clip.fr.srt"),),
        jobs=(done(Step.PROBE),),
        probe=PROBE,
    )
    (transcode,) = run(obs).create_jobs
    container = transcode["spec"]["template"]["spec"]["containers"][0]
    words = " ".join(container["args"] + [e.get("value", "") for e in container["env"]])
    assert "s3://media-bucket/raw/abc123/clip.mp4" in words
    assert "fr=s3://media-bucket/raw/abc123/clip.fr.srt" in words
    assert "upload:" not in words


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.5, "0.5s"), (59.94, "59.9s"), (61, "1m01s"), (3723.4, "1h02m03s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_a_per_title_output_reports_each_rungs_choice_and_drops_hull_rungs() -> None:
    points = [{"crf": 20, "kbps": 400.0, "vmaf": 96.0}, {"crf": 30, "kbps": 150.0, "vmaf": 88.0}]
    decision = {
        "targetVmaf": 95.0,
        "samples": [[0.0, 2.0]],
        "saving": 0.8,
        "rungs": [
            {"name": "360p", "width": 640, "height": 360, "kept": True, "crf": 21,
             "bitrateKbps": 400, "ladderKbps": 500, "predictedVmaf": 95.2, "points": points},
            {"name": "144p", "width": 256, "height": 144, "kept": False, "crf": 30,
             "bitrateKbps": 100, "ladderKbps": 120, "predictedVmaf": 60.0,
             "reason": "a smaller one matches it", "points": points},
        ],
    }  # fmt: skip
    data = REPORT.model_dump(by_alias=True)
    data["renditions"] = [r for r in data["renditions"] if r["name"] != "144p"]
    report = TranscodeReport.model_validate({**data, "perTitle": decision})
    jobs = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))
    existing = {"clip-360p": "d1", "clip-144p": "d1", "clip-audio-0": "d1"}
    ready = run(observed(jobs=jobs, probe=PROBE, report=report, renditions=existing))
    assert ready.status.phase is VideoPhase.READY
    assert "clip-144p" in ready.delete_renditions and "clip-144p" not in ready.rendition_status
    chosen = ready.rendition_status["clip-360p"].per_title
    assert chosen is not None and chosen.crf == 21 and chosen.predicted_vmaf == 95.2
    assert chosen.ladder_kbps == 500 and chosen.target_vmaf == 95.0
    assert ready.rendition_status["clip-audio-0"].per_title is None
