"""Plan resources into Stripe, through the core's door (:mod:`kinema.billing.stripe_plans`).

The core does the talking (one Product per Plan, one active Price for its terms, Prices
replaced rather than changed, idempotent creations, archiving a deleted Plan), and
``kinema up`` uses the same door for its plans. This module turns a Plan resource into
what the core asks for and the core's errors into the operator's, which the handlers map
for kopf:

    OperatorError
    ├── InvalidSpec
    │   └── StripeRejected     Stripe refused the request (bad key, invalid parameters):
    │                          kopf.PermanentError until the Plan or the key changes
    └── StripeSyncError        network, rate limit, Stripe's own errors: retried

A Plan's key is ``<namespace>/<name>`` (metadata ``kinema_plan``); a Price's idempotency
key carries the Plan's generation, so a retry of one generation never creates twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import stripe

from kinema import errors as core
from kinema.billing.stripe_plans import (
    METADATA_KEY,
    Archived,
    KnownIds,
    PriceAction,
    PriceSeen,
    StripeIds,
    StripePlan,
    StripePlans,
    Terms,
    connect,
    plan_key,
    price_action,
)
from kinema.resources.plan import PlanSpec, PlanStatus
from kinema_operator.errors import InvalidSpec, OperatorError

__all__ = [
    "METADATA_KEY",
    "Archived",
    "PriceAction",
    "PriceSeen",
    "StripeIds",
    "StripeRejected",
    "StripeSync",
    "StripeSyncError",
    "Terms",
    "plan_key",
    "price_action",
    "terms_of",
]


class StripeSyncError(OperatorError):
    """A Stripe call failed in a way a later retry may fix."""


class StripeRejected(InvalidSpec):
    """Stripe refused the request; the Plan (or the key) must change first."""


def terms_of(spec: PlanSpec) -> Terms:
    return Terms(spec.price.amount, spec.price.currency, spec.interval.value)


@contextmanager
def _operator_errors() -> Iterator[None]:
    try:
        yield
    except core.StripeRejected as exc:
        raise StripeRejected(str(exc)) from exc
    except core.StripeSyncError as exc:
        raise StripeSyncError(str(exc)) from exc


def _known(status: PlanStatus) -> KnownIds:
    return KnownIds(status.stripe_product_id, status.stripe_price_id)


class StripeSync:
    """The operator's one door to Stripe: a Plan resource in, the ids for its status out."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self.plans = StripePlans(client)

    @classmethod
    def connect(cls, api_key: str, api_base: str | None = None) -> StripeSync:
        return cls(connect(api_key, api_base))

    def sync(
        self, *, namespace: str, name: str, uid: str, generation: int, spec: PlanSpec,
        status: PlanStatus,
    ) -> StripeIds:  # fmt: skip
        """Make Stripe's Product and Price match the Plan; the ids to keep in its status."""
        plan = StripePlan(
            key=plan_key(namespace, name),
            uid=uid,
            revision=f"g{generation}",
            name=spec.display_name,
            description=spec.description,
            terms=terms_of(spec),
        )
        with _operator_errors():
            return self.plans.sync(plan, _known(status)).ids

    def archive(self, *, namespace: str, name: str, status: PlanStatus) -> Archived:
        """Archive (``active=false``) the Product of a deleted Plan and its active Prices."""
        with _operator_errors():
            return self.plans.archive(plan_key(namespace, name), _known(status))
