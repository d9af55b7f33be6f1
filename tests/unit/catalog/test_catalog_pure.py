from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kinema.catalog.db import normalize_url
from kinema.catalog.models import Maturity
from kinema.catalog.models.base import UTCDateTime
from kinema.catalog.search import _fts_query
from kinema.catalog.services.accounts import SAMPLE_PLANS, normalize_email
from kinema.catalog.services.titles import slugify


@pytest.mark.parametrize(
    ("limit", "allowed"),
    [
        (Maturity.ALL, ["all"]),
        (Maturity.KIDS, ["all", "7+"]),
        (Maturity.ADULT, ["all", "7+", "13+", "16+", "18+"]),
    ],
)
def test_maturity_order(limit: Maturity, allowed: list[str]) -> None:
    assert [m.value for m in Maturity.up_to(limit)] == allowed


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Amélie (2001)", "amelie-2001"), ("  The  Show!! ", "the-show"), ("???", "title")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_fts_query_quotes_everything() -> None:
    assert _fts_query(["star", "wars"], "AND") == '"star"* AND "wars"*'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_utc_datetime_round_trip() -> None:
    col = UTCDateTime()
    paris = timezone(timedelta(hours=1))
    stored = col.process_bind_param(datetime(2024, 1, 1, 13, 0, tzinfo=paris), dialect=None)  # type: ignore[arg-type]
    assert stored == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    loaded = col.process_result_value(datetime(2024, 1, 1, 12, 0), dialect=None)  # type: ignore[arg-type]
    assert loaded is not None and loaded.tzinfo is UTC


def test_sample_plans() -> None:
    free = next(p for p in SAMPLE_PLANS if p.is_default)
    assert (free.slug, free.max_height) == ("free", 480)
    assert [p.slug for p in SAMPLE_PLANS] == ["free", "basic", "premium", "family"]
    assert normalize_email("  Ann@Example.COM ") == "ann@example.com"
