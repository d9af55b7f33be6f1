"""The core's Stripe plan door: plan keys, Price revisions, summaries, and what a Stripe
that cannot be reached turns into. Pure, except one request to a closed port."""

from __future__ import annotations

import pytest
import stripe

from kinema.billing.stripe_plans import (
    Archived,
    KnownIds,
    PriceAction,
    PriceSeen,
    StripeIds,
    StripePlan,
    StripePlans,
    Synced,
    Terms,
    plan_key,
    price_action,
    terms_revision,
)
from kinema.errors import StripeRejected, StripeSyncError, StripeUnavailable
from tests.utils.ports import free_port

MONTHLY = Terms(999, "usd", "month")


def test_plan_keys_of_resources_and_of_kinema_up_never_meet() -> None:
    assert plan_key("media", "basic") == "media/basic"
    assert plan_key(None, "basic") == "embedded:basic"
    # A namespace called "embedded" is still a namespace: its key has the slash.
    assert plan_key("embedded", "basic") != plan_key(None, "basic")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((MONTHLY, None), (Terms(1099, "usd", "month"), None)),
        ((MONTHLY, None), (Terms(999, "eur", "month"), None)),
        ((MONTHLY, None), (Terms(999, "usd", "year"), None)),
        # Back to earlier terms later replaces another Price: a new key, a new Price.
        ((MONTHLY, None), (MONTHLY, "price_2")),
    ],
)
def test_a_new_price_gets_a_new_revision(
    a: tuple[Terms, str | None], b: tuple[Terms, str | None]
) -> None:
    assert terms_revision(*a) != terms_revision(*b)
    assert terms_revision(*a) == terms_revision(*a)  # a retry repeats the key


def test_the_revision_reads_as_the_change() -> None:
    assert terms_revision(MONTHLY, "price_1") == "999-usd-month-from-price_1"
    assert terms_revision(MONTHLY, None) == "999-usd-month-from-none"


def test_price_action_for_the_core() -> None:
    seen = PriceSeen("price_1", "prod_1", MONTHLY, active=True)
    assert price_action(seen, MONTHLY, "prod_1") is PriceAction.REUSE
    assert price_action(seen, Terms(999, "usd", "year"), "prod_1") is PriceAction.REPLACE
    assert price_action(None, MONTHLY, "prod_1") is PriceAction.CREATE


def test_summaries() -> None:
    ids = StripeIds("prod_1", "price_2")
    assert Synced(ids, PriceAction.REUSE).summary() == "product prod_1, price price_2 (unchanged)"
    assert Synced(ids, PriceAction.CREATE).summary() == "product prod_1, new price price_2"
    replaced = Synced(ids, PriceAction.REPLACE, "price_1").summary()
    assert replaced == "product prod_1, new price price_2 (price_1 archived)"
    assert Archived(None, ()).summary() == "no product or price to archive"


def test_an_unreachable_stripe_is_worth_a_retry() -> None:
    client = stripe.StripeClient(
        "sk_test_x",
        base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
        max_network_retries=0,
    )
    plan = StripePlan("embedded:basic", "u-1", "r", "Basic", "", MONTHLY)
    with pytest.raises(StripeUnavailable, match="searching Stripe products of plan") as err:
        StripePlans(client).sync(plan, KnownIds())
    assert not isinstance(err.value, StripeRejected)
    assert isinstance(err.value, StripeSyncError)
