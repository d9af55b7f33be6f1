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
from collections.abc import Collection, Iterator, Sequence
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
from kinema.errors import StripeRejected, StripeSyncError, StripeUnavailable
from kinema.settings import Settings

log = logging.getLogger("kinema.api.billing")

# Seconds between attempts for the plans Stripe could not take; the last one repeats.
RETRY_DELAYS_S = (10.0, 30.0, 60.0, 300.0)
# Per request (the SDK's own is 80 s, tried three times): a Stripe that does not answer is
# reported within a minute rather than four.
STRIPE_TIMEOUT_S = 15.0


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
) -> Iterator[PlanOutcome]:
    """Mirror the plans on offer (or those of ``slugs``) into Stripe, one at a time, write
    each one's Price id to the catalog, and yield each outcome as it is known.

    A plan Stripe refuses is reported and the others still go; once Stripe cannot be
    reached, the plans not tried yet are reported with the same error rather than tried
    (each would wait as long). No transaction is held while Stripe answers."""
    with sessions() as session:
        query = select(Plan).where(Plan.retired.is_(False)).order_by(Plan.price_cents, Plan.slug)
        if slugs is not None:
            query = query.where(Plan.slug.in_(slugs))
        work = [(p.id, p.slug, stripe_plan(p), p.stripe_price_id) for p in session.scalars(query)]
    unreachable: StripeUnavailable | None = None
    for plan_id, slug, plan, price_id in work:
        if unreachable is not None:
            yield PlanOutcome(slug, error=unreachable)
            continue
        try:
            synced = stripe.sync(plan, KnownIds(price_id=price_id))
        except StripeUnavailable as exc:
            unreachable = exc
            yield PlanOutcome(slug, error=exc)
            continue
        except StripeSyncError as exc:
            yield PlanOutcome(slug, error=exc)
            continue
        if synced.ids.price_id != price_id:
            _keep_price(sessions, plan_id, synced.ids.price_id)
        yield PlanOutcome(slug, synced=synced)


def _keep_price(sessions: sessionmaker[Session], plan_id: uuid.UUID, price_id: str) -> None:
    with sessions.begin() as session:
        plan = session.get(Plan, plan_id)
        if plan is not None:
            plan.stripe_price_id = price_id


def _report(outcome: PlanOutcome) -> None:
    if outcome.synced is not None:
        log.info("billing: plan %s in Stripe: %s", outcome.slug, outcome.synced.summary())
    elif not outcome.retryable:
        log.warning(
            "billing: Stripe refused plan %s (%s); Checkout for it answers 409 "
            "plan_not_synced; not retried: fix KINEMA_STRIPE_API_KEY (or the plan) and "
            "restart kinema up",
            outcome.slug, outcome.error,
        )  # fmt: skip


def _report_waiting(waiting: Sequence[PlanOutcome], retry_in: float) -> None:
    log.warning(
        "billing: Stripe did not answer (%s); Checkout answers 409 plan_not_synced for "
        "%s until it does; retrying in %g s",
        waiting[0].error, ", ".join(o.slug for o in waiting), retry_in,
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
                    slugs = self._attempt(slugs, delay)
                except SQLAlchemyError as exc:
                    log.warning(
                        "billing: reading or writing the catalog's plans failed (%s); Checkout "
                        "answers 409 plan_not_synced for plans without a Stripe price; "
                        "retrying in %g s",
                        exc, delay,
                    )  # fmt: skip
                if slugs is not None and not slugs:
                    break
                attempt += 1
                if self.stopping.wait(delay):
                    break
            if self.outcomes and not self.pending:
                log.info("billing: %d plan(s) in Stripe; Checkout is ready", len(self.outcomes))
        finally:
            self._done.set()

    def _attempt(self, slugs: set[str] | None, retry_in: float) -> set[str]:
        """One pass over ``slugs`` (None: every plan); the plans to try again."""
        waiting = []
        for outcome in sync_plans(self.sessions, self.stripe, slugs=slugs):
            self.outcomes[outcome.slug] = outcome
            _report(outcome)
            if outcome.retryable:
                waiting.append(outcome)
        if waiting:
            _report_waiting(waiting, retry_in)
        return {o.slug for o in waiting}


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
    client = connect(key, settings.stripe_api_base, timeout_s=STRIPE_TIMEOUT_S)
    sync = PlanSync(sessions, StripePlans(client), stopping, delays_s=RETRY_DELAYS_S)
    log.info("billing: putting the catalog's plans into Stripe (in the background)")
    sync.start()
    return sync
