"""The Audience page: viewing by weekday and hour (a heatmap, in the admin's time zone),
binge sessions, devices (browser and operating system), and new vs returning profiles.

Reads the audience rollups only (``audience_rollups``, ``profile_rollups`` and
``profile_first_plays``); the definitions are in ``docs/analytics.md``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from kinema.catalog.models import AudienceRollup, ProfileFirstPlay, ProfileRollup
from kinema.catalog.services.rollup_upsert import bucket_of
from kinema_api.analytics.schemas import (
    AudiencePoint,
    AudiencePublic,
    AudienceSummary,
    DeviceRow,
    Grain,
    HeatCell,
)
from kinema_api.analytics.services.rollup_queries import Filters
from kinema_api.errors import InvalidResource

_HOUR_MS = 3_600_000


def time_zone(name: str) -> ZoneInfo:
    """An IANA zone (422 ``invalid_resource`` when there is none by that name)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InvalidResource(f"unknown time zone {name!r}") from exc


def _hours(ms: float) -> float:
    return round(ms / _HOUR_MS, 4)


def heatmap(session: Session, f: Filters, *, zone: ZoneInfo) -> list[HeatCell]:
    """Plays and watch hours by weekday and hour of day, from the hour rows of the range
    (whatever the range's grain); every one of the 7 by 24 cells is listed."""
    m = AudienceRollup
    hourly = Filters(**{**f.__dict__, "grain": Grain.HOUR})
    rows = session.execute(
        select(m.bucket, func.sum(m.plays), func.sum(m.watched_ms))
        .where(*hourly.where(m))
        .group_by(m.bucket)
    )
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for bucket, plays, watched in rows:
        local = bucket.astimezone(zone)
        cell = cells[(local.weekday(), local.hour)]
        cell[0] += float(plays or 0)
        cell[1] += float(watched or 0)
    return [
        HeatCell(
            weekday=day,
            hour=hour,
            plays=int(cells[(day, hour)][0]),
            watch_hours=_hours(cells[(day, hour)][1]),
        )
        for day in range(7)
        for hour in range(24)
    ]


def devices(session: Session, f: Filters) -> list[DeviceRow]:
    m = AudienceRollup
    rows = session.execute(
        select(m.browser, m.os, func.sum(m.plays), func.sum(m.views), func.sum(m.watched_ms))
        .where(*f.where(m))
        .group_by(m.browser, m.os)
    )
    out = [
        DeviceRow(
            browser=browser,
            os=os,
            plays=int(plays or 0),
            views=int(views or 0),
            watch_hours=_hours(float(watched or 0)),
        )
        for browser, os, plays, views, watched in rows
    ]
    out.sort(key=lambda r: (-r.plays, -r.views, r.browser, r.os))
    return out


def _new_count(since: Any) -> Any:
    r, p = ProfileRollup, ProfileFirstPlay
    return func.count(distinct(case((p.first_at >= since, r.profile_id))))


def viewers_per_bucket(session: Session, f: Filters) -> dict[datetime, tuple[int, int]]:
    """Per bucket: the distinct profiles that played, and how many first played in it."""
    r, p = ProfileRollup, ProfileFirstPlay
    stmt = (
        select(r.bucket, func.count(distinct(r.profile_id)), _new_count(r.bucket))
        .join(p, p.profile_id == r.profile_id)
        .where(*f.where(r))
        .group_by(r.bucket)
    )
    return {bucket: (int(active), int(new)) for bucket, active, new in session.execute(stmt)}


def viewers(session: Session, f: Filters) -> tuple[int, int]:
    """The distinct profiles that played in the range, and how many first played in it."""
    r, p = ProfileRollup, ProfileFirstPlay
    since = bucket_of(f.start, f.grain.value)
    stmt = (
        select(func.count(distinct(r.profile_id)), _new_count(since))
        .join(p, p.profile_id == r.profile_id)
        .where(*f.where(r))
    )
    active, new = session.execute(stmt).one()
    return int(active), int(new)


def series(session: Session, f: Filters) -> list[AudiencePoint]:
    m = AudienceRollup
    sums = {
        bucket: (int(plays or 0), float(watched or 0), int(binges or 0))
        for bucket, plays, watched, binges in session.execute(
            select(m.bucket, func.sum(m.plays), func.sum(m.watched_ms), func.sum(m.binge_sessions))
            .where(*f.where(m))
            .group_by(m.bucket)
        )
    }
    per_bucket = viewers_per_bucket(session, f)
    out = []
    for bucket in sorted(set(sums) | set(per_bucket)):
        plays, watched, binges = sums.get(bucket, (0, 0.0, 0))
        active, new = per_bucket.get(bucket, (0, 0))
        out.append(
            AudiencePoint(
                bucket=bucket,
                plays=plays,
                watch_hours=_hours(watched),
                binge_sessions=binges,
                active_profiles=active,
                new_profiles=new,
                returning_profiles=active - new,
            )
        )
    return out


def summary(session: Session, f: Filters) -> AudienceSummary:
    m = AudienceRollup
    totals = session.execute(
        select(
            *(
                func.coalesce(func.sum(c), 0)
                for c in (m.plays, m.watched_ms, m.binge_sessions, m.binge_plays)
            )
        ).where(*f.where(m))
    ).one()
    plays, watched, binges, binge_plays = (int(v) for v in totals)
    active, new = viewers(session, f)
    return AudienceSummary(
        plays=plays,
        watch_hours=_hours(watched),
        binge_sessions=binges,
        binge_plays=binge_plays,
        videos_per_binge=round(binge_plays / binges, 4) if binges else None,
        binge_share_pct=round(binge_plays / plays * 100, 4) if plays else None,
        active_profiles=active,
        new_profiles=new,
        returning_profiles=active - new,
    )


def audience(session: Session, f: Filters, *, zone_name: str = "UTC") -> AudiencePublic:
    zone = time_zone(zone_name)
    return AudiencePublic(
        time_zone=zone_name,
        summary=summary(session, f),
        series=series(session, f),
        heatmap=heatmap(session, f, zone=zone),
        devices=devices(session, f),
    )
