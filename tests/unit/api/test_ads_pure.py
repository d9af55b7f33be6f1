"""The ads' pure parts: the weighted draw, mid-roll points, VAST durations, ad tokens."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest

from kinema.catalog.services.ads import midroll_points, pick
from kinema_api.ads.services import tokens, vast


@pytest.mark.parametrize(
    ("rand", "expected"),
    [(0.0, "a"), (0.09, "a"), (0.1, "b"), (0.99, "b"), (0.999999, "b")],
)
def test_pick_by_weight(rand: float, expected: str) -> None:
    assert pick([("a", 1), ("b", 9)], rand=rand) == expected


def test_pick_skips_zero_weights_and_empty() -> None:
    assert pick([], rand=0.5) is None
    assert pick([("a", 0)], rand=0.5) is None
    assert pick([("a", 0), ("b", 2), ("c", 0)], rand=0.99) == "b"


@pytest.mark.parametrize(
    ("starts", "duration", "spacing", "expected"),
    [
        # Not at 0 (the pre-roll's place), not in the last 10 s.
        ([0.0, 0.5, 90.0, 3595.0], 3600.0, 300.0, [90.0]),
        ([3590.0], 3600.0, 0.0, [3590.0]),
        ([3590.5], 3600.0, 0.0, []),
        # At least the spacing apart: the first of a crowd is kept, the next far one too.
        ([60.0, 200.0, 359.0, 360.0, 3000.0], 3600.0, 300.0, [60.0, 360.0, 3000.0]),
        # One break per point, in order, whatever order the chapters came in.
        ([500.0, 90.0, 90.0], 3600.0, 0.0, [90.0, 500.0]),
        # Unknown duration: no tail rule.
        ([90.0, 7000.0], None, 300.0, [90.0, 7000.0]),
        ([], 3600.0, 300.0, []),
    ],
)
def test_midroll_points(
    starts: list[float], duration: float | None, spacing: float, expected: list[float]
) -> None:
    assert midroll_points(starts, duration_s=duration, spacing_s=spacing) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00:00.000"), (15, "00:00:15.000"), (61.5, "00:01:01.500"), (3725.004, "01:02:05.004")],
)
def test_vast_duration(seconds: float, text: str) -> None:
    assert vast.duration(seconds) == text


def _grant(expires: int) -> tokens.AdGrant:
    return tokens.AdGrant(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), 2, uuid.uuid4(), uuid.uuid4(), 480, expires
    )


def test_ad_tokens_round_trip_and_refuse_forgery_and_age() -> None:
    key = tokens.ad_key(b"k" * 32)
    grant = _grant(int(time.time()) + 60)
    token = tokens.sign(grant, key)
    assert len(token) <= tokens.MAX_TOKEN
    assert tokens.verify(token, key) == grant
    with pytest.raises(tokens.InvalidAdToken):
        tokens.verify(token, tokens.ad_key(b"x" * 32))
    with pytest.raises(tokens.InvalidAdToken):
        tokens.verify(token, b"k" * 32)  # the playback key itself opens no ad
    midroll = dataclasses.replace(grant, break_s=754.25)
    assert tokens.verify(tokens.sign(midroll, key), key) == midroll
    with pytest.raises(tokens.InvalidAdToken, match="expired"):
        tokens.verify(tokens.sign(_grant(int(time.time()) - 1), key), key)
