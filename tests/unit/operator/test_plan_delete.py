"""What deleting a Plan does to the catalog (embedded SQLite, migrated like production),
and how it reads in the Plan's status and the operator's log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kinema.catalog import migrate
from kinema.catalog.errors import NotFound
from kinema.catalog.models import Plan
from kinema.catalog.services.accounts import (
    PlanRetirement,
    active_plan,
    create_user,
    default_plan,
    ensure_sample_plans,
    get_plan,
)
from kinema.resources.plan import PlanSpec, Price
from kinema_operator.catalog import Catalog
from kinema_operator.errors import CatalogSyncError
from kinema_operator.plan import catalog as plans
from kinema_operator.plan.stripe import Archived

SPEC = PlanSpec(
    display_name="Basic", price=Price(amount=699), max_resolution=720,
    concurrent_streams=1, profiles=2,
)  # fmt: skip


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    migrate.upgrade(url)
    found = Catalog(url)
    yield found
    found.close()


def slugs(catalog: Catalog) -> list[str]:
    with catalog.sessions() as session:
        return sorted(session.scalars(select(Plan.slug)))


def test_an_unused_plan_leaves_the_catalog(catalog: Catalog) -> None:
    catalog.upsert_plan(plans.catalog_plan("basic", SPEC, "price_1"))
    catalog.upsert_plan(plans.catalog_plan("premium", SPEC))
    assert plans.retire_in_catalog(catalog, "basic") is PlanRetirement.DELETED
    assert slugs(catalog) == ["premium"]
    # Retried after a lost answer, or never synced (an invalid spec): nothing to do.
    assert plans.retire_in_catalog(catalog, "basic") is PlanRetirement.ABSENT
    assert slugs(catalog) == ["premium"]


def test_a_plan_with_subscribers_stays_for_them_but_is_offered_no_more(
    catalog: Catalog,
) -> None:
    catalog.upsert_plan(plans.catalog_plan("free", SPEC.model_copy(update={"default": True})))
    catalog.upsert_plan(plans.catalog_plan("basic", SPEC))
    with catalog.sessions.begin() as session:
        user = create_user(session, email="a@example.com", password_hash="x", plan_slug="free")
        user_id = user.id
    assert plans.retire_in_catalog(catalog, "free") is PlanRetirement.KEPT
    with catalog.sessions() as session:
        kept = session.scalar(select(Plan).where(Plan.slug == "free"))
        assert kept is not None and kept.retired and not kept.is_default
        assert kept.name == SPEC.display_name
        # Its subscriber keeps it; nobody else gets it: not listed, not the default,
        # not open to a new subscription.
        assert active_plan(session, user_id=user_id).slug == "free"
        assert [p.slug for p in ensure_sample_plans(session)] == ["basic"]
        assert default_plan(session).slug == "basic"
        with pytest.raises(NotFound, match="no longer offered"):
            get_plan(session, slug="free")
    assert slugs(catalog) == ["basic", "free"]
    # Declared again, it is back on offer.
    catalog.upsert_plan(plans.catalog_plan("free", SPEC))
    with catalog.sessions() as session:
        assert not get_plan(session, slug="free").retired


def test_a_catalog_that_cannot_be_written_is_retried(tmp_path: Path) -> None:
    unmigrated = Catalog(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(CatalogSyncError, match="catalog removal of plan basic failed"):
            plans.retire_in_catalog(unmigrated, "basic")
    finally:
        unmigrated.close()


def test_a_failed_delete_says_so_in_the_status_and_keeps_the_ids() -> None:
    body = {
        "metadata": {"generation": 4},
        "status": {"stripeProductId": "prod_1", "stripePriceId": "price_2"},
    }
    status = plans.plan_status(body, "archiving Stripe product prod_1: boom",
                               failure_reason="DeleteFailed")  # fmt: skip
    (ready,) = status["conditions"]
    assert (ready["status"], ready["reason"], ready["observedGeneration"]) == (
        "False", "DeleteFailed", 4,
    )  # fmt: skip
    assert "boom" in ready["message"]
    assert (status["stripeProductId"], status["stripePriceId"]) == ("prod_1", "price_2")


@pytest.mark.parametrize(
    ("archived", "summary"),
    [
        (Archived(None, ()), "no product or price to archive"),
        (Archived("prod_1", ()), "archived product prod_1 and no active price"),
        (
            Archived("prod_1", ("price_1", "price_2")),
            "archived product prod_1 and price_1, price_2",
        ),
        (Archived(None, ("price_1",)), "archived product (none) and price_1"),
    ],
)
def test_archive_summary(archived: Archived, summary: str) -> None:
    assert archived.summary() == summary
