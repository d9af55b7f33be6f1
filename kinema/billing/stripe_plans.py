"""Plans into Stripe: one Product per plan, one active recurring Price for its terms.

Both ways of running Kinema mirror their plans through this module: the operator's Plan
handler in a cluster (``kinema_operator.plan.stripe`` adapts a Plan resource) and
``kinema up`` at start (``kinema_api.billing.services.plan_sync`` adapts a catalog row).
They differ only in where a plan comes from and where its ids are kept.

Stripe Prices are immutable: when a plan's amount, currency or interval changes, a new
Price is created, made the Product's default, and the old one is archived
(``active=false``; subscriptions on it keep billing until they move). :func:`price_action`
is that decision, pure; :class:`StripePlans` is the one door to Stripe for it.

A plan's Product is found by the known Product id (a Plan's status), else through the
known Price (the catalog keeps only the Price, and a Price names its Product), else by
the metadata ``kinema_plan=<key>`` (Stripe's search), else it is created. :func:`plan_key`
makes the key: ``<namespace>/<name>`` for a Plan resource, ``embedded:<slug>`` for a plan
of ``kinema up``, which has no namespace (``:`` is never part of a namespace, so the two
cannot collide). Creations carry idempotency keys, the Product's from the plan's uid and a
Price's from the uid and the plan's revision, so a retry whose answer was lost does not
create twice.

A deleted plan is archived, not deleted (:meth:`StripePlans.archive`): Stripe refuses to
delete a Product with Prices, and a Price that billed anyone must stay for its invoices.
Archiving is idempotent (an archived object archives again without error), and a plan
whose Product was never created, or is gone, has nothing to archive.

Stripe's errors leave as :class:`~kinema.errors.StripeRejected` (Stripe refused the
request: the key or the plan must change) or :class:`~kinema.errors.StripeUnavailable`
(network, rate limit, Stripe's own errors: retry).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

import stripe

from kinema.errors import StripeRejected, StripeUnavailable

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

METADATA_KEY = "kinema_plan"
EMBEDDED_PREFIX = "embedded:"
# Kubernetes names and catalog slugs; a key that is not one is never put in a query.
_SEARCHABLE = re.compile(r"^(?:[a-z0-9.-]+/|embedded:)[a-z0-9.-]+$")


@dataclass(frozen=True, slots=True)
class Terms:
    """What a Price bills: Stripe never changes these on an existing Price."""

    amount: int
    currency: str
    interval: str


@dataclass(frozen=True, slots=True)
class PriceSeen:
    id: str
    product: str
    terms: Terms | None  # None: not a recurring price Kinema could have made
    active: bool


class PriceAction(StrEnum):
    REUSE = "reuse"  # the current Price bills the plan's terms
    CREATE = "create"  # no Price yet
    REPLACE = "replace"  # create a new Price, then archive the current one


@dataclass(frozen=True, slots=True)
class StripeIds:
    product_id: str
    price_id: str


@dataclass(frozen=True, slots=True)
class KnownIds:
    """What the plan's keeper remembers from the last sync (either may be unknown)."""

    product_id: str | None = None
    price_id: str | None = None


@dataclass(frozen=True, slots=True)
class StripePlan:
    """A plan as Stripe gets it, with what makes its requests idempotent."""

    key: str  # plan_key(): the Product's metadata value
    uid: str  # stable for the plan's life: the Product's idempotency key
    revision: str  # changes whenever a new Price may be due: part of the Price's key
    name: str
    description: str
    terms: Terms


@dataclass(frozen=True, slots=True)
class Synced:
    ids: StripeIds
    action: PriceAction
    archived_price: str | None = None  # the Price a new one replaced

    def summary(self) -> str:
        price = self.ids.price_id
        if self.action is PriceAction.REUSE:
            return f"product {self.ids.product_id}, price {price} (unchanged)"
        if self.archived_price:
            return (
                f"product {self.ids.product_id}, new price {price} ({self.archived_price} archived)"
            )
        return f"product {self.ids.product_id}, new price {price}"


@dataclass(frozen=True, slots=True)
class Archived:
    """What archiving a deleted plan touched in Stripe."""

    product_id: str | None  # None: Stripe holds no Product for the plan
    price_ids: tuple[str, ...]

    def summary(self) -> str:
        if self.product_id is None and not self.price_ids:
            return "no product or price to archive"
        prices = ", ".join(self.price_ids) or "no active price"
        return f"archived product {self.product_id or '(none)'} and {prices}"


def plan_key(namespace: str | None, name: str) -> str:
    """The metadata value that names a plan's Product: ``<namespace>/<name>`` for a Plan
    resource, ``embedded:<slug>`` for a plan of ``kinema up`` (no namespace)."""
    return f"{namespace}/{name}" if namespace else f"{EMBEDDED_PREFIX}{name}"


def terms_revision(terms: Terms, current_price_id: str | None) -> str:
    """A revision for keepers without a generation (``kinema up``): "these terms, replacing
    that Price". A retry of one change repeats it; going back to earlier terms later is a
    new change (a new key), so Stripe never answers it with the archived Price."""
    return f"{terms.amount}-{terms.currency}-{terms.interval}-from-{current_price_id or 'none'}"


def price_action(current: PriceSeen | None, desired: Terms, product_id: str) -> PriceAction:
    """Whether the plan's current Price can stay. Pure."""
    if current is None:
        return PriceAction.CREATE
    if current.active and current.product == product_id and current.terms == desired:
        return PriceAction.REUSE
    return PriceAction.REPLACE


def connect(
    api_key: str, api_base: str | None = None, *, timeout_s: float | None = None
) -> stripe.StripeClient:
    """A client for ``api_key`` that retries twice; ``api_base`` replaces api.stripe.com
    (stripe-mock), ``timeout_s`` the SDK's 80 s per request."""
    base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
    http = stripe.new_default_http_client(timeout=timeout_s) if timeout_s else None
    return stripe.StripeClient(
        api_key, base_addresses=base, max_network_retries=2, http_client=http
    )


def _said(exc: stripe.StripeError) -> str:
    """Stripe's words on one line (a network error's run over several)."""
    return " ".join(str(exc.user_message or exc).split())


@contextmanager
def _stripe(what: str) -> Iterator[None]:
    try:
        yield
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        raise StripeRejected(f"{what}: Stripe refused the API key: {_said(exc)}") from exc
    except stripe.InvalidRequestError as exc:
        raise StripeRejected(f"{what}: Stripe said: {_said(exc)}") from exc
    except stripe.StripeError as exc:
        raise StripeUnavailable(f"{what}: {_said(exc)}") from exc


def _missing(exc: stripe.StripeError) -> bool:
    return isinstance(exc, stripe.InvalidRequestError) and exc.http_status == 404


def _price_seen(price: stripe.Price) -> PriceSeen:
    recurring = price.recurring
    product = price.product if isinstance(price.product, str) else price.product.id
    terms = (
        Terms(int(price.unit_amount), str(price.currency), str(recurring.interval))
        if recurring is not None and price.unit_amount is not None
        else None
    )
    return PriceSeen(id=price.id, product=product, terms=terms, active=bool(price.active))


class StripePlans:
    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    def sync(self, plan: StripePlan, known: KnownIds) -> Synced:
        """Make Stripe's Product and Price match ``plan``; the ids to keep."""
        current: PriceSeen | None = None
        product_id = known.product_id
        price_read = False
        if product_id is None and known.price_id:
            current, price_read = self._price(known.price_id), True
            product_id = current.product if current is not None else None
        product = self._product(plan.key, product_id)
        fields: dict[str, Any] = {
            "name": plan.name,
            "active": True,
            "metadata": {METADATA_KEY: plan.key},
        }
        if plan.description:
            fields["description"] = plan.description
        if product is None:
            with _stripe(f"creating the Stripe product of plan {plan.key}"):
                product = self.client.v1.products.create(
                    params=cast(Any, fields),
                    options={"idempotency_key": f"kinema-product-{plan.uid}"},
                )
        else:
            with _stripe(f"updating Stripe product {product.id}"):
                product = self.client.v1.products.update(product.id, params=cast(Any, fields))

        desired = plan.terms
        if not price_read:
            current = self._price(known.price_id)
        action = price_action(current, desired, product.id)
        if action is PriceAction.REUSE and current is not None:
            return Synced(StripeIds(product.id, current.id), action)
        with _stripe(f"creating a Stripe price for plan {plan.key}"):
            price = self.client.v1.prices.create(
                params={
                    "product": product.id,
                    "unit_amount": desired.amount,
                    "currency": desired.currency,
                    "recurring": {"interval": cast(Any, desired.interval)},
                    "metadata": {METADATA_KEY: plan.key},
                },
                options={"idempotency_key": f"kinema-price-{plan.uid}-{plan.revision}"},
            )
        # The Product's default Price cannot be archived: move the default first.
        with _stripe(f"making {price.id} the default price of {product.id}"):
            self.client.v1.products.update(product.id, params={"default_price": price.id})
        archived = None
        if current is not None and current.active and current.id != price.id:
            with _stripe(f"archiving Stripe price {current.id}"):
                self.client.v1.prices.update(current.id, params={"active": False})
            archived = current.id
        return Synced(StripeIds(product.id, price.id), action, archived)

    def archive(self, key: str, known: KnownIds) -> Archived:
        """Archive (``active=false``) the Product of a deleted plan and its active Prices."""
        product = self._product(key, known.product_id)
        prices: list[str] = []
        if product is not None:
            # A Product's default Price cannot be archived: unset it in the same call.
            with _stripe(f"archiving Stripe product {product.id}"):
                self.client.v1.products.update(
                    product.id, params={"active": False, "default_price": ""}
                )
            with _stripe(f"listing the active prices of Stripe product {product.id}"):
                listed = self.client.v1.prices.list(
                    params={"product": product.id, "active": True, "limit": 100}
                )
                # Stripe filters by product; the check below also keeps an emulator's
                # canned answers (other products' prices) out.
                prices = [
                    p.id for p in listed.auto_paging_iter() if _price_seen(p).product == product.id
                ]
        if known.price_id and known.price_id not in prices:
            prices.insert(0, known.price_id)
        archived = tuple(p for p in prices if self._archive_price(p))
        return Archived(product.id if product is not None else None, archived)

    def _archive_price(self, price_id: str) -> bool:
        """False when Stripe has no such Price (nothing to archive)."""
        try:
            self.client.v1.prices.update(price_id, params={"active": False})
        except stripe.StripeError as exc:
            if _missing(exc):
                return False
            with _stripe(f"archiving Stripe price {price_id}"):
                raise
        return True

    def _product(self, key: str, known_id: str | None) -> stripe.Product | None:
        if known_id:
            try:
                return self.client.v1.products.retrieve(known_id)
            except stripe.StripeError as exc:
                if not _missing(exc):
                    with _stripe(f"reading Stripe product {known_id}"):
                        raise
        if not _SEARCHABLE.match(key):  # never quote anything else into a query
            return None
        with _stripe(f"searching Stripe products of plan {key}"):
            found = self.client.v1.products.search(
                params={"query": f"metadata['{METADATA_KEY}']:'{key}'", "limit": 10}
            )
        # Search is eventually consistent and matches loosely: trust only exact metadata.
        for product in found.data:
            metadata = product.to_dict().get("metadata") or {}
            if metadata.get(METADATA_KEY) == key:
                return product
        return None

    def _price(self, price_id: str | None) -> PriceSeen | None:
        if not price_id:
            return None
        try:
            return _price_seen(self.client.v1.prices.retrieve(price_id))
        except stripe.StripeError as exc:
            if _missing(exc):
                return None
            with _stripe(f"reading Stripe price {price_id}"):
                raise
