from __future__ import annotations

import uuid

import pytest

from kinema_api.keys import derive_key
from kinema_api.viewing.services.ranges import ByteRange, UnsatisfiableRange, parse_range
from kinema_api.viewing.services.signing import InvalidToken, PlaybackGrant, sign, verify

KEY = derive_key("s3cret", "playback")


def test_round_trip() -> None:
    grant = PlaybackGrant(uuid.uuid4(), 480, 2_000_000_000, 3)
    assert verify(sign(grant, KEY), KEY, now=1_000) == grant


def test_expired() -> None:
    token = sign(PlaybackGrant(uuid.uuid4(), 480, 100), KEY)
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, KEY, now=101)


def test_tampering_detected() -> None:
    token = sign(PlaybackGrant(uuid.uuid4(), 480, 2_000_000_000), KEY)
    body, mac = token.split(".")
    # Raising the height cap means changing the payload, which breaks the signature.
    forged = sign(PlaybackGrant(uuid.uuid4(), 2160, 2_000_000_000), derive_key("other", "playback"))
    with pytest.raises(InvalidToken):
        verify(f"{forged.split('.')[0]}.{mac}", KEY)
    with pytest.raises(InvalidToken):
        verify(token, derive_key("s3cret", "other-purpose"))
    for bad in ["", ".", "abc", f"{body}.", f".{mac}", "a" * 600]:
        with pytest.raises(InvalidToken):
            verify(bad, KEY)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-3", 10, ByteRange(0, 3)),
        ("bytes=5-", 10, ByteRange(5, 9)),
        ("bytes=-4", 10, ByteRange(6, 9)),
        ("bytes=-40", 10, ByteRange(0, 9)),
        ("bytes=8-100", 10, ByteRange(8, 9)),
        ("bytes=0-1,4-5", 10, None),
        ("items=0-1", 10, None),
        ("bytes=x-1", 10, None),
        ("bytes=5-2", 10, None),
    ],
)
def test_parse_range(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=20-30", "bytes=-0"])
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(UnsatisfiableRange):
        parse_range(header, 10)


def test_content_range() -> None:
    assert ByteRange(2, 5).content_range(10) == "bytes 2-5/10"
    assert ByteRange(2, 5).length == 4
