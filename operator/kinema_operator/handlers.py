"""Kopf handlers: thin triggers that hand the work to the kinds.

The top layer of the operator (``handlers -> kinds -> shared``, kept by import-linter):
each trigger takes the door or kind object it needs from :class:`wiring.Operator`, which
the startup handler builds, and maps the operator's errors to Kopf's.

Every trigger of a Video (created, spec changed, operator resumed, one of its Jobs
changed, the resync loop) runs the same level-triggered reconciliation. Job events fire
far more often than there is anything to do, so they decide in the event loop, without
taking one of Kopf's worker threads, whether to run it: only when the Job changed what
the Video decides on (:attr:`JobView.progress`: most Job events count running or ready
pods). One resync loop for the whole operator reconciles the Videos that no trigger
reconciled for a resync interval (a Kopf timer per Video kept a task and the Video's
latest body for each). Bad specs
become ``kopf.PermanentError`` (the status already says why); anything retrying can
fix becomes ``kopf.TemporaryError``. Deletion runs a finalizer that stops the Jobs,
removes the output (``deletionPolicy: Delete``) and the catalog rows.

Distributions are synced to CloudFront the same way (created, spec changed, resumed);
a timer follows deployments in progress and puts back the managed settings someone
changed in AWS (status reason and Event ``DriftCorrected``); their finalizer disables,
then deletes the CloudFront distribution. When a Distribution's domain appears or
changes, the Videos that name it are reconciled, so their manifest URLs move to the CDN.
A Job that makes a shared clip's preview wakes the clip previews' loop, which launches
and follows those Jobs (started with the operator, see :mod:`kinema_operator.clip`).
Plans go to the catalog and, when ``KINEMA_STRIPE_API_KEY`` is set, to a Stripe Product
and Price; their finalizer archives both in Stripe and retires the catalog row.

Load with ``kopf run -m kinema_operator.handlers`` or ``kinema operator``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

import kopf

from kinema.resources import distribution as distribution_res
from kinema.resources import ladder as ladder_res
from kinema.resources import plan as plan_res
from kinema.resources import video as video_res
from kinema.resources.common import GROUP, VERSION
from kinema.resources.plan import PlanStatus
from kinema.settings import Settings
from kinema_operator import heap, kube, ladder, wiring
from kinema_operator.clip import jobs as clip_jobs
from kinema_operator.config import OperatorSettings
from kinema_operator.distribution import mapping as distribution
from kinema_operator.errors import InvalidSpec, OperatorError
from kinema_operator.labels import LABEL_COMPONENT, LABEL_MANAGED_BY, MANAGED_BY
from kinema_operator.plan import catalog as plans
from kinema_operator.video.views import NOT_STARTED, JobView

# KINEMA_OPERATOR_RESYNC_INTERVAL_S (read when this module is imported): the resync loop
# reconciles a Video only if no other trigger did for that long.
RESYNC_S = OperatorSettings().resync_interval_s
# Videos resynced at once (each in one of Kopf's worker threads).
RESYNC_CONCURRENCY = 4
RETRY_DELAY_S = 5.0
log = logging.getLogger(__name__)


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    # Our CRDs declare every status field, so Kopf keeps its own state in annotations.
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=GROUP, key="last-handled-configuration"
    )
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    settings.posting.level = logging.WARNING
    settings.watching.server_timeout = 300
    memo.operator = wiring.build()
    # Where the async triggers run a reconciliation: the threads of the sync handlers.
    memo.executor = settings.execution.executor
    if memo.operator.previews is not None:
        memo.operator.previews.start()


def _operator(memo: kopf.Memo) -> wiring.Operator:
    built: wiring.Operator = memo.operator
    return built


@kopf.on.login()
def login(settings: kopf.OperatorSettings, **_: Any) -> kopf.ConnectionInfo:
    # The same credentials as the operator's own calls (KINEMA_KUBECONFIG, the service
    # account, else $KUBECONFIG / ~/.kube/config), read when Kopf logs in.
    return kube.login_info(Settings().kubeconfig, trust_env=settings.networking.trust_env)


@kopf.on.cleanup()
async def shutdown(memo: kopf.Memo, **_: Any) -> None:
    resync: asyncio.Task[None] | None = memo.get("resync")
    if resync is not None:
        resync.cancel()
    built: wiring.Operator | None = memo.get("operator")
    if built is not None:
        await asyncio.get_running_loop().run_in_executor(None, built.close)


def _reconcile(memo: kopf.Memo, namespace: str | None, name: str, *, permanent: bool) -> None:
    if namespace is None:  # Videos are namespaced; Kopf types allow cluster objects
        return
    try:
        _operator(memo).videos.video(namespace, name)
    except InvalidSpec as exc:
        if permanent:
            raise kopf.PermanentError(str(exc)) from exc
    except OperatorError as exc:
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc


@kopf.on.create(GROUP, VERSION, video_res.PLURAL)
@kopf.on.update(GROUP, VERSION, video_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, video_res.PLURAL)
def video_changed(namespace: str | None, name: str, memo: kopf.Memo, **_: Any) -> None:
    _reconcile(memo, namespace, name, permanent=True)


async def _in_thread(memo: kopf.Memo, work: Callable[[], None]) -> None:
    """Run blocking ``work`` in Kopf's worker threads (where its sync handlers run)."""
    await asyncio.get_running_loop().run_in_executor(memo.executor, work)


@kopf.on.startup()
async def start_resync(memo: kopf.Memo, **_: Any) -> None:
    memo.resync = asyncio.create_task(_resync_loop(memo), name="kinema-video-resync")


async def _resync_loop(memo: kopf.Memo) -> None:
    """One loop for every Video, instead of a Kopf timer per Video (which keeps a task
    and the Video's latest body for each): every third of the resync interval, the
    Videos that no trigger reconciled for a whole interval are reconciled, a few at a
    time in Kopf's worker threads, and the heap's free memory is given back. It keeps
    going whatever happens; the next round retries what failed."""
    limit = asyncio.Semaphore(RESYNC_CONCURRENCY)

    async def resync(namespace: str, name: str) -> None:
        async with limit:
            await _in_thread(memo, functools.partial(_resync, memo, namespace, name))

    while True:
        await asyncio.sleep(RESYNC_S / 3)
        built: wiring.Operator | None = memo.get("operator")
        if built is None:  # the startup handler is still building it
            continue
        await asyncio.gather(*(resync(ns, name) for ns, name in built.videos.due()))
        # What the round's passes (and the triggers' since the last round) freed goes
        # back to the system, so the resident size follows the load (see heap.py).
        await _in_thread(memo, heap.trim)


def _resync(memo: kopf.Memo, namespace: str, name: str) -> None:
    try:
        _operator(memo).videos.video(namespace, name)
    except InvalidSpec:
        pass  # the status says why; a spec change triggers the next pass
    except Exception:
        log.exception("resyncing Video %s/%s", namespace, name)


@kopf.on.event("batch", "v1", "jobs", labels={LABEL_MANAGED_BY: MANAGED_BY})
async def job_changed(
    event: kopf.RawEvent, body: kopf.Body, namespace: str | None, memo: kopf.Memo, **_: Any
) -> None:
    if namespace is None:
        return
    if body.metadata.labels.get(LABEL_COMPONENT) == clip_jobs.COMPONENT:
        previews = _operator(memo).previews
        if previews is not None:  # a clip preview Job changed: look at once
            previews.nudge()
        return
    videos = [
        str(ref["name"])
        for ref in body.metadata.get("ownerReferences") or []
        if ref.get("kind") == video_res.KIND and ref.get("apiVersion", "").startswith(GROUP)
    ]
    # Per-Job memo: what the Video last heard of this Job. A deleted Job is always news.
    progress = JobView.parse(dict(body)).progress
    if event.get("type") != "DELETED" and progress == memo.get("job_progress", NOT_STARTED):
        return
    memo.job_progress = progress
    if videos:
        await _in_thread(memo, functools.partial(_after_job, memo, namespace, videos))


def _after_job(memo: kopf.Memo, namespace: str, videos: list[str]) -> None:
    for name in videos:
        try:
            _operator(memo).videos.video(namespace, name)
        except OperatorError as exc:  # the timer will come back to it
            log.warning("reconciling %s/%s after a Job event: %s", namespace, name, exc)


@kopf.on.delete(GROUP, VERSION, video_res.PLURAL)
def video_deleted(
    namespace: str | None, name: str, spec: kopf.Spec, memo: kopf.Memo, **_: Any
) -> None:
    if namespace is None:
        return
    try:
        running = _operator(memo).videos.finalize_video(namespace, name, dict(spec))
    except OperatorError as exc:
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    if running:
        raise kopf.TemporaryError(f"waiting for {running} transcode pod(s) to stop", delay=1)


@kopf.on.create(GROUP, VERSION, plan_res.PLURAL)
@kopf.on.update(GROUP, VERSION, plan_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, plan_res.PLURAL)
def plan_changed(
    body: kopf.Body, namespace: str | None, name: str, patch: kopf.Patch, memo: kopf.Memo,
    **_: Any,
) -> None:  # fmt: skip
    raw = dict(body)
    spec, error = plans.parse(raw)
    stripe, catalog = _operator(memo).stripe, _operator(memo).catalog
    enabled = stripe is not None
    ids = None
    if spec is not None:
        try:
            if stripe is not None and namespace is not None:
                meta = body.metadata
                ids = stripe.sync(
                    namespace=namespace,
                    name=name,
                    uid=str(meta.uid),
                    generation=int(meta.get("generation") or 1),
                    spec=spec,
                    status=PlanStatus.model_validate(raw.get("status") or {}),
                )
            catalog.upsert_plan(plans.catalog_plan(name, spec, ids.price_id if ids else None))
        except InvalidSpec as exc:
            patch.status.update(plans.plan_status(raw, str(exc), stripe_enabled=enabled))
            raise kopf.PermanentError(str(exc)) from exc
        except OperatorError as exc:
            patch.status.update(plans.plan_status(raw, str(exc), stripe_enabled=enabled))
            raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    patch.status.update(plans.plan_status(raw, error, stripe=ids, stripe_enabled=enabled))
    if error:
        raise kopf.PermanentError(error)


@kopf.on.delete(GROUP, VERSION, plan_res.PLURAL)
def plan_deleted(
    body: kopf.Body, namespace: str | None, name: str, patch: kopf.Patch, memo: kopf.Memo,
    logger: kopf.Logger, **_: Any,
) -> None:  # fmt: skip
    """Archive the Plan's Stripe Product and Prices, then take it out of the catalog.

    Every failure is retried (the finalizer stays until both are done): a Plan that
    vanished while its Price still sold would be worse than a stuck deletion.
    """
    raw = dict(body)
    status = PlanStatus.model_validate(raw.get("status") or {})
    stripe = _operator(memo).stripe
    try:
        if stripe is not None and namespace is not None:
            archived = stripe.archive(namespace=namespace, name=name, status=status)
            logger.info("Stripe: %s", archived.summary())
        elif status.stripe_product_id:
            logger.warning(
                "KINEMA_STRIPE_API_KEY is unset: Stripe product %s stays active",
                status.stripe_product_id,
            )
        outcome = plans.retire_in_catalog(_operator(memo).catalog, name)
    except OperatorError as exc:
        patch.status.update(plans.plan_status(raw, str(exc), failure_reason="DeleteFailed"))
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    logger.info("catalog: plan %s %s", name, outcome.value)


def _sync_distribution(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo) -> None:
    raw = dict(body)
    try:
        status = _operator(memo).cloudfront.sync(raw)
    except InvalidSpec as exc:
        patch.status.update(
            distribution.distribution_status(raw, ready=False, reason="Invalid", message=str(exc))
        )
        raise kopf.PermanentError(str(exc)) from exc
    except OperatorError as exc:
        patch.status.update(
            distribution.distribution_status(
                raw, ready=False, reason="SyncFailed", message=str(exc)
            )
        )
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    patch.status.update(status)


@kopf.on.create(GROUP, VERSION, distribution_res.PLURAL)
@kopf.on.update(GROUP, VERSION, distribution_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, distribution_res.PLURAL)
def distribution_changed(body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    _sync_distribution(body, patch, memo)


@kopf.timer(GROUP, VERSION, distribution_res.PLURAL, interval=RESYNC_S, initial_delay=RESYNC_S)
def distribution_resync(
    body: kopf.Body, namespace: str | None, name: str, patch: kopf.Patch, memo: kopf.Memo,
    logger: kopf.Logger, **_: Any,
) -> None:  # fmt: skip
    # One CloudFront read per tick: follows a deployment in progress, and puts back the
    # spec's settings when someone changed them in AWS. The object is read afresh: the
    # timer's own body may predate a spec change.
    if namespace is None:
        return
    try:
        fresh = _operator(memo).kube.get(distribution_res.PLURAL, namespace, name)
        found = _operator(memo).cloudfront.resync(fresh) if fresh else None
    except InvalidSpec as exc:  # CloudFront refused the spec's config: an Event says so
        logger.warning("putting back the spec's CloudFront settings failed: %s", exc)
        return
    except OperatorError as exc:  # throttled, unreachable, ETag raced: the next tick retries
        log.warning("resyncing Distribution %s/%s: %s", namespace, name, exc)
        return
    if found is None:
        return
    patch.status.update(found.status)
    if found.corrected:
        kopf.event(
            body, type="Warning", reason=distribution.DRIFT_CORRECTED, message=found.corrected
        )


@kopf.on.delete(GROUP, VERSION, distribution_res.PLURAL)
def distribution_deleted(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    try:
        waiting = _operator(memo).cloudfront.remove(dict(body))
    except OperatorError as exc:
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    if waiting:
        raise kopf.TemporaryError(waiting, delay=RETRY_DELAY_S)


@kopf.on.event(GROUP, VERSION, distribution_res.PLURAL)
def distribution_seen(
    body: kopf.Body, namespace: str | None, name: str, memo: kopf.Memo, **_: Any
) -> None:
    """Reconcile the Videos that name this Distribution when where it serves changes."""
    base = distribution.public_base(dict(body))
    if namespace is None or not base or memo.get("public_base") == base:
        return
    videos = _operator(memo).videos
    try:
        using = videos.using_distribution(namespace, name)
    except OperatorError as exc:
        log.warning("listing the Videos of Distribution %s/%s: %s", namespace, name, exc)
        return
    for video in using:
        try:
            videos.video(namespace, video)
        except OperatorError as exc:  # the Video's own timer comes back to it
            log.warning("reconciling %s after its Distribution changed: %s", video, exc)
    # Per-object memo: remembered only once every Video has seen the new base.
    memo.public_base = base


@kopf.on.create(GROUP, VERSION, ladder_res.PLURAL)
@kopf.on.update(GROUP, VERSION, ladder_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, ladder_res.PLURAL)
def ladder_changed(body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    status = ladder.ladder_status(dict(body))
    patch.status.update(status)
    if not ladder.is_valid(status):
        raise kopf.PermanentError(ladder.message(status))
