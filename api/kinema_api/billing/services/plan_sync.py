"""``kinema up``'s plans into Stripe: on one machine, what the operator's Plan handler does
in a cluster.

Checkout needs each plan's Stripe Price (``plans.stripe_price_id``). In a cluster the
operator writes it; ``kinema up`` runs no operator, so with ``KINEMA_STRIPE_API_KEY`` set
it mirrors the catalog's plans on offer through the same door
(:mod:`kinema.billing.stripe_plans`): one Product per plan with the metadata
``kinema_plan=embedded:<slug>``, one active Price for its terms, a new Price (and the old
one archived) when the terms change, idempotent creations. The catalog keeps the Price id;
the Product is found again through it.

It runs in a background thread (:class:`PlanSync`) started before the server, because
nothing else ``kinema up`` serves needs Stripe: browsing and playback start at once even
when Stripe is slow or unreachable, and until a plan's Price is there its Checkout
answers 409 ``plan_not_synced``, which the log says. Failures Stripe may get over
(network, rate limits, its own errors) are retried with a growing delay; a refusal (a bad
key, parameters Stripe rejects) is not, since only a change and a restart can fix it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kinema.billing.stripe_plans import (
    KnownIds,
    StripePlan,
    StripePlans,
    Synced,
    Terms,
    connect,
    plan_key,
    terms_revision,
)
from kinema.catalog.models import Plan
from kinema.errors import StripeRejected, StripeSyncError
from kinema.settings import Settings

log = logging.getLogger("kinema.api.billing")

# Seconds between attempts for the plans Stripe could not take; the last one repeats.
RETRY_DELAYS_S = (10.0, 30.0, 60.0, 300.0)


def stripe_plan(plan: Plan) -> StripePlan:
    """A catalog plan as Stripe gets it. Pure."""
    terms = Terms(plan.price_cents, plan.currency, plan.interval)
    return StripePlan(
        key=plan_key(None, plan.slug),
        uid=str(plan.id),
        revision=terms_revision(terms, plan.stripe_price_id),
        name=plan.name,
        description="",
        terms=terms,
    )


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    slug: str
    synced: Synced | None = None
    error: StripeSyncError | None = None

    @property
    def retryable(self) -> bool:
        return self.error is not None and not isinstance(self.error, StripeRejected)


def sync_plans(
    sessions: sessionmaker[Session], stripe: StripePlans, *, slugs: Collection[str] | None = None
) -> list[PlanOutcome]:
    """Mirror the plans on offer (or those of ``slugs``) into Stripe, one at a time, and
    write each one's Price id to the catalog. A plan Stripe fails on is reported, not
    raised, so the others still go through. No transaction is held while Stripe answers."""
    with sessions() as session:
        query = select(Plan).where(Plan.retired.is_(False)).order_by(Plan.price_cents, Plan.slug)
        if slugs is not None:
            query = query.where(Plan.slug.in_(slugs))
        work = [(p.id, p.slug, stripe_plan(p), p.stripe_price_id) for p in session.scalars(query)]
    outcomes = []
    for plan_id, slug, plan, price_id in work:
        try:
            synced = stripe.sync(plan, KnownIds(price_id=price_id))
        except StripeSyncError as exc:
            outcomes.append(PlanOutcome(slug, error=exc))
            continue
        if synced.ids.price_id != price_id:
            _keep_price(sessions, plan_id, synced.ids.price_id)
        outcomes.append(PlanOutcome(slug, synced=synced))
    return outcomes


def _keep_price(sessions: sessionmaker[Session], plan_id: uuid.UUID, price_id: str) -> None:
    with sessions.begin() as session:
        plan = session.get(Plan, plan_id)
        if plan is not None:
            plan.stripe_price_id = price_id


def _report(outcomes: Sequence[PlanOutcome], retry_in: float) -> None:
    for outcome in outcomes:
        if outcome.synced is not None:
            log.info("billing: plan %s in Stripe: %s", outcome.slug, outcome.synced.summary())
            continue
        then = (
            f"retrying in {retry_in:g} s"
            if outcome.retryable
            else "not retried: fix KINEMA_STRIPE_API_KEY (or the plan) and restart kinema up"
        )
        log.warning(
            "billing: plan %s is not in Stripe (%s); Checkout for it answers 409 "
            "plan_not_synced until it is; %s",
            outcome.slug, outcome.error, then,
        )  # fmt: skip


@dataclass
class PlanSync:
    """The background mirror of the catalog's plans into Stripe (a daemon thread).

    It ends when every plan is in Stripe or refused, or when ``stopping`` is set (the
    server stops); :meth:`wait` says whether it ended."""

    sessions: sessionmaker[Session]
    stripe: StripePlans
    stopping: threading.Event
    delays_s: Sequence[float] = RETRY_DELAYS_S
    outcomes: dict[str, PlanOutcome] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kinema-plan-sync", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def pending(self) -> set[str]:
        """Plans not in Stripe (yet)."""
        return {slug for slug, o in self.outcomes.items() if o.synced is None}

    def _run(self) -> None:
        try:
            slugs: set[str] | None = None
            attempt = 0
            while not self.stopping.is_set():
                delay = self.delays_s[min(attempt, len(self.delays_s) - 1)]
                try:
                    outcomes = sync_plans(self.sessions, self.stripe, slugs=slugs)
                except SQLAlchemyError as exc:
                    log.warning(
                        "billing: reading or writing the catalog's plans failed (%s); Checkout "
                        "answers 409 plan_not_synced for plans without a Stripe price; "
                        "retrying in %g s",
                        exc, delay,
                    )  # fmt: skip
                    outcomes = []
                else:
                    self.outcomes.update((o.slug, o) for o in outcomes)
                    _report(outcomes, delay)
                    slugs = {o.slug for o in outcomes if o.retryable}
                    if not slugs:
                        break
                attempt += 1
                if self.stopping.wait(delay):
                    break
            if not self.pending and self.outcomes:
                log.info("billing: %d plan(s) in Stripe; Checkout is ready", len(self.outcomes))
        finally:
            self._done.set()


def start_plan_sync(
    settings: Settings, sessions: sessionmaker[Session], stopping: threading.Event
) -> PlanSync | None:
    """``kinema up``: start mirroring the plans into Stripe when billing is on; None when
    it is off, or when a cluster's operator owns the plans (``KINEMA_MODE=cluster``)."""
    if not settings.billing_enabled or settings.stripe_api_key is None:
        return None
    if settings.mode == "cluster":
        log.info("billing: KINEMA_MODE=cluster: the operator puts the plans into Stripe")
        return None
    key = settings.stripe_api_key.get_secret_value().strip()
    sync = PlanSync(sessions, StripePlans(connect(key, settings.stripe_api_base)), stopping)
    log.info("billing: putting the catalog's plans into Stripe (in the background)")
    sync.start()
    return sync
