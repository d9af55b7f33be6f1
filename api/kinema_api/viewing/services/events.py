"""Player analytics events at the edge: checked, given a time and their dimensions, and
written in batches (raw rows and the rollups, one transaction per request).

The schema refuses unknown kinds and implausible values (422). Here, the player's clock:
an event whose ``client_time`` is more than :data:`MAX_FUTURE` ahead of the server's or
more than :data:`MAX_PAST` behind is refused (``clock_skew``); one a little ahead is
clamped to the receipt time. Times are turned to UTC here, before anything buckets them:
a player at +05:30 reports into the same UTC hour and day as one at Z.

The rung is the ladder rung's nominal height class (``720p``), not the picture's pixel
height: a 2.39:1 film's 720 rung is 1280x536 and would otherwise arrive as ``536p``
(:func:`rung_of`).

Pruning raw events past the retention is not this module's: ``kinema prune-events`` (a
CronJob in a cluster) and the embedded server's loop run it, never a player's request
(:mod:`kinema_api.worker.prune`).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.services import rollups
from kinema.catalog.services.rollups import Dimensions, IngestEvent
from kinema_api import metrics
from kinema_api.accounts.services.auth import Viewer
from kinema_api.viewing.schemas import (
    PlaybackEventCreate,
    PlaybackEventItem,
    PlaybackEventsAccepted,
)

MAX_FUTURE = timedelta(minutes=5)
MAX_PAST = timedelta(hours=24)
# The ladders' size classes (a rung's ``height``; its box is 16:9 at that height).
HEIGHT_CLASSES = (240, 360, 480, 720, 1080, 1440, 2160, 4320)
# Even-pixel rounding of a fitted picture may overshoot the box by a pixel or two.
_BOX_SLACK = 2

_BROWSERS = (
    ("edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("opera", re.compile(r"\bOPR/")),
    ("samsung", re.compile(r"\bSamsungBrowser/")),
    ("firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("safari", re.compile(r"\bVersion/[\d.]+.*Safari/")),
)
# Checked in order: iPhones say "like Mac OS X", Android and ChromeOS say "Linux".
_SYSTEMS = (
    ("ios", re.compile(r"\b(iPhone|iPad|iPod)\b")),
    ("android", re.compile(r"\bAndroid\b")),
    ("chromeos", re.compile(r"\bCrOS\b")),
    ("tv", re.compile(r"\b(Web0S|webOS|Tizen|SMART-TV|SmartTV|AppleTV|CrKey)\b", re.I)),
    ("windows", re.compile(r"\bWindows\b")),
    ("macos", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("linux", re.compile(r"\bLinux\b")),
)


def browser_of(user_agent: str | None) -> str:
    """A browser family from a User-Agent (``other`` when none is recognised)."""
    for name, pattern in _BROWSERS:
        if user_agent and pattern.search(user_agent):
            return name
    return "other"


def os_of(user_agent: str | None) -> str:
    """An operating system family from a User-Agent (``other`` when none is recognised)."""
    for name, pattern in _SYSTEMS:
        if user_agent and pattern.search(user_agent):
            return name
    return "other"


def _pixels(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def height_class(width: float | None, height: float) -> int:
    """The size class of the smallest 16:9 box the picture fits (turned for portrait), the
    way the ladder planner fits renditions: 1280x536 is 720, 1080x1920 is 1080, 960x720
    is 720. Without a width, the smallest class at least as tall. Beyond the largest
    class, the picture's own height."""
    long_side, short_side = max(width or 0.0, height), min(width or height, height)
    for nominal in HEIGHT_CLASSES:
        box_long = nominal * 16 / 9 + _BOX_SLACK
        if short_side <= nominal + _BOX_SLACK and (width is None or long_side <= box_long):
            return nominal
    return round(height)


def rung_of(event: PlaybackEventCreate) -> str:
    """The rung an event was played at, as its nominal class (``720p``), from the
    picture's ``width`` and ``height`` in the payload; ``unknown`` without a height."""
    payload = event.payload or {}
    height = _pixels(payload.get("height"))
    if height is None:
        return "unknown"
    return f"{height_class(_pixels(payload.get('width')), height)}p"


def event_time(event: PlaybackEventCreate, *, now: datetime) -> datetime | None:
    """When the event happened, by the server's clock; None when the player's is off."""
    now = now.astimezone(UTC)
    if event.client_time is None:
        return now
    # UTC before anything buckets it: hours and days are UTC's, whatever the player's zone.
    at = event.client_time.astimezone(UTC)
    if at - now > MAX_FUTURE or now - at > MAX_PAST:
        return None
    return min(at, now)


def record_batch(
    session: Session,
    *,
    viewer: Viewer,
    user_agent: str | None,
    events: Sequence[PlaybackEventItem],
    now: datetime,
) -> PlaybackEventsAccepted:
    refused: Counter[str] = Counter()
    browser = browser_of(user_agent)
    system = os_of(user_agent)
    accepted = []
    for event in events:
        at = event_time(event, now=now)
        if at is None:
            refused["clock_skew"] += 1
            continue
        accepted.append(
            IngestEvent(
                video_id=event.video_id,
                profile_id=viewer.profile.id,
                kind=event.kind.value,
                at=at,
                position_s=event.position_s,
                bitrate=event.bitrate,
                payload=dict(event.payload) if event.payload is not None else None,
                dims=Dimensions(
                    plan=viewer.plan.slug, browser=browser, rung=rung_of(event), os=system
                ),
            )
        )
    written = rollups.record_events(session, events=accepted)
    if len(written) < len(accepted):
        refused["unknown_video"] += len(accepted) - len(written)
    session.commit()
    _observe(written)
    return PlaybackEventsAccepted(accepted=len(written), refused=dict(refused))


def record(
    session: Session,
    *,
    viewer: Viewer,
    user_agent: str | None,
    video_id: uuid.UUID,
    event: PlaybackEventCreate,
    now: datetime,
) -> PlaybackEventsAccepted:
    """One event (the single-event endpoint): 404 for an unknown video."""
    item = PlaybackEventItem(video_id=video_id, **event.model_dump())
    result = record_batch(session, viewer=viewer, user_agent=user_agent, events=[item], now=now)
    if result.refused.get("unknown_video"):
        raise NotFound(f"no video {video_id}")
    return result


def _observe(events: Sequence[IngestEvent]) -> None:
    """The QoE histograms of ``/metrics``."""
    for event in events:
        payload = event.payload or {}
        startup = payload.get("startup_ms")
        if event.kind == "start" and isinstance(startup, int | float):
            metrics.observe_start(float(startup))
        elif event.kind in rollups.SUMMARY_KINDS:
            metrics.observe_view(
                outcome=rollups.outcome(event),
                watched_ms=float(payload.get("watched_s") or 0) * 1000,
                stall_ms=float(payload.get("rebuffer_ms") or 0),
            )
