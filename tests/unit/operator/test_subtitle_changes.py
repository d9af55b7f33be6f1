"""A subtitle-only change rewrites the live output's subtitles; media is never re-run."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

import pytest

from kinema.output import SubtitleRecord as ReportSubtitle
from kinema.resources.ladder import LadderSpec
from kinema.resources.video import VideoPhase, VideoSpec, VideoStatus
from kinema_operator.video.identity import (
    Step,
    digest,
    job_name,
    legacy_digest,
    output_digest,
    subtitles_digest,
)
from kinema_operator.video.observed import Observed
from kinema_operator.video.status import Decision
from kinema_operator.video.views import JobView
from tests.unit.operator.test_planner import (
    LADDER,
    PROBE,
    REPORT,
    cond,
    done,
    job,
    observed,
    ready_status,
    run,
)

FR = {"language": "fr", "source": "s3://media-bucket/subs/clip.fr.srt"}
DE = {"language": "de", "source": "s3://media-bucket/subs/clip.de.srt"}
MEDIA_JOBS = (done(Step.PROBE), done(Step.TRANSCODE), done(Step.PACKAGE))


def spec(*subtitles: dict[str, str], **over: object) -> VideoSpec:
    return VideoSpec.model_validate(
        {"source": "s3://media-bucket/raw/clip.mp4", "title": "Clip", "subtitles": list(subtitles),
         **over}
    )  # fmt: skip


def with_subtitles(obs: Observed, video: VideoSpec, subs: str) -> Observed:
    resolved = tuple((s.language, s.source) for s in video.subtitles)
    return replace(obs, spec=video, subtitles=resolved, subtitles_digest=subs)


def subs_job(subs: str, **over: Any) -> JobView:
    return job(Step.SUBTITLES, name=job_name("clip", Step.SUBTITLES, "d1", subs), subtitles=subs,
               **over)  # fmt: skip


def names(decision: Decision) -> list[str]:
    return [j["metadata"]["name"] for j in decision.create_jobs]


# --- digests -------------------------------------------------------------------------


def test_the_media_digest_ignores_subtitles_and_keeps_the_old_formula_without_them() -> None:
    ladder = LADDER
    plain, french, german = spec(), spec(FR), spec(DE)
    assert digest(plain, ladder) == digest(french, ladder) == digest(german, ladder)
    assert digest(plain, ladder) == legacy_digest(plain, ladder)
    assert legacy_digest(french, ladder) != legacy_digest(plain, ladder)
    assert len({subtitles_digest(v) for v in (plain, french, german)}) == 3
    assert subtitles_digest(spec(FR, title="Other")) == subtitles_digest(french)
    assert digest(spec(revision=2), ladder) != digest(plain, ladder)
    other = LadderSpec.model_validate({**LADDER.model_dump(by_alias=True), "segmentSeconds": 4})
    assert digest(plain, other) != digest(plain, ladder)


def before_the_split(video: VideoSpec, ladder: LadderSpec) -> str:
    """The one digest operators wrote into status.digest before subtitles had their own."""
    inputs: dict[str, Any] = {
        "source": video.source,
        "ladder": ladder.model_dump(mode="json", by_alias=True),
        "subtitles": [s.model_dump(mode="json", by_alias=True) for s in video.subtitles],
    }
    if video.revision:
        inputs["revision"] = video.revision
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


@pytest.mark.parametrize(
    "video", [spec(), spec(revision=3), spec(FR), spec(FR, DE, revision=1)], ids=str
)
def test_statuses_of_older_operators_keep_their_meaning(video: VideoSpec) -> None:
    assert legacy_digest(video, LADDER) == before_the_split(video, LADDER)
    if not video.subtitles:  # the same output prefix as before, nothing to adopt
        assert digest(video, LADDER) == before_the_split(video, LADDER)


@pytest.mark.parametrize(
    ("status_digest", "status_media", "expected"),
    [
        (None, None, "media"),  # nothing made yet
        ("old", "media", "old"),  # media unchanged since (an adopted legacy output)
        ("old", "other", "media"),  # media changed
        ("legacy", None, "legacy"),  # written by an older operator, still in sync
        ("stale", None, "media"),  # older operator, spec changed since
    ],
)
def test_which_output_to_work_on(
    status_digest: str | None, status_media: str | None, expected: str
) -> None:
    assert output_digest(status_digest, status_media, "media", "legacy") == expected


# --- decisions -----------------------------------------------------------------------


def test_a_new_subtitle_runs_one_subtitles_job_and_no_media_job() -> None:
    status = ready_status()
    assert status.subtitles_digest == "s1" and status.media_digest == "d1"
    obs = with_subtitles(observed(generation=2, status=status, jobs=MEDIA_JOBS), spec(FR), "s2")
    decision = run(obs)
    (created,) = decision.create_jobs
    assert created["metadata"]["name"] == "clip-subtitles-d1-s2"
    labels = created["metadata"]["labels"]
    assert labels["kinema.dev/step"] == "subtitles" and labels["kinema.dev/subtitles"] == "s2"
    container = created["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["kinema"]
    assert container["args"] == [
        "subtitles", "s3://media-bucket/processed/media/clip/d1", "--json-progress",
        "--subtitle", "fr=s3://media-bucket/subs/clip.fr.srt",
    ]  # fmt: skip
    assert "resources" in container and "nvidia.com/gpu" not in str(container["resources"])
    assert decision.delete_jobs == [] and decision.stop_jobs == []
    assert not decision.publish and decision.renditions == []
    st = decision.status
    assert st.phase is VideoPhase.PACKAGING and st.digest == "d1"
    assert st.published_digest == "d1" and st.subtitles_digest == "s1"
    assert st.manifests == status.manifests
    assert cond(decision, "Ready") == ("False", "Subtitles")


def test_a_finished_subtitles_job_publishes_the_new_set() -> None:
    status = ready_status()
    report = REPORT.model_copy(
        update={
            "subtitles": [ReportSubtitle(language="fr", name="Français", uri="subtitles/fr.vtt")]
        }
    )
    renditions = {"clip-360p": "d1", "clip-144p": "d1", "clip-audio-0": "d1"}
    obs = observed(
        generation=2,
        status=replace_status(status, phase=VideoPhase.PACKAGING),
        jobs=(*MEDIA_JOBS, subs_job("s2", complete=True, active=0)),
        probe=PROBE,
        report=report,
        renditions=renditions,
    )
    decision = run(with_subtitles(obs, spec(FR), "s2"))
    assert decision.create_jobs == [] and decision.publish
    st = decision.status
    # The master playlist and the MPD were rewritten in place: a CDN must forget them.
    assert st.manifests is not None
    assert decision.invalidate == [st.manifests.hls, st.manifests.dash]
    assert st.phase is VideoPhase.READY and st.subtitles_digest == "s2"
    assert st.jobs is not None and st.jobs.subtitles == subs_job("s2").name
    assert [r.name for r in st.renditions][-1] == "subtitle-fr"
    applied = [m["metadata"]["name"] for m in decision.renditions]
    assert applied == ["clip-subtitle-fr"]
    assert decision.rendition_status["clip-subtitle-fr"].output == "subtitles/fr.vtt"
    assert decision.delete_renditions == []
    assert cond(decision, "Ready") == ("True", "Transcoded")

    # Next round: live and in sync, nothing runs and the old subtitles Job may go.
    again = run(with_subtitles(replace(obs, status=st, report=None), spec(FR), "s2"))
    assert again.create_jobs == [] and not again.publish and again.invalidate == []
    assert again.status.phase is VideoPhase.READY

    # Removing the subtitle: a new subtitles Job, then its Rendition is deleted.
    removed = with_subtitles(replace(obs, status=st, generation=3), spec(), "s3")
    first = run(removed)
    assert names(first) == ["clip-subtitles-d1-s3"]
    assert (
        "--subtitle"
        not in first.create_jobs[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    )
    finished = replace(
        removed,
        status=first.status,
        jobs=(*MEDIA_JOBS, subs_job("s2", complete=True, active=0),
              subs_job("s3", complete=True, active=0)),
        report=REPORT,
        renditions={**renditions, "clip-subtitle-fr": "d1"},
    )  # fmt: skip
    last = run(finished)
    assert last.publish and last.status.subtitles_digest == "s3"
    assert last.delete_renditions == ["clip-subtitle-fr"]
    assert job_name("clip", Step.SUBTITLES, "d1", "s2") in last.delete_jobs


def replace_status(status: VideoStatus, **update: object) -> VideoStatus:
    return status.model_copy(update=update)


def test_a_failed_subtitles_job_fails_the_video_with_its_reason() -> None:
    status = ready_status()
    failed = subs_job("s2", failed_final=True, active=0)
    obs = observed(
        generation=2, status=status, jobs=(*MEDIA_JOBS, failed),
        failures={failed.name: "cannot read s3://media-bucket/subs/clip.fr.srt"},
    )  # fmt: skip
    decision = run(with_subtitles(obs, spec(FR), "s2"))
    assert decision.create_jobs == []
    assert cond(decision, "Failed") == ("True", "SubtitlesFailed")
    assert "clip.fr.srt" in (decision.status.message or "")
    # The live output stays what it was.
    assert decision.status.published_digest == "d1" and decision.status.manifests
    # Reverting the spec to the set the output lists is Ready again, with no Job.
    reverted = run(replace(obs, status=decision.status, generation=3))
    assert reverted.create_jobs == [] and reverted.status.phase is VideoPhase.READY
    assert failed.name in reverted.delete_jobs


def test_an_older_subtitles_job_is_stopped_before_the_next_starts() -> None:
    status = ready_status().model_copy(update={"phase": VideoPhase.PACKAGING})
    running = subs_job("s2")
    obs = with_subtitles(
        observed(generation=3, status=status, jobs=(*MEDIA_JOBS, running)), spec(DE), "s3"
    )
    waiting = run(obs)
    assert waiting.create_jobs == []
    assert waiting.stop_jobs == [running.name] and running.name not in waiting.delete_jobs
    stopped = replace(obs, jobs=(*MEDIA_JOBS, subs_job("s2", failed_final=True, active=0)))
    assert names(run(stopped)) == ["clip-subtitles-d1-s3"]
    gone = replace(obs, jobs=MEDIA_JOBS)
    assert names(run(gone)) == ["clip-subtitles-d1-s3"]


def test_a_status_from_an_older_operator_is_adopted_without_any_job() -> None:
    # The old operator named the output with one digest over media and subtitles.
    old = ready_status().model_copy(
        update={"digest": "legacy", "published_digest": "legacy", "media_digest": None,
                "subtitles_digest": None}
    )  # fmt: skip
    obs = observed(
        status=old, digest="legacy", media_digest="d1", legacy_digest="legacy",
        output_url="s3://media-bucket/processed/media/clip/legacy",
    )  # fmt: skip
    decision = run(with_subtitles(obs, spec(FR), "s2"))
    assert decision.create_jobs == [] and decision.delete_jobs == []
    st = decision.status
    assert st.phase is VideoPhase.READY and st.digest == "legacy"
    assert (st.media_digest, st.subtitles_digest) == ("d1", "s2")
    # A later subtitle change keeps the legacy output and runs only the subtitles Job.
    later = with_subtitles(replace(obs, status=st, generation=2), spec(DE), "s3")
    assert names(run(later)) == ["clip-subtitles-legacy-s3"]


def test_a_transcode_records_the_subtitles_it_was_given() -> None:
    # The subtitles changed while the transcode ran: it wrote s1, the spec wants s2.
    jobs = MEDIA_JOBS
    obs = with_subtitles(observed(jobs=jobs, probe=PROBE, report=REPORT), spec(FR), "s2")
    ready = run(obs)
    assert ready.publish and ready.status.subtitles_digest == "s1"
    follow = run(replace(obs, status=ready.status, report=None))
    assert names(follow) == ["clip-subtitles-d1-s2"]


def test_reverting_while_a_subtitles_job_runs_rewrites_the_old_set() -> None:
    status = ready_status().model_copy(update={"phase": VideoPhase.PACKAGING})
    running = subs_job("s2")
    obs = observed(generation=3, status=status, jobs=(*MEDIA_JOBS, running))
    stopping = run(obs)  # the spec is back to s1, what the status says the output has
    assert stopping.stop_jobs == [running.name] and stopping.create_jobs == []
    # The stopped Job may have written part of its set: the output's set is unknown now.
    assert stopping.status.subtitles_digest is None
    after = run(replace(obs, status=stopping.status, jobs=MEDIA_JOBS))
    assert names(after) == ["clip-subtitles-d1-s1"]


def test_a_subtitles_job_reads_back_as_what_it_writes() -> None:
    status = ready_status()
    obs = with_subtitles(observed(generation=2, status=status, jobs=MEDIA_JOBS), spec(FR), "s2")
    (manifest,) = run(obs).create_jobs
    view = JobView.parse(manifest)
    assert (view.step, view.digest, view.subtitles) == (Step.SUBTITLES, "d1", "s2")
    assert view.name == job_name("clip", Step.SUBTITLES, "d1", "s2")
