"""Player analytics events at the edge: checked, given a time and their dimensions, and
written in batches (raw rows and the rollups, one transaction per request).

The schema refuses unknown kinds and implausible values (422). Here, the player's clock:
an event whose ``client_time`` is more than :data:`MAX_FUTURE` ahead of the server's or
more than :data:`MAX_PAST` behind is refused (``clock_skew``); one a little ahead is
clamped to the receipt time. Raw events older than the retention setting are pruned, at
most once per :data:`PRUNE_EVERY` by each process, by the requests that write them.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kinema.catalog.errors import NotFound
from kinema.catalog.services import rollups
from kinema.catalog.services.rollups import Dimensions, IngestEvent
from kinema.settings import Settings
from kinema_api import metrics
from kinema_api.accounts.services.auth import Viewer
from kinema_api.viewing.schemas import (
    PlaybackEventCreate,
    PlaybackEventItem,
    PlaybackEventsAccepted,
)

MAX_FUTURE = timedelta(minutes=5)
MAX_PAST = timedelta(hours=24)
PRUNE_EVERY_S = 3600.0

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
_pruned_at = 0.0
_prune_lock = threading.Lock()


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


def rung_of(event: PlaybackEventCreate) -> str:
    height = (event.payload or {}).get("height")
    if isinstance(height, int | float) and not isinstance(height, bool) and height > 0:
        return f"{round(height)}p"
    return "unknown"


def event_time(event: PlaybackEventCreate, *, now: datetime) -> datetime | None:
    """When the event happened, by the server's clock; None when the player's is off."""
    if event.client_time is None:
        return now
    if event.client_time - now > MAX_FUTURE or now - event.client_time > MAX_PAST:
        return None
    return min(event.client_time, now)


def record_batch(
    session: Session,
    *,
    settings: Settings,
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
    _maybe_prune(session, settings=settings, now=now)
    return PlaybackEventsAccepted(accepted=len(written), refused=dict(refused))


def record(
    session: Session,
    *,
    settings: Settings,
    viewer: Viewer,
    user_agent: str | None,
    video_id: uuid.UUID,
    event: PlaybackEventCreate,
    now: datetime,
) -> PlaybackEventsAccepted:
    """One event (the single-event endpoint): 404 for an unknown video."""
    item = PlaybackEventItem(video_id=video_id, **event.model_dump())
    result = record_batch(
        session, settings=settings, viewer=viewer, user_agent=user_agent, events=[item], now=now
    )
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


def _maybe_prune(session: Session, *, settings: Settings, now: datetime) -> None:
    global _pruned_at
    with _prune_lock:
        if time.monotonic() - _pruned_at < PRUNE_EVERY_S and _pruned_at:
            return
        _pruned_at = time.monotonic()
    prune(session, settings=settings, now=now)


def prune(session: Session, *, settings: Settings, now: datetime) -> int:
    """Delete raw events past the retention (``analytics_event_retention_days``)."""
    before = now - timedelta(days=settings.analytics_event_retention_days)
    deleted = rollups.prune_events(session, before=before)
    session.commit()
    return deleted
