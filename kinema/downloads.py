"""The rules of a download grant, pure: which height each quality means within a plan,
how big a download will be, when a grant expires, and what an online check decides.

Every function takes what it needs (heights, bitrates, times) and returns a value; the
services read the database and the entitlements, then ask these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

# "Standard" is at most this tall (and the plan's cap); "High" is the tallest rung the
# plan allows.
STANDARD_MAX_HEIGHT = 480
# Audio is stored beside the video rung: one AAC track at about this rate.
AUDIO_BITRATE = 128_000


class Quality(StrEnum):
    STANDARD = "standard"
    HIGH = "high"


class Verdict(StrEnum):
    """What an online check tells the device to do with its stored copy."""

    KEEP = "keep"
    DELETE = "delete"


class Reason(StrEnum):
    """Why the stored copy must go."""

    REVOKED = "revoked"  # revoked on this device or from the Devices page
    PLAN = "plan"  # the account's plan no longer allows downloads
    EXPIRED = "expired"  # 30 days passed, or 48 hours since the first offline play
    UNAVAILABLE = "unavailable"  # the title was unpublished, re-processed or restricted


@dataclass(frozen=True, slots=True)
class Rung:
    height: int
    bitrate: int


def height_for(quality: Quality, rungs: Sequence[Rung], *, cap: int) -> int | None:
    """The rendition height ``quality`` stands for within ``cap``; None when no rung fits.
    Without rungs (a video whose ladder is not recorded) the cap itself."""
    allowed = sorted({r.height for r in rungs if r.height <= cap})
    if not rungs:
        return cap
    if not allowed:
        return None
    if quality is Quality.HIGH:
        return allowed[-1]
    standard = [h for h in allowed if h <= STANDARD_MAX_HEIGHT]
    return standard[-1] if standard else allowed[0]


def estimated_bytes(rungs: Sequence[Rung], *, height: int, duration_s: float | None) -> int | None:
    """About how many bytes a download at ``height`` stores: the tallest rung at or under
    it plus the audio, over the duration. None when the duration is unknown."""
    if duration_s is None or duration_s <= 0:
        return None
    fitting = [r for r in rungs if r.height <= height]
    video = max(fitting, key=lambda r: r.height).bitrate if fitting else 0
    return int((video + AUDIO_BITRATE) * duration_s / 8)


def first_expiry(now: datetime, *, ttl: timedelta) -> datetime:
    return now + ttl


def renewed_expiry(
    now: datetime, *, ttl: timedelta, first_play: datetime | None, play_window: timedelta
) -> datetime:
    """A renewal starts the window again, never past ``play_window`` after the first
    offline play: a title once played offline is gone that long after, online or not."""
    expiry = now + ttl
    if first_play is not None:
        expiry = min(expiry, first_play + play_window)
    return expiry


def after_offline_play(
    expires_at: datetime, *, played_at: datetime, play_window: timedelta
) -> datetime:
    return min(expires_at, played_at + play_window)


def decide(
    *,
    now: datetime,
    revoked: bool,
    plan_allows: bool,
    expires_at: datetime,
    available: bool,
) -> tuple[Verdict, Reason | None]:
    """An online check's answer. Revocation first (the owner's own word), then the plan,
    then the clock, then the title."""
    if revoked:
        return Verdict.DELETE, Reason.REVOKED
    if not plan_allows:
        return Verdict.DELETE, Reason.PLAN
    if expires_at <= now:
        return Verdict.DELETE, Reason.EXPIRED
    if not available:
        return Verdict.DELETE, Reason.UNAVAILABLE
    return Verdict.KEEP, None
