"""Wiring: build the :class:`Reconciler` and its doors from the environment.

Kept apart from the handlers so that tests and ``kinema operator`` share one way of
building the operator, and the handlers module stays a list of triggers.
"""

from __future__ import annotations

from typing import Any

from kinema.settings import Settings
from kinema_operator import metrics
from kinema_operator.catalog_sync import Catalog
from kinema_operator.cloudfront import CloudFrontApi
from kinema_operator.cloudfront_sync import CloudFrontSync
from kinema_operator.config import OperatorSettings
from kinema_operator.kube import Kube, load_api_client
from kinema_operator.outputs import Outputs
from kinema_operator.reconcile import Reconciler
from kinema_operator.stripe_sync import StripeSync


def build_reconciler(
    settings: Settings | None = None, op: OperatorSettings | None = None
) -> Reconciler:
    settings = settings or Settings()
    op = op or OperatorSettings()
    return Reconciler(
        kube=Kube(load_api_client(settings.kubeconfig)),
        outputs=Outputs(settings),
        catalog=Catalog(settings.resolved_database_url),
        settings=settings,
        op=op,
    )


def build_cloudfront(op: OperatorSettings | None = None) -> CloudFrontSync:
    op = op or OperatorSettings()
    return CloudFrontSync(CloudFrontApi.connect(op.cloudfront_endpoint_url))


def build_stripe(op: OperatorSettings | None = None) -> StripeSync | None:
    """The Stripe sync, or None when no key is configured (Plans go to the catalog only)."""
    op = op or OperatorSettings()
    if op.stripe_api_key is None or not op.stripe_api_key.get_secret_value():
        return None
    return StripeSync.connect(op.stripe_api_key.get_secret_value(), op.stripe_api_base)


def start_metrics(port: int) -> Any:
    return metrics.serve(port)


def stop(
    reconciler: Reconciler | None, metrics_server: Any, cloudfront: CloudFrontSync | None = None
) -> None:
    """Close every connection the operator opened (nothing is left to the GC)."""
    if metrics_server is not None:
        metrics_server.shutdown()
        metrics_server.server_close()
    if reconciler is not None:
        reconciler.catalog.close()
        reconciler.outputs.close()
        reconciler.kube.api.close()
    if cloudfront is not None:
        cloudfront.api.close()
