"""The Stripe price decision and the Plan status it leads to. Pure."""

from __future__ import annotations

import pytest
import stripe

from kinema.resources.plan import BillingInterval, PlanSpec, PlanStatus, Price
from kinema_operator.errors import InvalidSpec
from kinema_operator.plan import catalog as plans
from kinema_operator.plan.stripe import (
    PriceAction,
    PriceSeen,
    StripeIds,
    StripeSync,
    StripeSyncError,
    Terms,
    price_action,
)
from kinema_operator.plan.stripe import terms_of as terms
from tests.utils.ports import free_port

SPEC = PlanSpec(
    display_name="Basic", price=Price(amount=699), max_resolution=720,
    concurrent_streams=1, profiles=2,
)  # fmt: skip
NOW = Terms(699, "usd", "month")


def seen(terms: Terms | None = NOW, *, active: bool = True, product: str = "prod_1") -> PriceSeen:
    return PriceSeen(id="price_1", product=product, terms=terms, active=active)


def test_terms_follow_the_plan() -> None:
    assert terms(SPEC) == NOW
    yearly = SPEC.model_copy(update={"interval": BillingInterval.YEAR})
    assert terms(yearly) == Terms(699, "usd", "year")


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (None, PriceAction.CREATE),
        (seen(), PriceAction.REUSE),
        (seen(Terms(799, "usd", "month")), PriceAction.REPLACE),
        (seen(Terms(699, "eur", "month")), PriceAction.REPLACE),
        (seen(Terms(699, "usd", "year")), PriceAction.REPLACE),
        (seen(active=False), PriceAction.REPLACE),
        (seen(product="prod_other"), PriceAction.REPLACE),
        (seen(None), PriceAction.REPLACE),
    ],
)
def test_price_action(current: PriceSeen | None, action: PriceAction) -> None:
    assert price_action(current, NOW, "prod_1") is action


def body(status: dict[str, object] | None = None) -> dict[str, object]:
    return {"metadata": {"generation": 3}, "spec": {}, "status": status or {}}


def test_status_carries_the_stripe_ids() -> None:
    status = plans.plan_status(body(), "", stripe=StripeIds("prod_1", "price_2"))
    assert (status["stripeProductId"], status["stripePriceId"]) == ("prod_1", "price_2")
    (ready,) = status["conditions"]
    assert (ready["status"], ready["reason"], ready["observedGeneration"]) == ("True", "Synced", 3)
    assert "price_2" in ready["message"]


def test_without_a_key_the_plan_is_ready_and_says_stripe_is_off() -> None:
    status = plans.plan_status(body(), "", stripe_enabled=False)
    (ready,) = status["conditions"]
    assert (ready["status"], ready["reason"]) == ("True", "StripeDisabled")
    assert "KINEMA_STRIPE_API_KEY" in ready["message"]
    assert "stripePriceId" not in status


def test_a_failure_keeps_the_known_ids() -> None:
    old = plans.plan_status(body(), "", stripe=StripeIds("prod_1", "price_2"))
    failed = plans.plan_status(body(old), "creating a Stripe price: boom")
    assert failed["stripePriceId"] == "price_2"
    assert failed["conditions"][0]["reason"] == "SyncFailed"


def test_catalog_plan_carries_the_price() -> None:
    assert plans.catalog_plan("basic", SPEC, "price_2").stripe_price_id == "price_2"
    assert plans.catalog_plan("basic", SPEC).stripe_price_id is None


def test_an_unreachable_stripe_is_a_retry_for_kopf_not_a_bad_spec() -> None:
    """The core's StripeUnavailable reaches the handlers as the operator's StripeSyncError
    (kopf.TemporaryError), never as InvalidSpec (kopf.PermanentError)."""
    client = stripe.StripeClient(
        "sk_test_x",
        base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
        max_network_retries=0,
    )
    with pytest.raises(StripeSyncError, match="plan media/basic") as err:
        StripeSync(client).sync(
            namespace="media", name="basic", uid="u", generation=1, spec=SPEC, status=PlanStatus()
        )
    assert not isinstance(err.value, InvalidSpec)
