"""What a Video needs next, decided from what exists. Pure.

:func:`decide` is the operator's brain: given an :class:`Observed` snapshot (the
Video, its resolved ladder, the Jobs and Renditions that exist, the probe summary and
the transcoder's report when there is one), it returns a :class:`Decision`: the new
status, the Jobs and Renditions to create or delete, and whether to publish to the
catalog. It keeps no memory between calls, so calling it again on the same snapshot
gives the same answer: that is what makes reconciliation level-triggered and
restarts harmless.

The steps of one digest (see :mod:`identity`): probe Job -> plan (the pure ladder
planner) -> Renditions + transcode Job (Indexed over chunks) -> package Job (only
when chunked) -> read ``kinema.json`` -> publish -> Ready. While another digest's
output is live (a ladder change), the transcode Job is pointed at it so the rungs the
change left alone are copied rather than encoded again.

A published output whose sidecar subtitle set differs from the spec's (only the
subtitles digest changed) takes a short path instead: one ``subtitles`` Job rewrites
the subtitle tracks and manifests in place -> read ``kinema.json`` -> publish -> Ready.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

import kopf

from kinema.ladder import LadderPlan, LadderSpec, SourceRejected, chunk_count, plan_ladder
from kinema.media import ProbeSummary
from kinema.resources.common import API_VERSION
from kinema.resources.rendition import KIND as RENDITION_KIND
from kinema.resources.rendition import Quality, RenditionPhase, RenditionSpec, RenditionStatus
from kinema.resources.video import (
    JobRefs,
    Manifests,
    RenditionKind,
    RenditionSummary,
    VideoPhase,
    VideoSpec,
    VideoStatus,
)
from kinema_operator import conditions
from kinema_operator.identity import Step, job_name, rendition_name, video_labels
from kinema_operator.jobs import (
    JobConfig,
    VideoRef,
    package_job,
    probe_job,
    subtitles_job,
    transcode_job,
)
from kinema_operator.report import TranscodeReport
from kinema_operator.views import JobView

PROGRESS_PROBING = 2
PROGRESS_PROBED = 5
PROGRESS_ENCODED = 90


@dataclass(frozen=True)
class LadderChoice:
    name: str  # a Ladder's name, or "builtin:<name>"
    spec: LadderSpec


@dataclass(frozen=True)
class Observed:
    """Everything :func:`decide` may look at, read fresh from the cluster and store."""

    namespace: str
    name: str
    generation: int
    spec: VideoSpec
    status: VideoStatus
    ladder: LadderChoice
    digest: str
    source_url: str
    output_url: str
    public_base: str  # where players reach output_url (a CDN/edge URL or output_url)
    subtitles: tuple[tuple[str, str], ...] = ()
    jobs: tuple[JobView, ...] = ()
    probe: ProbeSummary | None = None
    probe_error: str = ""
    failures: Mapping[str, str] = field(default_factory=dict)
    report: TranscodeReport | None = None
    report_error: str = ""
    renditions: Mapping[str, str] = field(default_factory=dict)  # object name -> digest
    media_digest: str = ""  # identity.digest of the spec; "" means ``digest`` itself
    subtitles_digest: str = ""  # identity.subtitles_digest of the spec
    legacy_digest: str = ""  # identity.legacy_digest of the spec (older operators' digest)
    reuse_url: str = ""  # the live output of another digest (its unchanged rungs are copied)


@dataclass(frozen=True)
class Event:
    type: Literal["Normal", "Warning"]
    reason: str
    message: str


@dataclass
class Decision:
    status: VideoStatus
    create_jobs: list[dict[str, Any]] = field(default_factory=list)
    delete_jobs: list[str] = field(default_factory=list)
    stop_jobs: list[str] = field(default_factory=list)  # delete, waiting for their pods
    renditions: list[dict[str, Any]] = field(default_factory=list)
    rendition_status: dict[str, RenditionStatus] = field(default_factory=dict)
    delete_renditions: list[str] = field(default_factory=list)
    publish: bool = False  # upsert the catalog from the report; the output is live
    sync_metadata: bool = False  # only the catalog's metadata changed
    prune_outputs: bool = False  # remove outputs of other digests
    events: list[Event] = field(default_factory=list)


def format_duration(seconds: float) -> str:
    """``12.5s``, ``4m05s``, ``1h02m03s``: short enough for a ``kubectl get`` column."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def dns_safe(name: str) -> str:
    return name.lower().replace("_", "-").strip("-") or "x"


def join_url(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def video_conditions(
    phase: VideoPhase,
    *,
    reason: str,
    message: str,
    published: bool,
    generation: int,
) -> list[Any]:
    ready = phase is VideoPhase.READY
    failed = phase is VideoPhase.FAILED
    working = phase in (VideoPhase.PROBING, VideoPhase.TRANSCODING, VideoPhase.PACKAGING)
    g = generation
    return [
        conditions.condition(
            "Ready",
            ready,
            "Transcoded" if ready else reason,
            "" if ready else message,
            generation=g,
        ),
        conditions.condition(
            "Transcoding",
            working,
            phase.value if working else "Idle",
            message if working else "",
            generation=g,
        ),
        conditions.condition(
            "Failed",
            failed,
            reason if failed else "NoFailure",
            message if failed else "",
            generation=g,
        ),
        conditions.condition(
            "Published",
            ready and published,
            "Published" if ready and published else "NotReady" if not ready else "NotPublished",
            generation=g,
        ),
    ]


def rendition_specs(
    obs: Observed, plan: LadderPlan, probe: ProbeSummary
) -> dict[str, RenditionSpec]:
    """Rendition object name -> spec, for every output of the current digest."""
    out: dict[str, RenditionSpec] = {}
    for rung in plan.rungs:
        key = dns_safe(rung.name)
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.VIDEO,
            name=key,
            codec=rung.codec.value,
            width=rung.width,
            height=rung.height,
            bitrate_kbps=rung.bitrate_kbps,
            digest=obs.digest,
        )
    for n, track in enumerate(probe.audio):
        key = f"audio-{n}"
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.AUDIO,
            name=key,
            codec="aac",
            bitrate_kbps=obs.ladder.spec.audio.bitrate_kbps,
            language=track.language,
            digest=obs.digest,
        )
    for sub in obs.spec.subtitles:
        key = dns_safe(f"subtitle-{sub.language}")
        out[rendition_name(obs.name, key)] = RenditionSpec(
            video=obs.name,
            kind=RenditionKind.SUBTITLE,
            name=key,
            codec="wvtt",
            language=sub.language,
            source=sub.source,
            digest=obs.digest,
        )
    return out


def rendition_manifest(
    obs: Observed, name: str, spec: RenditionSpec, owner: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": RENDITION_KIND,
        "metadata": {"name": name, "namespace": obs.namespace, "labels": video_labels(obs.name)},
        "spec": spec.to_wire(),
    }
    return _owned(body, owner)


def _report_match(spec: RenditionSpec, index: int, report: TranscodeReport) -> dict[str, Any]:
    """Size, segments and quality of one rendition, found in the transcoder's report."""
    if spec.kind is RenditionKind.VIDEO:
        found = next((r for r in report.renditions if dns_safe(r.name) == spec.name), None)
    elif spec.kind is RenditionKind.AUDIO:
        audio = [r for r in report.renditions if r.kind == "audio"]
        found = audio[index] if index < len(audio) else None
    else:
        sub = next((s for s in report.subtitles if s.language == spec.language), None)
        return {"output": sub.uri} if sub else {}
    if found is None:
        return {}
    quality = found.quality
    return {
        "output": found.playlist,
        "size_bytes": found.bytes,
        "segments": found.segments,
        "quality": Quality(
            psnr=quality.psnr, psnr_min=quality.psnr_min, ssim=quality.ssim, vmaf=quality.vmaf
        )
        if quality
        else None,
    }


def _summaries(report: TranscodeReport) -> list[RenditionSummary]:
    out = []
    for r in report.renditions:
        video = r.kind == "video"
        out.append(
            RenditionSummary(
                name=dns_safe(r.name if video else f"audio-{r.name}"),
                kind=RenditionKind.VIDEO if video else RenditionKind.AUDIO,
                width=r.width,
                height=r.height,
                bitrate_kbps=r.target_bitrate_kbps,
                codec=r.codec,
                language=r.language,
                size_bytes=r.bytes,
            )
        )
    for s in report.subtitles:
        out.append(
            RenditionSummary(
                name=dns_safe(f"subtitle-{s.language}"),
                kind=RenditionKind.SUBTITLE,
                language=s.language,
                codec="wvtt",
            )
        )
    return out


def manifest_urls(public_base: str, report: TranscodeReport) -> Manifests:
    """Where players find the output's manifests and pictures, under ``public_base``."""
    return Manifests(
        hls=join_url(public_base, report.hls or ""),
        dash=join_url(public_base, report.dash or ""),
        thumbnails=join_url(public_base, report.thumbnails) if report.thumbnails else None,
        poster=join_url(public_base, report.poster) if report.poster else None,
    )


def job_spec(obs: Observed) -> VideoSpec:
    """The spec the Jobs see: URIs resolved (``upload:`` ids become object-store URLs)."""
    resolved = dict(obs.subtitles)
    subtitles = [
        s.model_copy(update={"source": resolved.get(s.language, s.source)})
        for s in obs.spec.subtitles
    ]
    return obs.spec.model_copy(update={"source": obs.source_url, "subtitles": subtitles})


def output_subtitles(status: VideoStatus, output: str, subtitles: str, legacy: str) -> str | None:
    """The subtitles digest of the output named ``output`` (None: unknown or not made).

    A status from an older operator has no subtitles digest; its output lists the
    spec's ``subtitles`` exactly when its one digest is the spec's ``legacy`` digest.
    """
    if status.digest != output:
        return None
    if status.subtitles_digest:
        return status.subtitles_digest
    if status.media_digest is None and legacy and status.digest == legacy:
        return subtitles
    return None


def _owned(manifest: dict[str, Any], owner: dict[str, Any]) -> dict[str, Any]:
    kopf.adopt(manifest, owner=kopf.Body(cast(kopf.RawBody, owner)))
    return manifest


def decide(obs: Observed, config: JobConfig, owner: dict[str, Any], at: datetime) -> Decision:
    """The next status and actions for ``obs``'s Video (``owner`` is its body)."""
    ref = VideoRef(
        obs.namespace,
        obs.name,
        obs.digest,
        obs.output_url,
        subtitles_digest=obs.subtitles_digest,
        reuse_url=obs.reuse_url,
    )
    spec_for_jobs = job_spec(obs)
    d = obs.digest
    subs = obs.subtitles_digest
    st = obs.status
    same = st.digest == d
    written = output_subtitles(st, d, subs, obs.legacy_digest)
    media_jobs = [j for j in obs.jobs if j.digest == d and j.step is not Step.SUBTITLES]
    current = {j.step: j for j in media_jobs if j.step is not None}
    subs_jobs = [j for j in obs.jobs if j.digest == d and j.step is Step.SUBTITLES]
    subs_job = next((j for j in subs_jobs if j.subtitles == subs), None)
    # A subtitles Job for another set that may still be writing leaves the output's
    # subtitles unknown: it is stopped and the wanted set written again.
    interrupted = any(j.subtitles != subs and not j.finished for j in subs_jobs)
    subs_current = written == subs and not interrupted
    stale_jobs = sorted(
        j.name
        for j in obs.jobs
        if j.digest != d or (j.step is Step.SUBTITLES and j.subtitles != subs)
    )
    probe = obs.probe or (st.probe if same else None)
    events: list[Event] = []
    if not same:
        events.append(Event("Normal", "Planned", f"output {d} for ladder {obs.ladder.name}"))

    def finish(
        phase: VideoPhase,
        progress: int,
        *,
        reason: str,
        message: str,
        **updates: Any,
    ) -> Decision:
        values: dict[str, Any] = {
            "observed_generation": obs.generation,
            "phase": phase,
            "progress": progress,
            "message": message or None,
            "digest": d,
            "media_digest": obs.media_digest or d,
            "subtitles_digest": None if interrupted else written,
            "ladder": obs.ladder.name,
            "output": obs.output_url,
            "published_digest": st.published_digest,
            "manifests": st.manifests,
            "probe": probe,
            "duration": format_duration(probe.duration) if probe else None,
            "chunks": st.chunks if same else None,
            "jobs": JobRefs(
                probe=job_name(obs.name, Step.PROBE, d),
                transcode=current[Step.TRANSCODE].name if Step.TRANSCODE in current else None,
                package=current[Step.PACKAGE].name if Step.PACKAGE in current else None,
                subtitles=subs_job.name if subs_job is not None else None,
            ),
            "renditions": st.renditions if same else [],
        }
        values.update(updates)
        conds = video_conditions(
            phase,
            reason=reason,
            message=message,
            published=obs.spec.published,
            generation=obs.generation,
        )
        values["conditions"] = conditions.merge(st.conditions, conds, at)
        status = VideoStatus(**values)
        if st.phase is not phase:
            kind: Literal["Normal", "Warning"] = (
                "Warning" if phase is VideoPhase.FAILED else "Normal"
            )
            events.append(Event(kind, reason, message or phase.value))
        return Decision(status=status, delete_jobs=stale_jobs, events=events)

    def fail(reason: str, message: str, **updates: Any) -> Decision:
        return finish(
            VideoPhase.FAILED,
            st.progress if same else 0,
            reason=reason,
            message=message,
            **updates,
        )

    # The current output is live and lists the wanted subtitles: nothing to run, maybe
    # metadata to sync (also after a failed subtitles update whose spec was reverted).
    published = same and st.published_digest == d
    if published and subs_current:
        updates: dict[str, Any] = {}
        if obs.report is not None:  # read because the public base moved (a CDN came up)
            updates["manifests"] = manifest_urls(obs.public_base, obs.report)
        decision = finish(VideoPhase.READY, 100, reason="Transcoded", message="", **updates)
        decision.sync_metadata = st.observed_generation != obs.generation
        return decision
    # A failure whose Jobs were garbage-collected stays a failure until the spec changes.
    gone = same and st.phase is VideoPhase.FAILED and not current and subs_job is None
    if gone and st.observed_generation == obs.generation:
        failed = conditions.get(st.conditions, "Failed")
        return fail(failed.reason if failed else "Failed", st.message or "failed earlier")

    # 1. Probe.
    if probe is None:
        probe_j = current.get(Step.PROBE)
        if probe_j is None:
            decision = finish(
                VideoPhase.PROBING,
                PROGRESS_PROBING,
                reason="Probing",
                message=f"probing {obs.source_url}",
            )
            decision.create_jobs.append(
                _owned(probe_job(ref, spec_for_jobs, obs.ladder.spec, config), owner)
            )
            return decision
        if probe_j.failed_final:
            why = obs.failures.get(probe_j.name) or probe_j.failure_message
            return fail("ProbeFailed", f"probing {obs.spec.source} failed: {why}")
        if probe_j.complete:
            return fail("ProbeUnreadable", obs.probe_error or "the probe left no summary")
        return finish(
            VideoPhase.PROBING,
            PROGRESS_PROBING,
            reason="Probing",
            message=f"probing {obs.source_url}",
        )

    # 2. Plan with the pure ladder planner.
    try:
        plan = plan_ladder(probe, obs.ladder.spec)
    except SourceRejected as exc:
        return fail("UnsupportedSource", f"{obs.spec.source}: {exc}")
    if probe.duration <= 0:
        return fail("UnsupportedSource", f"{obs.spec.source} has no duration")
    chunks = chunk_count(probe.duration, obs.ladder.spec)
    specs = rendition_specs(obs, plan, probe)

    def with_renditions(decision: Decision, phase: RenditionPhase, progress: int) -> Decision:
        job = current[Step.TRANSCODE].name if Step.TRANSCODE in current else None
        ready = phase is RenditionPhase.READY
        audio_index = 0
        for name, spec in specs.items():
            if obs.renditions.get(name) != d:
                decision.renditions.append(rendition_manifest(obs, name, spec, owner))
            extra: dict[str, Any] = {}
            if ready and obs.report is not None:
                extra = _report_match(spec, audio_index, obs.report)
            if spec.kind is RenditionKind.AUDIO:
                audio_index += 1
            ready_cond = conditions.condition("Ready", ready, phase.value, generation=0)
            decision.rendition_status[name] = RenditionStatus(
                phase=phase,
                progress=progress,
                job=job,
                conditions=[ready_cond.model_copy(update={"last_transition_time": at})],
                **extra,
            )
        decision.delete_renditions = sorted(set(obs.renditions) - set(specs))
        decision.status = decision.status.model_copy(update={"chunks": chunks})
        return decision

    def publish(subtitles: str | None) -> Decision:
        """5. The transcoder's report says whether the output is complete."""
        report = obs.report
        if report is None or not report.playable:
            why = obs.report_error or (
                report.error.message if report and report.error else "kinema.json is not complete"
            )
            return with_renditions(
                fail("OutputIncomplete", f"the output is not playable: {why}"),
                RenditionPhase.FAILED,
                0,
            )
        manifests = manifest_urls(obs.public_base, report)
        decision = finish(
            VideoPhase.READY,
            100,
            reason="Transcoded",
            message="",
            published_digest=d,
            subtitles_digest=subtitles,
            manifests=manifests,
            renditions=_summaries(report),
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
        decision = with_renditions(decision, RenditionPhase.READY, 100)
        applied = {m["metadata"]["name"] for m in decision.renditions}
        for name, spec in specs.items():
            if spec.kind is RenditionKind.SUBTITLE and name not in applied:
                decision.renditions.append(rendition_manifest(obs, name, spec, owner))
        return decision

    # 2b. Only the sidecar subtitles changed: rewrite them in the live output.
    if published and not subs_current:
        if subs_job is not None and subs_job.complete:
            return publish(subs)
        if subs_job is not None and subs_job.failed_final:
            why = obs.failures.get(subs_job.name) or subs_job.failure_message
            return fail("SubtitlesFailed", f"updating the subtitles failed: {why}")
        count = len(obs.spec.subtitles)
        decision = finish(
            VideoPhase.PACKAGING,
            PROGRESS_ENCODED,
            reason="Subtitles",
            message=f"writing {count} subtitle track(s) into the live output",
        )
        # Two subtitles Jobs must never write one output at once: an older one is
        # deleted with its pods first, and the new one starts once it is gone.
        older = [j for j in subs_jobs if j.subtitles != subs]
        decision.stop_jobs = sorted(j.name for j in older)
        decision.delete_jobs = [n for n in decision.delete_jobs if n not in decision.stop_jobs]
        if subs_job is None and all(j.finished for j in older):
            job = subtitles_job(ref, spec_for_jobs, obs.ladder.spec, config)
            decision.create_jobs.append(_owned(job, owner))
        return decision

    # 3. Transcode (Indexed over chunks when the ladder asks).
    transcode = current.get(Step.TRANSCODE)
    if transcode is None:
        decision = finish(
            VideoPhase.TRANSCODING,
            PROGRESS_PROBED,
            reason="Encoding",
            message=f"encoding {len(plan.rungs)} rungs in {chunks} chunk(s)",
        )
        job = transcode_job(ref, spec_for_jobs, obs.ladder.spec, config, chunks=chunks)
        decision.create_jobs.append(_owned(job, owner))
        return with_renditions(decision, RenditionPhase.PENDING, 0)
    if transcode.failed_final:
        why = obs.failures.get(transcode.name) or transcode.failure_message
        return with_renditions(
            fail("TranscodeFailed", f"transcoding failed: {why}"), RenditionPhase.FAILED, 0
        )
    if not transcode.complete:
        span = PROGRESS_ENCODED - PROGRESS_PROBED
        progress = PROGRESS_PROBED + int(span * transcode.fraction_done)
        queue = obs.ladder.spec.scheduling.kueue_queue_name
        message = (
            f"waiting for Kueue to admit the Job in queue {queue}"
            if transcode.suspended
            else f"encoding: {transcode.succeeded}/{transcode.completions} chunk(s) done"
        )
        decision = finish(VideoPhase.TRANSCODING, progress, reason="Encoding", message=message)
        return with_renditions(decision, RenditionPhase.ENCODING, progress)

    # 4. Package the chunks.
    if chunks > 1:
        package = current.get(Step.PACKAGE)
        if package is None or not package.complete:
            if package is not None and package.failed_final:
                why = obs.failures.get(package.name) or package.failure_message
                return with_renditions(
                    fail("PackageFailed", f"packaging failed: {why}"), RenditionPhase.FAILED, 0
                )
            decision = finish(
                VideoPhase.PACKAGING,
                PROGRESS_ENCODED,
                reason="Packaging",
                message=f"stitching {chunks} chunks",
            )
            if package is None:
                job = package_job(ref, spec_for_jobs, obs.ladder.spec, config)
                decision.create_jobs.append(_owned(job, owner))
            return with_renditions(decision, RenditionPhase.ENCODING, PROGRESS_ENCODED)

    # 5. Publish what the transcode wrote, with the subtitle set it was given.
    return publish(transcode.subtitles or None)
