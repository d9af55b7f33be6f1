"""The pure parts of the admin's billing figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kinema_api.billing.services.stats import month_bounds, monthly_cents


@pytest.mark.parametrize(
    ("price", "interval", "monthly"),
    [(1499, "month", 1499), (12000, "year", 1000), (300, "week", 1300), (100, "day", 3041.67)],
)
def test_monthly_cents(price: int, interval: str, monthly: float) -> None:
    assert monthly_cents(price, interval) == pytest.approx(monthly, abs=0.01)


def test_month_bounds_cross_the_year() -> None:
    assert month_bounds("2026-12") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert month_bounds("2027-02")[1] == datetime(2027, 3, 1, tzinfo=UTC)
