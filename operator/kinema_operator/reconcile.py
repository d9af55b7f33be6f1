"""Reconciling one Video: observe what exists, let :func:`planner.decide` choose, act.

This is the only module that combines the operator's doors: :mod:`kube` (the cluster),
:mod:`outputs` (the object store) and :mod:`catalog_sync` (the database). Handlers call
:meth:`Reconciler.video` from every trigger (create, spec change, resume, a Job
changing, the resync timer); it re-reads everything each time, so a missed or repeated
event changes nothing, and a restarted operator picks up where the Jobs are.

Calls for one Video never overlap: a call that finds another one running marks the
Video dirty and returns, and the running call goes round once more.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kinema.ladder import LadderError, chunk_count, ladder_from_data, load_ladder
from kinema.resources import distribution as distribution_res
from kinema.resources import ladder as ladder_res
from kinema.resources import rendition as rendition_res
from kinema.resources import video as video_res
from kinema.resources.common import now
from kinema.resources.rendition import RenditionStatus
from kinema.resources.video import VideoPhase, VideoSpec, VideoStatus
from kinema.settings import Settings
from kinema_operator import catalog_sync, conditions, ladders, metrics
from kinema_operator.catalog_sync import Catalog
from kinema_operator.config import OperatorSettings
from kinema_operator.errors import InvalidSpec, OperatorError, OutputError
from kinema_operator.identity import (
    LABEL_VIDEO,
    Step,
    digest,
    legacy_digest,
    output_digest,
    output_key,
    subtitles_digest,
    video_label,
    video_root_key,
)
from kinema_operator.jobs import JobConfig
from kinema_operator.kube import Kube
from kinema_operator.outputs import Outputs
from kinema_operator.planner import (
    Decision,
    LadderChoice,
    Observed,
    decide,
    output_subtitles,
    video_conditions,
)
from kinema_operator.views import JobView, PodView, last_failure

log = logging.getLogger(__name__)
BUILTIN_LADDER = "default"
DEFAULT_LADDER_OBJECT = "default"  # a Ladder of this name in the namespace wins


class LadderMissing(OperatorError):
    """The Video names a Ladder that does not exist (yet)."""


def job_config(settings: Settings, op: OperatorSettings) -> JobConfig:
    env = {"KINEMA_STORAGE_URL": settings.storage_url or ""}
    if settings.s3_endpoint_url:
        env["KINEMA_S3_ENDPOINT_URL"] = settings.s3_endpoint_url
    if settings.s3_region:
        env["KINEMA_S3_REGION"] = settings.s3_region
    return JobConfig(
        image=op.image,
        image_pull_policy=op.image_pull_policy,
        env=env,
        env_from_secret=op.job_env_secret or None,
        service_account=op.job_service_account or None,
        cpu_request=op.job_cpu_request,
        memory_request=op.job_memory_request,
        ttl_seconds_after_finished=op.job_ttl_s,
        memory_limit=op.job_memory_limit or None,
    )


def status_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A merge patch turning ``old`` into ``new``: fields ``new`` lacks become null."""
    patch: dict[str, Any] = dict(new)
    for key in old:
        if key not in new:
            patch[key] = None
    return patch


def _without_times(status: dict[str, Any]) -> dict[str, Any]:
    plain = dict(status)
    plain["conditions"] = [
        {k: v for k, v in c.items() if k != "lastTransitionTime"}
        for c in status.get("conditions") or []
    ]
    return plain


@dataclass
class Reconciler:
    kube: Kube
    outputs: Outputs
    catalog: Catalog
    settings: Settings
    op: OperatorSettings
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _running: set[str] = field(default_factory=set)
    _dirty: set[str] = field(default_factory=set)
    _in_flight: dict[str, dict[str, int]] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)

    @property
    def job_config(self) -> JobConfig:
        return job_config(self.settings, self.op)

    # --- one at a time per Video ------------------------------------------------------

    def exclusive(self, key: str, work: Callable[[], None]) -> bool:
        """Run ``work`` unless it runs already for ``key`` (then ask it to go round again)."""
        with self._guard:
            if key in self._running:
                self._dirty.add(key)
                return False
            self._running.add(key)
        try:
            while True:
                with self._guard:
                    self._dirty.discard(key)
                work()
                with self._guard:
                    if key not in self._dirty:
                        return True
        finally:
            with self._guard:
                self._running.discard(key)

    # --- Videos -----------------------------------------------------------------------

    def due(self, namespace: str, name: str) -> bool:
        """Whether the resync interval has passed since this Video was last reconciled
        (by any trigger): the timer ticks often, but only reconciles quiet Videos."""
        last = self._last.get(f"{namespace}/{name}")
        return last is None or time.monotonic() - last >= self.op.resync_interval_s

    def video(self, namespace: str, name: str) -> None:
        """Bring one Video's children and status in line with its spec."""
        started = time.monotonic()
        self._last[f"{namespace}/{name}"] = started
        result = "ok"
        try:
            self.exclusive(f"{namespace}/{name}", lambda: self._video(namespace, name))
        except InvalidSpec:
            result = "invalid"
            raise
        except Exception as exc:
            result = "error"
            metrics.RECONCILE_FAILURES.labels(kind="Video", error=type(exc).__name__).inc()
            raise
        finally:
            metrics.RECONCILE_TOTAL.labels(kind="Video", result=result).inc()
            metrics.RECONCILE_SECONDS.labels(kind="Video").observe(time.monotonic() - started)

    def resolve_ladder(self, namespace: str, spec: VideoSpec) -> LadderChoice:
        name = spec.ladder_ref.name if spec.ladder_ref else DEFAULT_LADDER_OBJECT
        body = self.kube.get(ladder_res.PLURAL, namespace, name)
        if body is None:
            if spec.ladder_ref:
                raise LadderMissing(f"Ladder {name} does not exist in namespace {namespace}")
            return LadderChoice(f"builtin:{BUILTIN_LADDER}", load_ladder(BUILTIN_LADDER))
        try:
            return LadderChoice(name, ladder_from_data(body, f"Ladder {name}"))
        except LadderError as exc:
            raise InvalidSpec(str(exc)) from exc

    def _write_status(self, body: dict[str, Any], status: VideoStatus) -> None:
        old = body.get("status") or {}
        new = status.to_wire()
        if _without_times(old) != _without_times(new):
            meta = body["metadata"]
            self.kube.patch_status(
                video_res.PLURAL, meta["namespace"], meta["name"], status_patch(old, new)
            )

    def _simple_status(
        self, body: dict[str, Any], phase: VideoPhase, reason: str, message: str
    ) -> None:
        generation = int(body["metadata"].get("generation") or 1)
        old = _old_status(body)
        conds = video_conditions(
            phase, reason=reason, message=message, published=False, generation=generation
        )
        status = old.model_copy(
            update={
                "observed_generation": generation,
                "phase": phase,
                "message": message,
                "conditions": conditions.merge(old.conditions, conds, now()),
            }
        )
        if old.phase is not phase or old.message != message:
            self._event(
                body, "Warning" if phase is VideoPhase.FAILED else "Normal", reason, message
            )
        self._write_status(body, status)

    def _event(self, body: dict[str, Any], type_: str, reason: str, message: str) -> None:
        try:
            self.kube.post_event(body, type_, reason, message)
        except OperatorError as exc:  # an Event is never worth failing a reconcile for
            log.warning("could not post event %s: %s", reason, exc)

    def _video(self, namespace: str, name: str) -> None:
        body = self.kube.get(video_res.PLURAL, namespace, name)
        if body is None or body["metadata"].get("deletionTimestamp"):
            self._in_flight.pop(f"{namespace}/{name}", None)
            return
        try:
            spec = VideoSpec.model_validate(body.get("spec") or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "spec"
            message = f"invalid spec at {where}: {first['msg']}"
            self._simple_status(body, VideoPhase.FAILED, "InvalidSpec", message)
            raise InvalidSpec(message) from exc
        try:
            ladder = self.resolve_ladder(namespace, spec)
        except LadderMissing as exc:
            self._simple_status(body, VideoPhase.PENDING, "LadderNotFound", str(exc))
            return
        except InvalidSpec as exc:
            self._simple_status(body, VideoPhase.FAILED, "LadderInvalid", str(exc))
            raise
        obs, rendition_bodies = self.observe(body, spec, ladder)
        effective = ladders.with_gpu_defaults(ladder.spec, self.op.gpu_defaults)
        if effective is not ladder.spec:
            obs = dataclasses.replace(obs, ladder=LadderChoice(ladder.name, effective))
        decision = decide(obs, self.job_config, body, now())
        self.act(body, obs, decision, rendition_bodies)

    def observe(
        self, body: dict[str, Any], spec: VideoSpec, ladder: LadderChoice
    ) -> tuple[Observed, dict[str, dict[str, Any]]]:
        """A snapshot for :func:`decide`, and the Rendition objects as they were read.

        A Video whose current output is live needs only its Jobs (stale ones go);
        everything else is read only when the step that needs it has come.
        """
        meta = body["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        status = _old_status(body)
        media = digest(spec, ladder.spec)
        subs = subtitles_digest(spec)
        legacy = legacy_digest(spec, ladder.spec)
        d = output_digest(status.digest, status.media_digest, media, legacy)
        key = output_key(namespace, name, d)
        selector = f"{LABEL_VIDEO}={video_label(name)}"
        jobs = tuple(JobView.parse(j) for j in self.kube.list_jobs(namespace, selector))
        current = {
            j.step: j
            for j in jobs
            if j.digest == d and j.step is not None and j.step is not Step.SUBTITLES
        }
        subs_job = next(
            (j for j in jobs if j.digest == d and j.step is Step.SUBTITLES and j.subtitles == subs),
            None,
        )
        self._count_in_flight(namespace, name, jobs)

        live = (
            status.phase is VideoPhase.READY
            and status.digest == d
            and status.published_digest == d
            and output_subtitles(status, d, subs, legacy) == subs
        )
        probe = status.probe if status.digest == d else None
        probe_error = ""
        probe_job = current.get(Step.PROBE)
        if probe is None and probe_job is not None and probe_job.complete:
            try:
                probe = self.outputs.read_probe(key)
                probe_error = "" if probe else "the probe Job stored no probe.json"
            except OutputError as exc:
                probe_error = str(exc)

        failures: dict[str, str] = {}
        for job in [*current.values(), *([subs_job] if subs_job else [])]:
            if job.failed_final and not live:
                pods = self.kube.list_pods(namespace, f"batch.kubernetes.io/job-name={job.name}")
                failures[job.name] = last_failure([PodView.parse(p) for p in pods])

        report = None
        report_error = ""
        if probe is not None and not live:
            chunks = chunk_count(probe.duration, ladder.spec)
            final = current.get(Step.PACKAGE if chunks > 1 else Step.TRANSCODE)
            rewritten = subs_job is not None and subs_job.complete
            if rewritten or (final is not None and final.complete):
                try:
                    report = self.outputs.read_report(key)
                    report_error = "" if report else f"no kinema.json under {self.outputs.url(key)}"
                except OutputError as exc:
                    report_error = str(exc)

        bodies = (
            {}
            if live
            else {
                r["metadata"]["name"]: r
                for r in self.kube.list_objects(rendition_res.PLURAL, namespace, selector)
            }
        )
        renditions = {
            name: str((r.get("spec") or {}).get("digest", "")) for name, r in bodies.items()
        }
        public = (
            f"{self.op.public_base_url.rstrip('/')}/{key}"
            if self.op.public_base_url
            else self._distribution_base(namespace, spec, key)
        )
        if live and status.manifests and not status.manifests.hls.startswith(f"{public}/"):
            # Published before its Distribution had a domain (or the domain changed):
            # read the report again so the planner can point status.manifests there.
            try:
                report = self.outputs.read_report(key)
            except OutputError as exc:
                log.warning("%s/%s: re-reading the report for new URLs: %s", namespace, name, exc)
        observed = Observed(
            namespace=namespace,
            name=name,
            generation=int(meta.get("generation") or 1),
            spec=spec,
            status=status,
            ladder=ladder,
            digest=d,
            source_url=self._resolve(spec.source),
            output_url=self.outputs.url(key),
            public_base=public,
            subtitles=tuple((s.language, self._resolve(s.source)) for s in spec.subtitles),
            jobs=jobs,
            probe=probe,
            probe_error=probe_error,
            failures=failures,
            report=report,
            report_error=report_error,
            renditions=renditions,
            media_digest=media,
            subtitles_digest=subs,
            legacy_digest=legacy,
            reuse_url=(
                self.outputs.url(output_key(namespace, name, status.published_digest))
                if status.published_digest and status.published_digest != d
                else ""
            ),
        )
        return observed, bodies

    def _resolve(self, uri: str) -> str:
        return self.outputs.upload_url(uri) if uri.startswith("upload:") else uri

    def _distribution_base(self, namespace: str, spec: VideoSpec, key: str) -> str:
        """The CDN domain of the Video's Distribution once it has one, else the store URL."""
        if spec.distribution_ref is not None:
            dist = self.kube.get(distribution_res.PLURAL, namespace, spec.distribution_ref.name)
            status = (dist or {}).get("status") or {}
            dist_spec = (dist or {}).get("spec") or {}
            if status.get("domainName"):
                origin = str((dist_spec.get("cloudfront") or {}).get("originPath") or "")
                path = key.removeprefix(origin.strip("/") + "/") if origin else key
                return f"https://{status['domainName']}/{path}"
            if dist_spec.get("baseUrl"):
                return f"{str(dist_spec['baseUrl']).rstrip('/')}/{key}"
        return self.outputs.url(key)

    def _count_in_flight(self, namespace: str, name: str, jobs: tuple[JobView, ...]) -> None:
        counts = {step.value: 0 for step in Step}
        for job in jobs:
            if job.step is not None and not job.finished:
                counts[job.step.value] += 1
        with self._guard:
            self._in_flight[f"{namespace}/{name}"] = counts
            totals = {step.value: 0 for step in Step}
            for per_video in self._in_flight.values():
                for step, count in per_video.items():
                    totals[step] += count
        for step, count in totals.items():
            metrics.JOBS_IN_FLIGHT.labels(step=step).set(count)

    def act(
        self,
        body: dict[str, Any],
        obs: Observed,
        decision: Decision,
        renditions: dict[str, dict[str, Any]],
    ) -> None:
        namespace = obs.namespace
        for job_name in decision.delete_jobs:
            self.kube.delete_job(namespace, job_name)
        for job_name in decision.stop_jobs:
            self.kube.delete_job(namespace, job_name, foreground=True)
        for job in decision.create_jobs:
            if self.kube.create_job(job):
                step = job["metadata"]["labels"].get("kinema.dev/step", "")
                metrics.JOBS_CREATED.labels(step=step).inc()
                self._event(body, "Normal", "JobCreated", f"created Job {job['metadata']['name']}")
        existing = dict(renditions)
        for manifest in decision.renditions:
            existing[manifest["metadata"]["name"]] = self.kube.create_or_update_spec(
                rendition_res.PLURAL, manifest
            )
        for rendition_name in decision.delete_renditions:
            self.kube.delete(rendition_res.PLURAL, namespace, rendition_name)
        for rendition_name, rstatus in decision.rendition_status.items():
            self._rendition_status(existing.get(rendition_name), rstatus)

        if decision.publish and obs.report is not None:
            key = output_key(namespace, obs.name, obs.digest)
            self.catalog.upsert(
                catalog_sync.ready_upsert(
                    namespace, obs.name, obs.spec, obs.generation, key, obs.report
                )
            )
        elif decision.sync_metadata:
            self.catalog.update_metadata(
                catalog_sync.metadata_upsert(namespace, obs.name, obs.spec, obs.generation)
            )
        self._catalog_outcome(obs, decision.status)
        if decision.prune_outputs:
            # The catalog points at the new output already; Ready is written after this,
            # so whoever sees Ready sees only the live output in the store.
            pruned = self.outputs.prune(video_root_key(namespace, obs.name), obs.digest)
            if pruned:
                log.info("removed %d stale output objects of %s/%s", pruned, namespace, obs.name)
        self._write_status(body, decision.status)
        for event in decision.events:
            self._event(body, event.type, event.reason, event.message)

    def _catalog_outcome(self, obs: Observed, new: VideoStatus) -> None:
        """Tell the catalog when the Video fails (a live older output stays playable and
        the admin sees a failed re-transcode) or recovers without a new output."""
        was, now = obs.status.phase, new.phase
        name = catalog_sync.resource_name(obs.namespace, obs.name)
        try:
            if now is VideoPhase.FAILED and (was is not now or obs.status.message != new.message):
                self.catalog.record_failure(name, new.message or "")
            elif was is VideoPhase.FAILED and now is VideoPhase.READY:
                self.catalog.clear_failure(name)
        except OperatorError as exc:  # the Video status says it all the same
            log.warning("catalog update of %s after %s: %s", name, now, exc)

    def _rendition_status(self, body: dict[str, Any] | None, status: RenditionStatus) -> None:
        if body is None:
            return
        meta = body["metadata"]
        old = body.get("status") or {}
        new = status.model_copy(
            update={"observed_generation": int(meta.get("generation") or 1)}
        ).to_wire()
        if _without_times(old) != _without_times(new):
            self.kube.patch_status(
                rendition_res.PLURAL, meta["namespace"], meta["name"], status_patch(old, new)
            )

    # --- deletion ---------------------------------------------------------------------

    def finalize_video(self, namespace: str, name: str, spec: dict[str, Any]) -> int:
        """Stop the Video's Jobs, then remove its output (``Delete``) and catalog rows.

        Returns how many pods are still running; the caller retries until none are, so
        no transcode writes into a prefix after it was emptied.
        """
        selector = f"{LABEL_VIDEO}={video_label(name)}"
        for job in self.kube.list_jobs(namespace, selector):
            self.kube.delete_job(namespace, job["metadata"]["name"])
        running = [
            p
            for p in self.kube.list_pods(namespace, selector)
            if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ]
        if running:
            return len(running)
        policy = spec.get("deletionPolicy", video_res.DeletionPolicy.DELETE.value)
        if policy == video_res.DeletionPolicy.DELETE.value:
            removed = self.outputs.delete_prefix(video_root_key(namespace, name))
            log.info("deleted %d output objects of %s/%s", removed, namespace, name)
        self.catalog.delete(catalog_sync.resource_name(namespace, name))
        with self._guard:
            self._in_flight.pop(f"{namespace}/{name}", None)
        return 0


def _old_status(body: dict[str, Any]) -> VideoStatus:
    try:
        return VideoStatus.model_validate(body.get("status") or {})
    except ValidationError:
        # A status written by another version: start over rather than fail forever.
        return VideoStatus()
