"""Wiring: the operator's doors and kinds, built from the environment and closed again.

:func:`build` makes one :class:`Operator` at startup: the doors (cluster, catalog
database, object store, CloudFront, Stripe) and the kind objects that use them (the
clip preview Jobs' loop among them). The
handlers keep it in Kopf's memo and take from it exactly what each trigger needs, so no
handler reaches through one kind to another's door. Kept apart from the handlers so that
``kinema operator`` and tests build the operator one way, and the handlers module stays a
list of triggers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinema.settings import Settings
from kinema_operator import kube, metrics
from kinema_operator.catalog import Catalog
from kinema_operator.clip.previews import Previews
from kinema_operator.config import OperatorSettings
from kinema_operator.distribution.cloudfront import CloudFrontApi
from kinema_operator.distribution.sync import CloudFrontSync
from kinema_operator.kube import Kube
from kinema_operator.plan.stripe import StripeSync
from kinema_operator.video.outputs import Outputs
from kinema_operator.video.reconcile import Reconciler


@dataclass
class Operator:
    """Everything the handlers use, opened once; :meth:`close` releases all of it."""

    kube: Kube
    catalog: Catalog
    videos: Reconciler
    cloudfront: CloudFrontSync
    stripe: StripeSync | None  # None: Plans go to the catalog only
    previews: Previews | None = None  # clip preview Jobs (started by the startup handler)
    metrics_server: Any = None

    def close(self) -> None:
        """Close every connection the operator opened (nothing is left to the GC)."""
        if self.metrics_server is not None:
            self.metrics_server.shutdown()
            self.metrics_server.server_close()
        if self.previews is not None:
            self.previews.close()
        self.catalog.close()
        self.videos.outputs.close()
        self.kube.close()
        self.cloudfront.api.close()


def build(settings: Settings | None = None, op: OperatorSettings | None = None) -> Operator:
    settings = settings or Settings()
    op = op or OperatorSettings()
    cluster = kube.connect(settings.kubeconfig)
    outputs = Outputs(settings)
    catalog = Catalog(settings.resolved_database_url)
    cloudfront = CloudFrontApi.connect(op.cloudfront_endpoint_url)
    videos = Reconciler(
        kube=cluster, outputs=outputs, catalog=catalog, settings=settings, op=op, cdn=cloudfront
    )
    return Operator(
        kube=cluster,
        catalog=catalog,
        videos=videos,
        cloudfront=CloudFrontSync(cloudfront),
        stripe=build_stripe(op),
        previews=Previews(
            kube=cluster, catalog=catalog, store=outputs.store, settings=settings, op=op
        ),
        metrics_server=metrics.serve(op.metrics_port),
    )


def build_stripe(op: OperatorSettings) -> StripeSync | None:
    """The Stripe sync, or None when no key is configured (Plans go to the catalog only)."""
    if op.stripe_api_key is None or not op.stripe_api_key.get_secret_value():
        return None
    return StripeSync.connect(op.stripe_api_key.get_secret_value(), op.stripe_api_base)
