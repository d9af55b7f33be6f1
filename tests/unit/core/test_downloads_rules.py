"""kinema.downloads: qualities within a plan, sizes, expiry, and the online check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kinema.downloads import (
    Quality,
    Reason,
    Rung,
    Verdict,
    after_offline_play,
    decide,
    estimated_bytes,
    height_for,
    renewed_expiry,
)

LADDER = [Rung(240, 400_000), Rung(480, 1_200_000), Rung(720, 3_000_000), Rung(1080, 6_000_000)]
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
DAYS_30 = timedelta(days=30)
HOURS_48 = timedelta(hours=48)


@pytest.mark.parametrize(
    ("quality", "rungs", "cap", "height"),
    [
        (Quality.HIGH, LADDER, 2160, 1080),
        (Quality.HIGH, LADDER, 720, 720),
        (Quality.HIGH, LADDER, 719, 480),
        (Quality.STANDARD, LADDER, 2160, 480),
        (Quality.STANDARD, LADDER, 360, 240),
        (Quality.STANDARD, [Rung(720, 1), Rung(1080, 2)], 2160, 720),  # none <= 480
        (Quality.HIGH, [Rung(720, 1)], 480, None),  # nothing fits the plan
        (Quality.STANDARD, [], 720, 720),  # no ladder recorded: the cap
    ],
)
def test_height_for_quality_never_exceeds_the_cap(
    quality: Quality, rungs: list[Rung], cap: int, height: int | None
) -> None:
    assert height_for(quality, rungs, cap=cap) == height


def test_estimated_bytes_is_the_rung_and_audio_over_the_duration() -> None:
    assert estimated_bytes(LADDER, height=480, duration_s=80) == (1_200_000 + 128_000) * 10
    assert estimated_bytes(LADDER, height=700, duration_s=8) == (1_200_000 + 128_000)
    assert estimated_bytes(LADDER, height=480, duration_s=None) is None
    assert estimated_bytes(LADDER, height=480, duration_s=0) is None


def test_renewal_never_reaches_past_the_play_window() -> None:
    assert renewed_expiry(NOW, ttl=DAYS_30, first_play=None, play_window=HOURS_48) == NOW + DAYS_30
    played = NOW - timedelta(hours=10)
    assert (
        renewed_expiry(NOW, ttl=DAYS_30, first_play=played, play_window=HOURS_48)
        == played + HOURS_48
    )
    assert after_offline_play(NOW + DAYS_30, played_at=NOW, play_window=HOURS_48) == NOW + HOURS_48
    # Already nearer than the window: unchanged.
    soon = NOW + timedelta(hours=1)
    assert after_offline_play(soon, played_at=NOW, play_window=HOURS_48) == soon


@pytest.mark.parametrize(
    ("revoked", "plan", "expires", "available", "answer"),
    [
        (False, True, NOW + HOURS_48, True, (Verdict.KEEP, None)),
        (True, False, NOW - HOURS_48, False, (Verdict.DELETE, Reason.REVOKED)),
        (False, False, NOW - HOURS_48, False, (Verdict.DELETE, Reason.PLAN)),
        (False, True, NOW, True, (Verdict.DELETE, Reason.EXPIRED)),
        (False, True, NOW + HOURS_48, False, (Verdict.DELETE, Reason.UNAVAILABLE)),
    ],
)
def test_online_check_reasons_in_order(
    revoked: bool,
    plan: bool,
    expires: datetime,
    available: bool,
    answer: tuple[Verdict, Reason | None],
) -> None:
    got = decide(
        now=NOW, revoked=revoked, plan_allows=plan, expires_at=expires, available=available
    )
    assert got == answer
