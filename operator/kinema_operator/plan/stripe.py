"""Plans into Stripe: one Product per Plan, one active recurring Price for its terms.

Stripe Prices are immutable: when a Plan's amount, currency or interval changes, a new
Price is created, made the Product's default, and the old one is archived
(``active=false``; subscriptions on it keep billing until they move). :func:`price_action`
is that decision, pure; :class:`StripeSync` is the operator's one door to Stripe.

Idempotency: the Product is found by the id in the Plan's status, else by the metadata
``kinema_plan=<namespace>/<name>`` (Stripe's search), else created; creations carry an
idempotency key derived from the object's uid and generation, so a retry whose answer
was lost does not create twice.

A deleted Plan is archived, not deleted (:meth:`StripeSync.archive`): Stripe refuses to
delete a Product with Prices, and a Price that billed anyone must stay for its
invoices. Archiving is idempotent (an archived object archives again without error), and
a Plan whose Product was never created, or is gone, has nothing to archive.

    OperatorError
    ├── InvalidSpec
    │   └── StripeRejected     Stripe refused the request (bad key, invalid parameters)
    └── StripeSyncError        network, rate limit, Stripe's own errors: retry
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

import stripe

from kinema.resources.plan import PlanSpec, PlanStatus
from kinema_operator.errors import InvalidSpec, OperatorError

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

METADATA_KEY = "kinema_plan"
_SEARCHABLE = re.compile(r"^[a-z0-9.-]+/[a-z0-9.-]+$")


class StripeSyncError(OperatorError):
    """A Stripe call failed in a way a later retry may fix."""


class StripeRejected(InvalidSpec):
    """Stripe refused the request; the Plan (or the key) must change first."""


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
    REUSE = "reuse"  # the current Price bills the Plan's terms
    CREATE = "create"  # no Price yet
    REPLACE = "replace"  # create a new Price, then archive the current one


@dataclass(frozen=True, slots=True)
class StripeIds:
    product_id: str
    price_id: str


@dataclass(frozen=True, slots=True)
class Archived:
    """What archiving a deleted Plan touched in Stripe."""

    product_id: str | None  # None: Stripe holds no Product for the Plan
    price_ids: tuple[str, ...]

    def summary(self) -> str:
        if self.product_id is None and not self.price_ids:
            return "no product or price to archive"
        prices = ", ".join(self.price_ids) or "no active price"
        return f"archived product {self.product_id or '(none)'} and {prices}"


def terms_of(spec: PlanSpec) -> Terms:
    return Terms(spec.price.amount, spec.price.currency, spec.interval.value)


def price_action(current: PriceSeen | None, desired: Terms, product_id: str) -> PriceAction:
    """Whether the Plan's current Price can stay. Pure."""
    if current is None:
        return PriceAction.CREATE
    if current.active and current.product == product_id and current.terms == desired:
        return PriceAction.REUSE
    return PriceAction.REPLACE


def plan_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


@contextmanager
def _stripe(what: str) -> Iterator[None]:
    try:
        yield
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        raise StripeRejected(f"{what}: Stripe refused the API key: {exc.user_message}") from exc
    except stripe.InvalidRequestError as exc:
        raise StripeRejected(f"{what}: Stripe said: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        raise StripeSyncError(f"{what}: {exc.user_message or exc}") from exc


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


class StripeSync:
    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    @classmethod
    def connect(cls, api_key: str, api_base: str | None = None) -> StripeSync:
        base: BaseAddresses | None = {"api": api_base.rstrip("/")} if api_base else None
        return cls(stripe.StripeClient(api_key, base_addresses=base, max_network_retries=2))

    def sync(
        self, *, namespace: str, name: str, uid: str, generation: int, spec: PlanSpec,
        status: PlanStatus,
    ) -> StripeIds:  # fmt: skip
        """Make Stripe's Product and Price match the Plan; the ids to keep in its status."""
        key = plan_key(namespace, name)
        product = self._product(key, status.stripe_product_id)
        fields: dict[str, Any] = {
            "name": spec.display_name,
            "active": True,
            "metadata": {METADATA_KEY: key},
        }
        if spec.description:
            fields["description"] = spec.description
        if product is None:
            with _stripe(f"creating the Stripe product of Plan {key}"):
                product = self.client.v1.products.create(
                    params=cast(Any, fields),
                    options={"idempotency_key": f"kinema-product-{uid}"},
                )
        else:
            with _stripe(f"updating Stripe product {product.id}"):
                product = self.client.v1.products.update(product.id, params=cast(Any, fields))

        desired = terms_of(spec)
        current = self._price(status.stripe_price_id)
        action = price_action(current, desired, product.id)
        if action is PriceAction.REUSE and current is not None:
            return StripeIds(product.id, current.id)
        with _stripe(f"creating a Stripe price for Plan {key}"):
            price = self.client.v1.prices.create(
                params={
                    "product": product.id,
                    "unit_amount": desired.amount,
                    "currency": desired.currency,
                    "recurring": {"interval": cast(Any, desired.interval)},
                    "metadata": {METADATA_KEY: key},
                },
                options={"idempotency_key": f"kinema-price-{uid}-g{generation}"},
            )
        # The Product's default Price cannot be archived: move the default first.
        with _stripe(f"making {price.id} the default price of {product.id}"):
            self.client.v1.products.update(product.id, params={"default_price": price.id})
        if current is not None and current.active and current.id != price.id:
            with _stripe(f"archiving Stripe price {current.id}"):
                self.client.v1.prices.update(current.id, params={"active": False})
        return StripeIds(product.id, price.id)

    def archive(self, *, namespace: str, name: str, status: PlanStatus) -> Archived:
        """Archive (``active=false``) the Product of a deleted Plan and its active Prices."""
        key = plan_key(namespace, name)
        product = self._product(key, status.stripe_product_id)
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
        if status.stripe_price_id and status.stripe_price_id not in prices:
            prices.insert(0, status.stripe_price_id)
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
        if not _SEARCHABLE.match(key):  # names are DNS labels; never quote user input
            return None
        with _stripe(f"searching Stripe products of Plan {key}"):
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
