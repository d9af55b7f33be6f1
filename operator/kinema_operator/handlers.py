"""Kopf handlers: thin triggers that hand the work to :class:`Reconciler`.

Every trigger of a Video (created, spec changed, operator resumed, one of its Jobs
changed, the resync timer) runs the same level-triggered reconciliation. Bad specs
become ``kopf.PermanentError`` (the status already says why); anything retrying can
fix becomes ``kopf.TemporaryError``. Deletion runs a finalizer that stops the Jobs,
removes the output (``deletionPolicy: Delete``) and the catalog rows.

Load with ``kopf run -m kinema_operator.handlers`` or ``kinema operator``.
"""

from __future__ import annotations

import logging
from typing import Any

import kopf

from kinema.resources import ladder as ladder_res
from kinema.resources import plan as plan_res
from kinema.resources import video as video_res
from kinema.resources.common import GROUP, VERSION
from kinema_operator import ladders, plans
from kinema_operator.config import OperatorSettings
from kinema_operator.errors import InvalidSpec, OperatorError
from kinema_operator.identity import LABEL_MANAGED_BY, MANAGED_BY
from kinema_operator.services import build_reconciler, start_metrics, stop

# The timer ticks every KINEMA_OPERATOR_RESYNC_INTERVAL_S (read when this module is
# imported); a tick reconciles a Video only if no other trigger did for that long.
RESYNC_S = OperatorSettings().resync_interval_s
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
    memo.reconciler = build_reconciler()
    memo.metrics = start_metrics(memo.reconciler.op.metrics_port)


@kopf.on.login()
def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    # Kopf's own kubeconfig reader looks at KUBECONFIG when called; the client
    # library's default path is fixed when it is imported.
    info: kopf.ConnectionInfo | None = kopf.login_with_service_account(
        **kwargs
    ) or kopf.login_with_kubeconfig(**kwargs)
    return info


@kopf.on.cleanup()
def shutdown(memo: kopf.Memo, **_: Any) -> None:
    stop(memo.get("reconciler"), memo.get("metrics"))


def _reconcile(memo: kopf.Memo, namespace: str | None, name: str, *, permanent: bool) -> None:
    if namespace is None:  # Videos are namespaced; Kopf types allow cluster objects
        return
    try:
        memo.reconciler.video(namespace, name)
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


@kopf.timer(GROUP, VERSION, video_res.PLURAL, interval=RESYNC_S, initial_delay=RESYNC_S)
def video_resync(namespace: str | None, name: str, memo: kopf.Memo, **_: Any) -> None:
    # A timer keeps going whatever happens; errors are logged by Kopf and retried.
    if namespace is not None and memo.reconciler.due(namespace, name):
        _reconcile(memo, namespace, name, permanent=False)


@kopf.on.event("batch", "v1", "jobs", labels={LABEL_MANAGED_BY: MANAGED_BY})
def job_changed(body: kopf.Body, namespace: str | None, memo: kopf.Memo, **_: Any) -> None:
    if namespace is None:
        return
    for ref in body.metadata.get("ownerReferences") or []:
        if ref.get("kind") == video_res.KIND and ref.get("apiVersion", "").startswith(GROUP):
            try:
                memo.reconciler.video(namespace, ref["name"])
            except OperatorError as exc:  # the timer will come back to it
                log.warning("reconciling %s/%s after a Job event: %s", namespace, ref["name"], exc)


@kopf.on.delete(GROUP, VERSION, video_res.PLURAL)
def video_deleted(
    namespace: str | None, name: str, spec: kopf.Spec, memo: kopf.Memo, **_: Any
) -> None:
    if namespace is None:
        return
    try:
        running = memo.reconciler.finalize_video(namespace, name, dict(spec))
    except OperatorError as exc:
        raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    if running:
        raise kopf.TemporaryError(f"waiting for {running} transcode pod(s) to stop", delay=1)


@kopf.on.create(GROUP, VERSION, plan_res.PLURAL)
@kopf.on.update(GROUP, VERSION, plan_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, plan_res.PLURAL)
def plan_changed(body: kopf.Body, name: str, patch: kopf.Patch, memo: kopf.Memo, **_: Any) -> None:
    spec, error = plans.parse(dict(body))
    if spec is not None:
        try:
            memo.reconciler.catalog.upsert_plan(plans.catalog_plan(name, spec))
        except OperatorError as exc:
            patch.status.update(plans.plan_status(dict(body), str(exc)))
            raise kopf.TemporaryError(str(exc), delay=RETRY_DELAY_S) from exc
    patch.status.update(plans.plan_status(dict(body), error))
    if error:
        raise kopf.PermanentError(error)


@kopf.on.create(GROUP, VERSION, ladder_res.PLURAL)
@kopf.on.update(GROUP, VERSION, ladder_res.PLURAL, field="spec")
@kopf.on.resume(GROUP, VERSION, ladder_res.PLURAL)
def ladder_changed(body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
    status = ladders.ladder_status(dict(body))
    patch.status.update(status)
    if not ladders.is_valid(status):
        raise kopf.PermanentError(ladders.message(status))
