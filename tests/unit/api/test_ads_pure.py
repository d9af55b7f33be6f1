"""The ads' pure parts: the weighted draw, VAST durations, ad tokens."""

from __future__ import annotations

import time
import uuid

import pytest

from kinema.catalog.services.ads import pick
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
    with pytest.raises(tokens.InvalidAdToken, match="expired"):
        tokens.verify(tokens.sign(_grant(int(time.time()) - 1), key), key)
