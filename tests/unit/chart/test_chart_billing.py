"""How the chart hands Stripe to the operator (Plans to Products and Prices) and the API
(Checkout, the Billing Portal, webhooks), and what it refuses. ``helm template`` only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils import helm

pytestmark = pytest.mark.usefixtures("helm_installed")

BILLING = {
    "stripe.apiKey": "sk_test_123",
    "stripe.webhookSecret": "whsec_abc123",
    "api.publicUrl": "https://tv.example.com",
}


def _env(objects: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    return helm.container_env(helm.container(helm.find(objects, "Deployment", deployment)))


def test_stripe_keys_reach_the_operator_and_the_api() -> None:
    objects = helm.render(set_values=BILLING)
    operator = _env(objects, "-operator")
    assert operator["KINEMA_STRIPE_API_KEY"]["secretKeyRef"]["key"] == "stripe-api-key"
    assert "KINEMA_STRIPE_WEBHOOK_SECRET" not in operator  # webhooks reach the API only
    api = _env(objects, "-api")
    assert api["KINEMA_STRIPE_API_KEY"]["secretKeyRef"]["key"] == "stripe-api-key"
    assert api["KINEMA_STRIPE_WEBHOOK_SECRET"]["secretKeyRef"]["key"] == "stripe-webhook-secret"
    secret = helm.find(objects, "Secret", "-secrets")
    stored = {**secret.get("data", {}), **secret.get("stringData", {})}
    assert {"stripe-api-key", "stripe-webhook-secret"} <= set(stored)
    config = helm.find(objects, "ConfigMap", "")["data"]
    assert config["KINEMA_BILLING_GRACE_DAYS"] == "3"
    assert "KINEMA_STRIPE_API_BASE" not in config
    without = helm.render()
    for name in ("-operator", "-api"):
        env = _env(without, name)
        assert "KINEMA_STRIPE_API_KEY" not in env and "KINEMA_STRIPE_WEBHOOK_SECRET" not in env


def test_stripe_from_an_existing_secret() -> None:
    objects = helm.render(
        set_values={
            "stripe.existingSecret.name": "billing",
            "api.publicUrl": "https://tv.example.com",
            "stripe.apiBase": "http://stripe-mock:12111",
        }
    )
    api = _env(objects, "-api")
    assert api["KINEMA_STRIPE_API_KEY"]["secretKeyRef"] == {
        "name": "billing",
        "key": "stripe-api-key",
    }
    assert api["KINEMA_STRIPE_WEBHOOK_SECRET"]["secretKeyRef"] == {
        "name": "billing",
        "key": "stripe-webhook-secret",
    }
    config = helm.find(objects, "ConfigMap", "")["data"]
    assert config["KINEMA_STRIPE_API_BASE"] == "http://stripe-mock:12111"


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("stripe.webhookSecret", "needs stripe.webhookSecret"),
        ("api.publicUrl", "Stripe billing needs api.publicUrl"),
    ],
)
def test_billing_without_its_webhook_secret_or_public_url_is_refused(
    drop: str, message: str
) -> None:
    values = {k: v for k, v in BILLING.items() if k != drop}
    result = helm.template(set_values=values)
    assert not result.ok
    assert message in result.stderr
    # An operator-only install syncs Plans to Stripe without either.
    assert helm.template(set_values={"stripe.apiKey": "sk_test_1", "api.enabled": "false"}).ok
