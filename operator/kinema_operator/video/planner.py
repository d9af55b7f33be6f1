"""What a Video needs next, decided from what exists. Pure.

:func:`decide` is the operator's brain: given an :class:`Observed` snapshot (the
Video, its resolved ladder, the Jobs and Renditions that exist, the probe summary and
the transcoder's report when there is one), it returns a :class:`Decision`: the new
status, the Jobs and Renditions to create or delete, and whether to publish to the
catalog. It keeps no memory between calls, so calling it again on the same snapshot
gives the same answer: that is what makes reconciliation level-triggered and
restarts harmless.

The steps of one digest (see :mod:`identity`), one function each: probe Job
(:func:`_probe`) -> plan with the pure ladder planner (:func:`_plan`) -> Renditions +
transcode Job, Indexed over chunks (:func:`_transcode`) -> package Job, only when
chunked (:func:`_package`) -> read ``kinema.json`` -> publish -> Ready
(:func:`_publish`). While another digest's output is live (a ladder change), the
transcode Job is pointed at it so the rungs the change left alone are copied rather
than encoded again.

A published output whose sidecar subtitle set differs from the spec's (only the
subtitles digest changed) takes a short path instead: one ``subtitles`` Job rewrites
the subtitle tracks and manifests in place -> read ``kinema.json`` -> publish -> Ready
(:func:`_subtitles`). Every step builds its status through :meth:`Situation.finish`,
over the one status builder :func:`~kinema_operator.video.status.video_status`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from kinema.ladder import LadderPlan, SourceRejected, chunk_count, plan_ladder
from kinema.media import ProbeSummary
from kinema.resources.rendition import RenditionPhase, RenditionSpec, RenditionStatus
from kinema.resources.video import JobRefs, RenditionKind, VideoPhase, VideoSpec
from kinema_operator import conditions
from kinema_operator.video.identity import Step, job_name
from kinema_operator.video.jobs import (
    JobConfig,
    VideoRef,
    package_job,
    probe_job,
    subtitles_job,
    transcode_job,
)
from kinema_operator.video.observed import Observed, TargetJobs, jobs_of, output_subtitles
from kinema_operator.video.renditions import (
    owned,
    per_title_dropped,
    rendition_manifest,
    rendition_specs,
    report_match,
)
from kinema_operator.video.status import (
    Decision,
    Event,
    format_duration,
    manifest_urls,
    summaries,
    video_status,
)

PROGRESS_PROBING = 2
PROGRESS_PROBED = 5
PROGRESS_ENCODED = 90


def job_spec(obs: Observed) -> VideoSpec:
    """The spec the Jobs see: URIs resolved (``upload:`` ids become object-store URLs)."""
    resolved = dict(obs.subtitles)
    subtitles = [
        s.model_copy(update={"source": resolved.get(s.language, s.source)})
        for s in obs.spec.subtitles
    ]
    return obs.spec.model_copy(update={"source": obs.source_url, "subtitles": subtitles})


@dataclass(frozen=True)
class Situation:
    """What every step works from: the snapshot, and what follows from it once."""

    obs: Observed
    config: JobConfig
    owner: dict[str, Any]
    at: datetime
    jobs: TargetJobs
    same: bool  # the status describes the output being worked on
    written: str | None  # the subtitles digest that output lists (None: unknown)
    probe: ProbeSummary | None

    @classmethod
    def of(cls, obs: Observed, config: JobConfig, owner: dict[str, Any], at: datetime) -> Situation:
        st = obs.status
        same = st.digest == obs.digest
        return cls(
            obs=obs,
            config=config,
            owner=owner,
            at=at,
            jobs=jobs_of(obs.jobs, obs.digest, obs.subtitles_digest),
            same=same,
            written=output_subtitles(st, obs.digest, obs.subtitles_digest, obs.legacy_digest),
            probe=obs.probe or (st.probe if same else None),
        )

    @property
    def published(self) -> bool:
        return self.same and self.obs.status.published_digest == self.obs.digest

    @property
    def subtitles_current(self) -> bool:
        return self.written == self.obs.subtitles_digest and not self.jobs.interrupted

    def ref(self) -> VideoRef:
        obs = self.obs
        return VideoRef(
            obs.namespace,
            obs.name,
            obs.digest,
            obs.output_url,
            subtitles_digest=obs.subtitles_digest,
            reuse_url=obs.reuse_url,
        )

    def job(self, build: Callable[..., dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """The Job ``build`` makes for this Video, owned by it."""
        manifest = build(self.ref(), job_spec(self.obs), self.obs.ladder.spec, self.config, **extra)
        return owned(manifest, self.owner)

    def finish(
        self, phase: VideoPhase, progress: int, *, reason: str, message: str, **updates: Any
    ) -> Decision:
        """The decision to move to ``phase``, its status built by :func:`video_status`."""
        obs, st, d = self.obs, self.obs.status, self.obs.digest
        current, subs_job = self.jobs.current, self.jobs.subtitles_job
        fields: dict[str, Any] = {
            "progress": progress,
            "digest": d,
            "media_digest": obs.media_digest or d,
            "subtitles_digest": None if self.jobs.interrupted else self.written,
            "ladder": obs.ladder.name,
            "output": obs.output_url,
            "published_digest": st.published_digest,
            "manifests": st.manifests,
            "probe": self.probe,
            "duration": format_duration(self.probe.duration) if self.probe else None,
            "chunks": st.chunks if self.same else None,
            "jobs": JobRefs(
                probe=job_name(obs.name, Step.PROBE, d),
                transcode=current[Step.TRANSCODE].name if Step.TRANSCODE in current else None,
                package=current[Step.PACKAGE].name if Step.PACKAGE in current else None,
                subtitles=subs_job.name if subs_job is not None else None,
            ),
            "renditions": st.renditions if self.same else [],
        }
        fields.update(updates)
        status = video_status(
            st,
            phase,
            reason=reason,
            message=message,
            published=obs.spec.published,
            generation=obs.generation,
            at=self.at,
            **fields,
        )
        events = [] if self.same else [Event("Normal", "Planned", _planned(obs))]
        if st.phase is not phase:
            kind: Literal["Normal", "Warning"] = (
                "Warning" if phase is VideoPhase.FAILED else "Normal"
            )
            events.append(Event(kind, reason, message or phase.value))
        return Decision(status=status, delete_jobs=list(self.jobs.stale), events=events)

    def fail(self, reason: str, message: str, **updates: Any) -> Decision:
        progress = self.obs.status.progress if self.same else 0
        return self.finish(VideoPhase.FAILED, progress, reason=reason, message=message, **updates)

    def why(self, name: str, fallback: str) -> str:
        """Why the Job ``name`` failed: its pods' last words, else the Job's message."""
        return self.obs.failures.get(name) or fallback


def _planned(obs: Observed) -> str:
    return f"output {obs.digest} for ladder {obs.ladder.name}"


@dataclass(frozen=True)
class Planned:
    """The ladder planned for the probed source: rungs, chunks and Rendition specs."""

    plan: LadderPlan
    chunks: int
    specs: dict[str, RenditionSpec]


def decide(obs: Observed, config: JobConfig, owner: dict[str, Any], at: datetime) -> Decision:
    """The next status and actions for ``obs``'s Video (``owner`` is its body)."""
    s = Situation.of(obs, config, owner, at)
    st = obs.status
    # The current output is live and lists the wanted subtitles: nothing to run, maybe
    # metadata to sync (also after a failed subtitles update whose spec was reverted).
    if s.published and s.subtitles_current:
        return _live(s)
    # A failure whose Jobs were garbage-collected stays a failure until the spec changes.
    gone = (
        s.same
        and st.phase is VideoPhase.FAILED
        and not s.jobs.current
        and s.jobs.subtitles_job is None
    )
    if gone and st.observed_generation == obs.generation:
        failed = conditions.get(st.conditions, "Failed")
        return s.fail(failed.reason if failed else "Failed", st.message or "failed earlier")
    if s.probe is None:
        return _probe(s)
    planned = _plan(s, s.probe)
    if isinstance(planned, Decision):
        return planned
    if s.published:
        return _subtitles(s, planned)
    return _transcode(s, planned)


def _live(s: Situation) -> Decision:
    updates: dict[str, Any] = {}
    if s.obs.report is not None:  # read because the public base moved (a CDN came up)
        updates["manifests"] = manifest_urls(s.obs.public_base, s.obs.report)
    decision = s.finish(VideoPhase.READY, 100, reason="Transcoded", message="", **updates)
    decision.sync_metadata = s.obs.status.observed_generation != s.obs.generation
    return decision


def _probe(s: Situation) -> Decision:
    """1. Probe the source."""
    obs = s.obs
    probing = f"probing {obs.source_url}"
    probe_j = s.jobs.current.get(Step.PROBE)
    if probe_j is None:
        decision = s.finish(VideoPhase.PROBING, PROGRESS_PROBING, reason="Probing", message=probing)
        decision.create_jobs.append(s.job(probe_job))
        return decision
    if probe_j.failed_final:
        why = s.why(probe_j.name, probe_j.failure_message)
        return s.fail("ProbeFailed", f"probing {obs.spec.source} failed: {why}")
    if probe_j.complete:
        return s.fail("ProbeUnreadable", obs.probe_error or "the probe left no summary")
    return s.finish(VideoPhase.PROBING, PROGRESS_PROBING, reason="Probing", message=probing)


def _plan(s: Situation, probe: ProbeSummary) -> Planned | Decision:
    """2. Plan with the pure ladder planner (a Decision when the source cannot be used)."""
    obs = s.obs
    try:
        plan = plan_ladder(probe, obs.ladder.spec)
    except SourceRejected as exc:
        return s.fail("UnsupportedSource", f"{obs.spec.source}: {exc}")
    if probe.duration <= 0:
        return s.fail("UnsupportedSource", f"{obs.spec.source} has no duration")
    chunks = chunk_count(probe.duration, obs.ladder.spec)
    return Planned(plan, chunks, rendition_specs(obs, plan, probe))


def _with_renditions(
    s: Situation, work: Planned, decision: Decision, phase: RenditionPhase, progress: int
) -> Decision:
    """``decision`` with the Renditions of ``work`` applied and their status set."""
    obs = s.obs
    transcode = s.jobs.current.get(Step.TRANSCODE)
    ready = phase is RenditionPhase.READY
    audio_index = 0
    left_out = per_title_dropped(work.specs, obs.report) if ready else set()
    specs = {n: spec for n, spec in work.specs.items() if n not in left_out}
    for name, spec in specs.items():
        if obs.renditions.get(name) != obs.digest:
            decision.renditions.append(rendition_manifest(obs, name, spec, s.owner))
        extra: dict[str, Any] = {}
        if ready and obs.report is not None:
            extra = report_match(spec, audio_index, obs.report)
        if spec.kind is RenditionKind.AUDIO:
            audio_index += 1
        ready_cond = conditions.condition("Ready", ready, phase.value, generation=0)
        decision.rendition_status[name] = RenditionStatus(
            phase=phase,
            progress=progress,
            job=transcode.name if transcode is not None else None,
            conditions=[ready_cond.model_copy(update={"last_transition_time": s.at})],
            **extra,
        )
    decision.delete_renditions = sorted(set(obs.renditions) - set(specs))
    decision.status = decision.status.model_copy(update={"chunks": work.chunks})
    return decision


def _subtitles(s: Situation, work: Planned) -> Decision:
    """2b. Only the sidecar subtitles changed: rewrite them in the live output."""
    obs = s.obs
    subs_job = s.jobs.subtitles_job
    if subs_job is not None and subs_job.complete:
        published = _publish(s, work, obs.subtitles_digest)
        manifests = published.status.manifests
        if published.publish and manifests is not None:
            published.invalidate = [u for u in (manifests.hls, manifests.dash) if u]
        return published
    if subs_job is not None and subs_job.failed_final:
        why = s.why(subs_job.name, subs_job.failure_message)
        return s.fail("SubtitlesFailed", f"updating the subtitles failed: {why}")
    count = len(obs.spec.subtitles)
    decision = s.finish(
        VideoPhase.PACKAGING,
        PROGRESS_ENCODED,
        reason="Subtitles",
        message=f"writing {count} subtitle track(s) into the live output",
    )
    # Two subtitles Jobs must never write one output at once: an older one is
    # deleted with its pods first, and the new one starts once it is gone.
    older = [j for j in s.jobs.subtitle_jobs if j.subtitles != obs.subtitles_digest]
    decision.stop_jobs = sorted(j.name for j in older)
    decision.delete_jobs = [n for n in decision.delete_jobs if n not in decision.stop_jobs]
    if subs_job is None and all(j.finished for j in older):
        decision.create_jobs.append(s.job(subtitles_job))
    return decision


def _transcode(s: Situation, work: Planned) -> Decision:
    """3. Transcode (Indexed over chunks when the ladder asks), then package, publish."""
    transcode = s.jobs.current.get(Step.TRANSCODE)
    if transcode is None:
        decision = s.finish(
            VideoPhase.TRANSCODING,
            PROGRESS_PROBED,
            reason="Encoding",
            message=f"encoding {len(work.plan.rungs)} rungs in {work.chunks} chunk(s)",
        )
        decision.create_jobs.append(s.job(transcode_job, chunks=work.chunks))
        return _with_renditions(s, work, decision, RenditionPhase.PENDING, 0)
    if transcode.failed_final:
        why = s.why(transcode.name, transcode.failure_message)
        failed = s.fail("TranscodeFailed", f"transcoding failed: {why}")
        return _with_renditions(s, work, failed, RenditionPhase.FAILED, 0)
    if not transcode.complete:
        span = PROGRESS_ENCODED - PROGRESS_PROBED
        progress = PROGRESS_PROBED + int(span * transcode.fraction_done)
        queue = s.obs.ladder.spec.scheduling.kueue_queue_name
        message = (
            f"waiting for Kueue to admit the Job in queue {queue}"
            if transcode.suspended
            else f"encoding: {transcode.succeeded}/{transcode.completions} chunk(s) done"
        )
        decision = s.finish(VideoPhase.TRANSCODING, progress, reason="Encoding", message=message)
        return _with_renditions(s, work, decision, RenditionPhase.ENCODING, progress)
    if work.chunks > 1:
        packaging = _package(s, work)
        if packaging is not None:
            return packaging
    # 5. Publish what the transcode wrote, with the subtitle set it was given.
    return _publish(s, work, transcode.subtitles or None)


def _package(s: Situation, work: Planned) -> Decision | None:
    """4. Package the chunks; None once the package Job is done."""
    package = s.jobs.current.get(Step.PACKAGE)
    if package is not None and package.complete:
        return None
    if package is not None and package.failed_final:
        why = s.why(package.name, package.failure_message)
        failed = s.fail("PackageFailed", f"packaging failed: {why}")
        return _with_renditions(s, work, failed, RenditionPhase.FAILED, 0)
    decision = s.finish(
        VideoPhase.PACKAGING,
        PROGRESS_ENCODED,
        reason="Packaging",
        message=f"stitching {work.chunks} chunks",
    )
    if package is None:
        decision.create_jobs.append(s.job(package_job))
    return _with_renditions(s, work, decision, RenditionPhase.ENCODING, PROGRESS_ENCODED)


def _publish(s: Situation, work: Planned, subtitles: str | None) -> Decision:
    """5. The transcoder's report says whether the output is complete."""
    obs = s.obs
    report = obs.report
    if report is None or not report.playable:
        why = obs.report_error or (
            report.error.message if report and report.error else "kinema.json is not complete"
        )
        failed = s.fail("OutputIncomplete", f"the output is not playable: {why}")
        return _with_renditions(s, work, failed, RenditionPhase.FAILED, 0)
    decision = s.finish(
        VideoPhase.READY,
        100,
        reason="Transcoded",
        message="",
        published_digest=obs.digest,
        subtitles_digest=subtitles,
        manifests=manifest_urls(obs.public_base, report),
        renditions=summaries(report),
    )
    decision.publish = True
    decision.prune_outputs = True
    if report.reused is not None and report.reused.rungs:
        copied = ", ".join(report.reused.rungs)
        audio = " and the audio" if report.reused.audio else ""
        decision.events.append(
            Event("Normal", "Reused", f"copied {copied}{audio} from the previous output")
        )
    # A subtitle's source may change under the same name: re-apply their specs.
    decision = _with_renditions(s, work, decision, RenditionPhase.READY, 100)
    applied = {m["metadata"]["name"] for m in decision.renditions}
    for name, spec in work.specs.items():
        if spec.kind is RenditionKind.SUBTITLE and name not in applied:
            decision.renditions.append(rendition_manifest(obs, name, spec, s.owner))
    return decision
