"""stripe-mock from the harness answers Stripe's API and insists on an API key."""

from __future__ import annotations

import httpx
import pytest

from tests.utils.stripe_mock import StripeMock

pytestmark = pytest.mark.integration


def test_lists_customers_with_a_bearer_key(stripe_mock: StripeMock) -> None:
    response = httpx.get(
        f"{stripe_mock.url}/v1/customers",
        headers={"Authorization": f"Bearer {stripe_mock.api_key}"},
        timeout=10,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert body["url"] == "/v1/customers"
    assert all(item["object"] == "customer" for item in body["data"])


def test_creates_a_product_from_form_parameters(stripe_mock: StripeMock) -> None:
    response = httpx.post(
        f"{stripe_mock.url}/v1/products",
        headers={"Authorization": f"Bearer {stripe_mock.api_key}"},
        data={"name": "Kinema Premium"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["object"] == "product"
    assert response.json()["name"] == "Kinema Premium"


def test_refuses_requests_without_a_key(stripe_mock: StripeMock) -> None:
    response = httpx.get(f"{stripe_mock.url}/v1/customers", timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"
