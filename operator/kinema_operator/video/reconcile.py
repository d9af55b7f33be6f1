"""Reconciling one Video: observe what exists, let :func:`planner.decide` choose, act.

This is the only module that combines the operator's doors: :mod:`kinema_operator.kube`
(the cluster), :mod:`.outputs` (the object store) and :mod:`kinema_operator.catalog` (the
database). Handlers call :meth:`Reconciler.video` from every trigger (create, spec
change, resume, a Job changing, the resync timer); it re-reads everything each time, so
a missed or repeated event changes nothing, and a restarted operator picks up where the
Jobs are.

Observing only reads: what to read next is asked of the pure functions in
:mod:`.observed`, and every status (a refused spec too) is worked out by pure code
(:mod:`.planner`, :mod:`.status`); :meth:`Reconciler.act` writes what was decided.

Calls for one Video never overlap: a call that finds another one running marks the
Video dirty and returns, and the running call goes round once more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kinema.catalog.models import JobStatus
from kinema.catalog.services.jobs import ExternalJob
from kinema.resources import distribution as distribution_res
from kinema.resources import ladder as ladder_res
from kinema.resources import rendition as rendition_res
from kinema.resources import video as video_res
from kinema.resources.common import now
from kinema.resources.ladder import LadderError, ladder_from_data, load_ladder
from kinema.resources.rendition import RenditionStatus
from kinema.resources.video import VideoPhase, VideoSpec, VideoStatus
from kinema.settings import Settings
from kinema_operator import ladder as ladders
from kinema_operator import metrics
from kinema_operator.catalog import Catalog
from kinema_operator.config import OperatorSettings
from kinema_operator.distribution.cloudfront import CloudFrontApi
from kinema_operator.distribution.mapping import output_url
from kinema_operator.errors import InvalidSpec, OperatorError, OutputError
from kinema_operator.kube import Kube
from kinema_operator.video import observed as seen
from kinema_operator.video.identity import (
    LABEL_VIDEO,
    Step,
    output_key,
    video_label,
    video_root_key,
)
from kinema_operator.video.jobs import JobConfig, job_config
from kinema_operator.video.observed import LadderChoice, Observed
from kinema_operator.video.outputs import Outputs
from kinema_operator.video.planner import decide
from kinema_operator.video.status import Decision, refusal, status_of, status_patch, unchanged
from kinema_operator.video.transcodes import transcode_record
from kinema_operator.video.upserts import metadata_upsert, ready_upsert, resource_name
from kinema_operator.video.views import JobView, PodView, last_failure

log = logging.getLogger(__name__)
BUILTIN_LADDER = "default"
DEFAULT_LADDER_OBJECT = "default"  # a Ladder of this name in the namespace wins


class LadderMissing(OperatorError):
    """The Video names a Ladder that does not exist (yet)."""


@dataclass
class Reconciler:
    kube: Kube
    outputs: Outputs
    catalog: Catalog
    settings: Settings
    op: OperatorSettings
    # CloudFront, for invalidating manifests rewritten in place (None: never asked).
    cdn: CloudFrontApi | None = None
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _running: set[str] = field(default_factory=set)
    _dirty: set[str] = field(default_factory=set)
    _in_flight: dict[str, dict[str, int]] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    # The transcode_jobs row last written for each output in flight (by its worker key):
    # a reconcile that would write the same row again writes nothing.
    _recorded: dict[str, ExternalJob] = field(default_factory=dict)

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

    def due(self) -> list[tuple[str, str]]:
        """The Videos (namespace, name) this operator knows whose resync interval has
        passed since they were last reconciled (by any trigger). Every Video becomes
        known through its first trigger (created, or resumed when the operator starts)
        and is forgotten once gone or finalized."""
        cutoff = time.monotonic() - self.op.resync_interval_s
        with self._guard:
            quiet = [key for key, last in self._last.items() if last <= cutoff]
        return [(key.partition("/")[0], key.partition("/")[2]) for key in quiet]

    def video(self, namespace: str, name: str) -> None:
        """Bring one Video's children and status in line with its spec."""
        started = time.monotonic()
        with self._guard:
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

    def using_distribution(self, namespace: str, distribution: str) -> list[str]:
        """The Videos in ``namespace`` whose output is served through ``distribution``."""
        return [
            video["metadata"]["name"]
            for video in self.kube.list_objects(video_res.PLURAL, namespace)
            if ((video.get("spec") or {}).get("distributionRef") or {}).get("name") == distribution
        ]

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

    def _video(self, namespace: str, name: str) -> None:
        body = self.kube.get(video_res.PLURAL, namespace, name)
        if body is None or body["metadata"].get("deletionTimestamp"):
            # Gone or going: its finalizer has the rest; nothing to resync.
            with self._guard:
                self._in_flight.pop(f"{namespace}/{name}", None)
                self._last.pop(f"{namespace}/{name}", None)
            return

        def refuse(phase: VideoPhase, reason: str, message: str) -> None:
            generation = int(body["metadata"].get("generation") or 1)
            decision = refusal(
                status_of(body), phase, reason, message, generation=generation, at=now()
            )
            self._write_status(body, decision.status)
            self._events(body, decision)

        try:
            spec = VideoSpec.model_validate(body.get("spec") or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "spec"
            message = f"invalid spec at {where}: {first['msg']}"
            refuse(VideoPhase.FAILED, "InvalidSpec", message)
            raise InvalidSpec(message) from exc
        try:
            ladder = self.resolve_ladder(namespace, spec)
        except LadderMissing as exc:
            refuse(VideoPhase.PENDING, "LadderNotFound", str(exc))
            return
        except InvalidSpec as exc:
            refuse(VideoPhase.FAILED, "LadderInvalid", str(exc))
            raise
        obs, rendition_bodies = self.observe(body, spec, ladder)
        decision = decide(obs, self.job_config, body, now())
        self.act(body, obs, decision, rendition_bodies)

    def observe(
        self, body: dict[str, Any], spec: VideoSpec, ladder: LadderChoice
    ) -> tuple[Observed, dict[str, dict[str, Any]]]:
        """A snapshot for :func:`decide`, and the Rendition objects as they were read.

        What is read is what :mod:`.observed` asks for, step by step; nothing here
        decides anything.
        """
        meta = body["metadata"]
        namespace, name = meta["namespace"], meta["name"]
        status = status_of(body)
        target = seen.target(namespace, name, spec, ladder.spec, status)
        selector = f"{LABEL_VIDEO}={video_label(name)}"
        jobs = tuple(JobView.parse(j) for j in self.kube.list_jobs(namespace, selector))
        self._count_in_flight(namespace, name, jobs)
        target_jobs = seen.jobs_of(jobs, target.digest, target.subtitles)
        public = self._public_base(namespace, spec, target.key)

        probe = seen.known_probe(status, target)
        probe_error = ""
        if seen.probe_to_read(status, target, target_jobs):
            try:
                probe = self.outputs.read_probe(target.key)
                probe_error = "" if probe else "the probe Job stored no probe.json"
            except OutputError as exc:
                probe_error = str(exc)

        wanted = seen.reads(status, target, target_jobs, ladder.spec, probe, public)
        failures = {
            job: last_failure(
                [
                    PodView.parse(p)
                    for p in self.kube.list_pods(namespace, f"batch.kubernetes.io/job-name={job}")
                ]
            )
            for job in wanted.pods_of
        }
        report = None
        report_error = ""
        if wanted.report:
            try:
                report = self.outputs.read_report(target.key)
                report_error = (
                    "" if report else f"no kinema.json under {self.outputs.url(target.key)}"
                )
            except OutputError as exc:
                report_error = str(exc)
        elif wanted.relocate:
            try:
                report = self.outputs.read_report(target.key)
            except OutputError as exc:
                log.warning("%s/%s: re-reading the report for new URLs: %s", namespace, name, exc)
        bodies = (
            {
                r["metadata"]["name"]: r
                for r in self.kube.list_objects(rendition_res.PLURAL, namespace, selector)
            }
            if wanted.renditions
            else {}
        )
        # Jobs get the cluster's GPU node pool; digests stay those of the Ladder as written.
        effective = ladders.with_gpu_defaults(ladder.spec, self.op.gpu_defaults)
        live = status.published_digest
        observed = Observed(
            namespace=namespace,
            name=name,
            generation=int(meta.get("generation") or 1),
            spec=spec,
            status=status,
            ladder=ladder if effective is ladder.spec else LadderChoice(ladder.name, effective),
            digest=target.digest,
            source_url=self._resolve(spec.source),
            output_url=self.outputs.url(target.key),
            public_base=public,
            subtitles=tuple((s.language, self._resolve(s.source)) for s in spec.subtitles),
            jobs=jobs,
            probe=probe,
            probe_error=probe_error,
            failures=failures,
            report=report,
            report_error=report_error,
            renditions={n: str((r.get("spec") or {}).get("digest", "")) for n, r in bodies.items()},
            media_digest=target.media,
            subtitles_digest=target.subtitles,
            legacy_digest=target.legacy,
            reuse_url=(
                self.outputs.url(output_key(namespace, name, live))
                if live and live != target.digest
                else ""
            ),
        )
        return observed, bodies

    def _resolve(self, uri: str) -> str:
        return self.outputs.upload_url(uri) if uri.startswith("upload:") else uri

    def _public_base(self, namespace: str, spec: VideoSpec, key: str) -> str:
        """Where players reach the output under ``key``: the configured base URL, else the
        Video's Distribution once it serves (its CDN domain), else the store itself."""
        if self.op.public_base_url:
            return f"{self.op.public_base_url.rstrip('/')}/{key}"
        distribution = None
        if spec.distribution_ref is not None:
            ref = spec.distribution_ref.name
            distribution = self.kube.get(distribution_res.PLURAL, namespace, ref)
        return output_url(distribution or {}, key) or self.outputs.url(key)

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

    # --- acting on a decision ---------------------------------------------------------

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
                ready_upsert(namespace, obs.name, obs.spec, obs.generation, key, obs.report)
            )
        elif decision.sync_metadata:
            self.catalog.update_metadata(
                metadata_upsert(namespace, obs.name, obs.spec, obs.generation)
            )
        if decision.invalidate:
            self._invalidate(body, obs, decision.invalidate)
        self._record_transcode(obs, decision)
        self._catalog_outcome(obs, decision.status)
        if decision.prune_outputs:
            # The catalog points at the new output already; Ready is written after this,
            # so whoever sees Ready sees only the live output in the store.
            pruned = self.outputs.prune(video_root_key(namespace, obs.name), obs.digest)
            if pruned:
                log.info("removed %d stale output objects of %s/%s", pruned, namespace, obs.name)
        self._write_status(body, decision.status)
        self._events(body, decision)

    def _invalidate(self, body: dict[str, Any], obs: Observed, urls: list[str]) -> None:
        """Have the Video's CloudFront distribution forget ``urls`` (manifests rewritten
        in place). A failure is an Event, not a failed reconcile: the manifests' short
        TTL (``defaultTtl`` of their behaviour) still ends the stale copies."""
        ref = obs.spec.distribution_ref
        if self.cdn is None or ref is None:
            return
        distribution = self.kube.get(distribution_res.PLURAL, obs.namespace, ref.name) or {}
        status = distribution.get("status") or {}
        distribution_id, domain = status.get("distributionId"), status.get("domainName")
        if not distribution_id or not domain:
            return
        served = f"https://{domain}/"
        paths = sorted({"/" + u.removeprefix(served) for u in urls if u.startswith(served)})
        if not paths:
            return
        reference = f"{obs.namespace}/{obs.name}/{obs.digest}/{obs.subtitles_digest}"
        try:
            self.cdn.invalidate(str(distribution_id), paths, reference)
        except OperatorError as exc:
            log.warning("invalidating %s on CloudFront: %s", ", ".join(paths), exc)
            self._event(body, "Warning", "InvalidationFailed", f"CloudFront: {exc}")
            return
        self._event(body, "Normal", "Invalidated", f"CloudFront forgets {', '.join(paths)}")

    def _write_status(self, body: dict[str, Any], status: VideoStatus) -> None:
        old = body.get("status") or {}
        new = status.to_wire()
        if not unchanged(old, new):
            meta = body["metadata"]
            self.kube.patch_status(
                video_res.PLURAL, meta["namespace"], meta["name"], status_patch(old, new)
            )

    def _events(self, body: dict[str, Any], decision: Decision) -> None:
        for event in decision.events:
            self._event(body, event.type, event.reason, event.message)

    def _event(self, body: dict[str, Any], type_: str, reason: str, message: str) -> None:
        try:
            self.kube.post_event(body, type_, reason, message)
        except OperatorError as exc:  # an Event is never worth failing a reconcile for
            log.warning("could not post event %s: %s", reason, exc)

    def _record_transcode(self, obs: Observed, decision: Decision) -> None:
        """Keep the output's ``transcode_jobs`` row (the admin's Pipeline page) in step.

        Its end (succeeded, failed) is written once, so a failed write fails this
        reconcile and the next one writes it; a queued or running row that could not
        be written is only stale until the next reconcile, which is not worth holding
        the Video's status back for.
        """
        record = transcode_record(obs, decision, now())
        if record is None or self._recorded.get(record.worker) == record:
            return
        data = metadata_upsert(obs.namespace, obs.name, obs.spec, obs.generation)
        if record.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            self.catalog.record_transcode(data, record)
            self._recorded.pop(record.worker, None)
            return
        try:
            self.catalog.record_transcode(data, record)
        except OperatorError as exc:
            log.warning("recording the transcode of %s: %s", data.resource_name, exc)
            return
        self._recorded[record.worker] = record

    def _catalog_outcome(self, obs: Observed, new: VideoStatus) -> None:
        """Tell the catalog when the Video fails (a live older output stays playable and
        the admin sees a failed re-transcode) or recovers without a new output."""
        was, now = obs.status.phase, new.phase
        name = resource_name(obs.namespace, obs.name)
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
        if not unchanged(old, new):
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
        # Shared clips go with the catalog row whatever the policy: their previews
        # (clips/<id>/) would be nobody's files. Removed first, so a failure retries.
        for prefix in self.catalog.clip_prefixes(resource_name(namespace, name)):
            self.outputs.delete_prefix(prefix)
        self.catalog.delete(resource_name(namespace, name))
        with self._guard:
            self._in_flight.pop(f"{namespace}/{name}", None)
            self._last.pop(f"{namespace}/{name}", None)
        return 0
