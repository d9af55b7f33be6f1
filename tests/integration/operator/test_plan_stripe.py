"""Plans into Stripe (stripe-mock) and the catalog (PostgreSQL), through the operator.

stripe-mock is Stripe's own API simulator: it validates every request against Stripe's
OpenAPI definition (paths, parameter names and types, required fields) and answers
with fixture objects, but it keeps no state. What these tests prove: every call the
sync makes is one Stripe accepts, the flow runs end to end (Product, Price, default
price, archived old Price) and the ids Stripe returns reach the Plan's status and the
catalog. What they cannot prove: that a second sync finds the Product again by
metadata search, or reuses an unchanged Price — stripe-mock answers a retrieve with a
fixture Price of other terms and a search with a fixture Product without our metadata.
Those decisions are unit-tested (tests/unit/operator/test_stripe_sync.py).

Deleting a Plan archives its Product and Prices: the requests are read back from
stripe-mock's own request log (it cannot say an object is archived), the catalog from
PostgreSQL, and the finalizer from the API server: it stays while Stripe refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from kinema.resources.plan import PlanSpec, PlanStatus
from tests.utils.operator_run import GROUP, VERSION, conditions_of, operator
from tests.utils.operator_run import wait as wait_for
from tests.utils.stripe_mock import StripeMock

pytestmark = pytest.mark.integration


def wait(what: str, check: Callable[[], Any], timeout: float = 90) -> Any:
    """Generous: the machine is shared, and Kopf's retries are seconds apart."""
    return wait_for(what, check, timeout)


PLANS = Path(__file__).resolve().parents[3] / "examples" / "plans.yaml"


def sample(name: str) -> dict[str, Any]:
    for doc in yaml.safe_load_all(PLANS.read_text()):
        if doc["metadata"]["name"] == name:
            found: dict[str, Any] = doc
            return found
    raise KeyError(name)


def catalog_price(pg_url: str, slug: str) -> tuple[bool, str | None]:
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from kinema.catalog.models import Plan

    engine = create_engine(pg_url)
    try:
        with Session(engine) as session:
            row = session.scalar(select(Plan).where(Plan.slug == slug))
            return (row is not None, row.stripe_price_id if row else None)
    finally:
        engine.dispose()


class Plans:
    def __init__(self, kube: Any, namespace: str) -> None:
        from kubernetes import client as k8s

        self.client = kube.api_client()
        self.api: Any = k8s.CustomObjectsApi(self.client)
        self.namespace = namespace

    def create(self, body: dict[str, Any]) -> None:
        self.api.create_namespaced_custom_object(GROUP, VERSION, self.namespace, "plans", body)

    def get(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get_namespaced_custom_object(
            GROUP, VERSION, self.namespace, "plans", name
        )
        return found

    def find(self, name: str) -> dict[str, Any] | None:
        from kubernetes.client.exceptions import ApiException

        try:
            return self.get(name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def delete(self, name: str) -> None:
        self.api.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, "plans", name)

    def ready(self, name: str, generation: int = 1) -> dict[str, Any] | None:
        body = self.get(name)
        cond = conditions_of(body).get("Ready")
        if cond and cond["status"] == "True" and cond["observedGeneration"] >= generation:
            return body
        return None


@pytest.fixture
def plans(kube_env: Any, kube_namespace: str) -> Any:
    found = Plans(kube_env, kube_namespace)
    yield found
    found.client.close()


@pytest.fixture
def stripe_on(stripe_mock: StripeMock, monkeypatch: pytest.MonkeyPatch) -> StripeMock:
    """The operator started in this test talks to stripe-mock."""
    monkeypatch.setenv("KINEMA_STRIPE_API_KEY", stripe_mock.api_key)
    monkeypatch.setenv("KINEMA_STRIPE_API_BASE", stripe_mock.url)
    return stripe_mock


def test_plan_is_synced_to_stripe_and_the_catalog(
    operator_settings: dict[str, Any],
    stripe_on: StripeMock,
    plans: Plans,
    kube_namespace: str,
    pg_url: str,
) -> None:
    with operator(kube_namespace):
        plans.create(sample("basic"))
        body = wait("the Plan to be Ready", lambda: plans.ready("basic"))
        status = body["status"]
        assert conditions_of(body)["Ready"]["reason"] == "Synced"
        assert status["stripeProductId"].startswith("prod_")
        assert status["stripePriceId"].startswith("price_")
        assert catalog_price(pg_url, "basic") == (True, status["stripePriceId"])

        # A new amount: a new Price (Prices are immutable), recorded everywhere.
        plans.api.patch_namespaced_custom_object(
            GROUP, VERSION, kube_namespace, "plans", "basic", {"spec": {"price": {"amount": 799}}}
        )
        body = wait("the new generation to be Ready", lambda: plans.ready("basic", 2))
        assert body["status"]["stripePriceId"].startswith("price_")
        assert body["status"]["stripePriceId"] != status["stripePriceId"]
        assert catalog_price(pg_url, "basic") == (True, body["status"]["stripePriceId"])


def test_without_a_key_plans_reach_the_catalog_only(
    operator_settings: dict[str, Any],
    plans: Plans,
    kube_namespace: str,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KINEMA_STRIPE_API_KEY", raising=False)
    with operator(kube_namespace):
        plans.create(sample("free"))
        body = wait("the Plan to be Ready", lambda: plans.ready("free"))
        ready = conditions_of(body)["Ready"]
        assert ready["reason"] == "StripeDisabled"
        assert "KINEMA_STRIPE_API_KEY" in ready["message"]
        assert "stripePriceId" not in body["status"]
        assert catalog_price(pg_url, "free") == (True, None)


def recording_client(stripe_mock: StripeMock) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    """A StripeClient for stripe-mock that notes each request (method, path, form)."""
    import stripe

    calls: list[tuple[str, str, dict[str, Any]]] = []
    base = type(stripe.new_default_http_client())

    class Recording(base):  # type: ignore[valid-type,misc]
        def request(self, method: str, url: str, headers: Any, post_data: Any = None) -> Any:
            parts = urlsplit(url)
            data = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
            # Blank values matter: "default_price=" is how Stripe is told to unset it.
            form = parse_qs(data, keep_blank_values=True)
            form |= parse_qs(parts.query, keep_blank_values=True)
            calls.append((method.upper(), parts.path, {k: v[0] for k, v in form.items()}))
            return super().request(method, url, headers, post_data)

    client = stripe.StripeClient(
        stripe_mock.api_key, base_addresses={"api": stripe_mock.url}, http_client=Recording()
    )
    return client, calls


def test_stripe_calls_for_a_new_plan_and_a_price_change(stripe_mock: StripeMock) -> None:
    from kinema_operator.plan.stripe import StripeSync

    client, calls = recording_client(stripe_mock)
    sync = StripeSync(client)
    spec = PlanSpec.model_validate(sample("premium")["spec"])
    ids = sync.sync(
        namespace="media", name="premium", uid="u-1", generation=1, spec=spec, status=PlanStatus()
    )
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", "/v1/products/search"),
        ("POST", "/v1/products"),
        ("POST", "/v1/prices"),
        ("POST", f"/v1/products/{ids.product_id}"),
    ]
    assert calls[1][2]["name"] == "Premium"
    assert calls[1][2]["metadata[kinema_plan]"] == "media/premium"
    price = calls[2][2]
    assert (price["unit_amount"], price["currency"], price["recurring[interval]"]) == (
        "1499", "usd", "month",
    )  # fmt: skip
    assert price["product"] == ids.product_id
    assert calls[3][2] == {"default_price": ids.price_id}

    calls.clear()
    dearer = spec.model_copy(update={"price": spec.price.model_copy(update={"amount": 1999})})
    known = PlanStatus(stripe_product_id=ids.product_id, stripe_price_id=ids.price_id)
    again = sync.sync(
        namespace="media", name="premium", uid="u-1", generation=2, spec=dearer, status=known
    )
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", f"/v1/products/{ids.product_id}"),
        ("POST", f"/v1/products/{ids.product_id}"),
        ("GET", f"/v1/prices/{ids.price_id}"),
        ("POST", "/v1/prices"),
        ("POST", f"/v1/products/{again.product_id}"),
        ("POST", f"/v1/prices/{ids.price_id}"),
    ]
    assert calls[3][2]["unit_amount"] == "1999"
    assert calls[5][2] == {"active": "false"}
    assert again.price_id != ids.price_id


def test_a_key_stripe_refuses_is_a_bad_spec_for_kopf(stripe_mock: StripeMock) -> None:
    """The core's StripeRejected reaches the handlers as the operator's StripeRejected, an
    InvalidSpec (kopf.PermanentError until the key or the Plan changes)."""
    import stripe

    from kinema_operator.errors import InvalidSpec
    from kinema_operator.plan.stripe import StripeRejected, StripeSync

    client = stripe.StripeClient("not-a-key", base_addresses={"api": stripe_mock.url})
    spec = PlanSpec.model_validate(sample("basic")["spec"])
    with pytest.raises(StripeRejected, match="Stripe refused the API key") as err:
        StripeSync(client).sync(
            namespace="media", name="basic", uid="u-2", generation=1, spec=spec,
            status=PlanStatus(),
        )  # fmt: skip
    assert isinstance(err.value, InvalidSpec)


FINALIZER = f"{GROUP}/finalizer"


def stripe_log_from(stripe_mock: StripeMock, offset: int) -> str:
    """stripe-mock's request log (``Request: POST /v1/...`` + ``Request data = map[...]``)
    written since ``offset``."""
    with stripe_mock.process.log_path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def stripe_log_size(stripe_mock: StripeMock) -> int:
    return stripe_mock.process.log_path.stat().st_size


def test_stripe_calls_to_archive_a_deleted_plan(stripe_mock: StripeMock) -> None:
    """Product archived with its default price unset (Stripe refuses to archive a
    default Price), then the Plan's Price; every request as Stripe's API defines it."""
    from kinema_operator.plan.stripe import Archived, StripeSync

    client, calls = recording_client(stripe_mock)
    sync = StripeSync(client)
    known = PlanStatus(stripe_product_id="prod_KinemaBasic", stripe_price_id="price_KinemaBasic")
    archived = sync.archive(namespace="media", name="basic", status=known)
    assert archived == Archived("prod_KinemaBasic", ("price_KinemaBasic",))
    assert [(m, p) for m, p, _ in calls] == [
        ("GET", "/v1/products/prod_KinemaBasic"),
        ("POST", "/v1/products/prod_KinemaBasic"),
        ("GET", "/v1/prices"),
        ("POST", "/v1/prices/price_KinemaBasic"),
    ]
    assert calls[1][2] == {"active": "false", "default_price": ""}
    assert calls[2][2] == {"product": "prod_KinemaBasic", "active": "true", "limit": "100"}
    assert calls[3][2] == {"active": "false"}

    # Never synced (no ids; the metadata search finds no Product of ours): nothing to do.
    calls.clear()
    nothing = sync.archive(namespace="media", name="basic", status=PlanStatus())
    assert nothing == Archived(None, ())
    assert [(m, p) for m, p, _ in calls] == [("GET", "/v1/products/search")]
    assert calls[0][2]["query"] == "metadata['kinema_plan']:'media/basic'"


def test_deleting_a_plan_archives_it_in_stripe_and_removes_it_from_the_catalog(
    operator_settings: dict[str, Any],
    stripe_on: StripeMock,
    plans: Plans,
    kube_namespace: str,
    pg_url: str,
) -> None:
    with operator(kube_namespace):
        plans.create(sample("basic"))
        body = wait("the Plan to be Ready", lambda: plans.ready("basic"))
        assert FINALIZER in body["metadata"]["finalizers"]
        product, price = body["status"]["stripeProductId"], body["status"]["stripePriceId"]
        assert catalog_price(pg_url, "basic") == (True, price)

        offset = stripe_log_size(stripe_on)
        plans.delete("basic")
        wait("the Plan to be gone", lambda: plans.find("basic") is None)
        sent = stripe_log_from(stripe_on, offset)
        assert (
            f"Request: POST /v1/products/{product}\n"
            "Request data = map[active:false default_price:]\n"
        ) in sent, sent
        assert f"Request: POST /v1/prices/{price}\nRequest data = map[active:false]\n" in sent
        assert catalog_price(pg_url, "basic") == (False, None)


def test_a_plan_stays_until_stripe_accepts_the_archive(
    operator_settings: dict[str, Any],
    stripe_on: StripeMock,
    plans: Plans,
    kube_namespace: str,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a key Stripe refuses, the finalizer stays and the status says why; with a
    good key again (an operator restart), the deletion completes."""
    with operator(kube_namespace):
        plans.create(sample("premium"))
        product = wait("the Plan to be Ready", lambda: plans.ready("premium"))["status"][
            "stripeProductId"
        ]

    monkeypatch.setenv("KINEMA_STRIPE_API_KEY", "not-a-key")
    with operator(kube_namespace):
        plans.delete("premium")

        def refused() -> dict[str, Any] | None:
            ready = conditions_of(plans.find("premium") or {}).get("Ready") or {}
            return ready if ready.get("reason") == "DeleteFailed" else None

        ready = wait("the archive to be refused", refused)
        assert ready["status"] == "False"
        assert "Stripe refused the API key" in ready["message"]
        held = plans.find("premium")
        assert held is not None and held["metadata"].get("deletionTimestamp")
        assert FINALIZER in held["metadata"]["finalizers"]
        assert catalog_price(pg_url, "premium")[0]  # nothing done yet

    monkeypatch.setenv("KINEMA_STRIPE_API_KEY", stripe_on.api_key)
    offset = stripe_log_size(stripe_on)
    with operator(kube_namespace):
        wait("the Plan to be gone", lambda: plans.find("premium") is None)
    assert f"Request: POST /v1/products/{product}\n" in stripe_log_from(stripe_on, offset)
    assert catalog_price(pg_url, "premium") == (False, None)


def test_plans_made_before_the_operator_get_its_finalizer_and_subscribed_plans_stay(
    operator_settings: dict[str, Any],
    plans: Plans,
    kube_namespace: str,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Plan created while no operator ran (as before this finalizer existed) gets it
    when the operator starts; deleting a Plan someone subscribed to keeps its catalog
    row for them (subscriptions restrict deletion), retired: no longer offered."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from kinema.catalog.models import Plan
    from kinema.catalog.services.accounts import create_user, get_plan

    monkeypatch.delenv("KINEMA_STRIPE_API_KEY", raising=False)
    plans.create(sample("free"))
    assert FINALIZER not in (plans.get("free")["metadata"].get("finalizers") or [])
    with operator(kube_namespace):
        body = wait("the Plan to be Ready", lambda: plans.ready("free"))
        assert FINALIZER in body["metadata"]["finalizers"]

        engine = create_engine(pg_url)
        try:
            with Session(engine) as session, session.begin():
                assert get_plan(session, slug="free").is_default
                create_user(session, email="viewer@example.com", password_hash="x",
                            plan_slug="free")  # fmt: skip
            plans.delete("free")
            wait("the Plan to be gone", lambda: plans.find("free") is None)
            with Session(engine) as session:
                kept = session.scalar(select(Plan).where(Plan.slug == "free"))
                assert kept is not None and kept.retired and not kept.is_default
                assert kept.name == "Free"
        finally:
            engine.dispose()
