"""The Audience page's numbers equal an independent computation over the same events, on
both databases: profiles watch runs of videos with gaps under and over 30 minutes,
restarts of the same video and abandoned starts, from several browsers and systems; the
events go in through the ingest path in batches, in the order they happened, and the
expected heatmap, devices, binge sessions and new vs returning profiles are recomputed
here from the viewings, from the definitions in ``docs/analytics.md``."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from kinema.catalog.models import TitleKind
from kinema.catalog.services import rollups
from kinema.catalog.services.rollups import Dimensions, IngestEvent
from kinema_api.analytics.schemas import Grain
from kinema_api.analytics.services import audience
from kinema_api.analytics.services.rollup_queries import Filters
from tests.utils.factories import make_ready_video, make_title, make_user

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday
DAYS = 4
DEVICES = (("chrome", "windows"), ("firefox", "linux"), ("safari", "ios"), ("chrome", "android"))


@dataclass(frozen=True)
class Watch:
    """One viewing: started (a first frame at ``start_at``) or abandoned, ended at ``end_at``."""

    profile_id: uuid.UUID
    video_id: uuid.UUID
    start_at: datetime | None
    end_at: datetime
    browser: str
    os: str
    watched_ms: int


def _watches(
    rng: random.Random, profiles: Sequence[uuid.UUID], videos: Sequence[uuid.UUID]
) -> list[Watch]:
    out = []
    for profile_id in profiles:
        # Profiles join on different days (some after the range's first day: new ones).
        t = START + timedelta(days=rng.randrange(DAYS), hours=rng.randrange(24))
        browser, os = rng.choice(DEVICES)
        video = rng.choice(videos)
        while t < START + timedelta(days=DAYS) - timedelta(hours=3):
            watched = rng.randrange(60_000, 2_400_000)
            roll = rng.random()
            if roll < 0.1:  # abandoned before the first frame: an event, not a play
                out.append(
                    Watch(profile_id, video, None, t + timedelta(seconds=20), browser, os, 0)
                )
            else:
                if roll < 0.75:  # next episode; otherwise the same video again
                    video = rng.choice([v for v in videos if v != video])
                first = t + timedelta(milliseconds=rng.randrange(300, 3000))
                end = first + timedelta(milliseconds=watched)
                out.append(Watch(profile_id, video, first, end, browser, os, watched))
            gap = rng.choice([1, 5, 12, 29, 29.9, 30, 31, 45, 180, 600])
            t = out[-1].end_at + timedelta(minutes=gap)
            if rng.random() < 0.1:
                browser, os = rng.choice(DEVICES)
    return out


def _events(w: Watch) -> list[IngestEvent]:
    dims = Dimensions(plan="standard", browser=w.browser, rung="720p", os=w.os)
    report = {"startup_ms": 500 if w.start_at else None, "watched_s": w.watched_ms / 1000}
    out = []
    if w.start_at is not None:
        start = IngestEvent(w.video_id, w.profile_id, "start", w.start_at, dims=dims,
                            payload={"startup_ms": 500})  # fmt: skip
        out.append(start)
    out.append(IngestEvent(w.video_id, w.profile_id, "end", w.end_at, dims=dims, payload=report))
    return out


@pytest.fixture
def seeded(session: Session) -> list[Watch]:
    title = make_title(session, kind=TitleKind.SERIES)
    videos = [make_ready_video(session, title=title, season=1, episode=i).id for i in range(1, 5)]
    profiles = [make_user(session).profiles[0].id for _ in range(12)]
    session.commit()
    rng = random.Random(1515)  # noqa: S311 - test data, not security
    watches = _watches(rng, profiles, videos)
    events = sorted((e for w in watches for e in _events(w)), key=lambda e: e.at)
    for i in range(0, len(events), 40):
        rollups.record_events(session, events=events[i : i + 40])
        session.commit()
    return watches


# --- the independent computation -------------------------------------------------------


def binges(watches: Sequence[Watch]) -> list[tuple[Watch, int]]:
    """Each binge session: its third video's viewing, and how many videos it had."""
    by_profile: dict[uuid.UUID, list[Watch]] = defaultdict(list)
    for w in watches:
        by_profile[w.profile_id].append(w)
    out = []
    for mine in by_profile.values():
        mine.sort(key=lambda w: w.end_at)
        runs: list[list[Watch]] = []
        previous_end: datetime | None = None
        for w in mine:
            if w.start_at is not None:
                gap = None if previous_end is None else w.start_at - previous_end
                if gap is None or gap >= timedelta(minutes=30) or not runs:
                    runs.append([w])
                elif w.video_id != runs[-1][-1].video_id:
                    runs[-1].append(w)
            previous_end = w.end_at
        for run in runs:
            if len(run) >= 3:
                out.append((run[2], len(run)))
    return out


def test_audience_equals_an_independent_computation(session: Session, seeded: list[Watch]) -> None:
    plays = [w for w in seeded if w.start_at is not None]
    everything = Filters(start=START, end=START + timedelta(days=DAYS + 1))
    page = audience.audience(session, everything)
    runs = binges(seeded)
    assert len(runs) >= 5 and any(n > 3 for _, n in runs)  # the stream has binges

    s = page.summary
    assert s.plays == len(plays)
    assert s.watch_hours == pytest.approx(sum(w.watched_ms for w in seeded) / 3.6e6, abs=1e-3)
    assert (s.binge_sessions, s.binge_plays) == (len(runs), sum(n for _, n in runs))
    assert s.active_profiles == len({w.profile_id for w in plays}) == s.new_profiles

    # Heatmap: plays by weekday and hour of their first frame, in UTC and in New York.
    for zone_name in ("UTC", "America/New_York"):
        zone = ZoneInfo(zone_name)
        want = Counter(
            (w.start_at.astimezone(zone).weekday(), w.start_at.astimezone(zone).hour)
            for w in plays
            if w.start_at is not None
        )
        cells = audience.heatmap(session, everything, zone=zone)
        assert len(cells) == 7 * 24
        assert {(c.weekday, c.hour): c.plays for c in cells if c.plays} == dict(want)

    # Devices: plays and views per browser and system.
    devices = {(d.browser, d.os): (d.plays, d.views) for d in page.devices}
    want_devices: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for w in seeded:
        want_devices[(w.browser, w.os)][0] += w.start_at is not None
        want_devices[(w.browser, w.os)][1] += 1
    assert devices == {k: tuple(v) for k, v in want_devices.items()}

    # One day, one browser: binges whose third video started that day; profiles that
    # played that day on Chrome, new when their first play (anywhere) was that day.
    first_play: dict[uuid.UUID, datetime] = {}
    for w in sorted(plays, key=lambda w: w.start_at or START):
        first_play.setdefault(w.profile_id, w.start_at or START)
    day = START + timedelta(days=2)
    f = Filters(start=day, end=day + timedelta(days=1), browser="chrome")
    chrome_day = [
        w for w in plays if w.browser == "chrome" and w.start_at and day <= w.start_at < f.end
    ]
    active = {w.profile_id for w in chrome_day}
    new = {p for p in active if first_play[p] >= day}
    s = audience.summary(session, f)
    assert (s.plays, s.active_profiles, s.new_profiles) == (len(chrome_day), len(active), len(new))
    assert s.returning_profiles == len(active - new) > 0
    assert s.binge_sessions == sum(third in chrome_day for third, _ in runs)

    # Per day: distinct profiles, and the ones new that day.
    series = audience.series(session, Filters(start=START, end=everything.end, grain=Grain.DAY))
    for point in series:
        end = point.bucket + timedelta(days=1)
        today = [w for w in plays if w.start_at and point.bucket <= w.start_at < end]
        ids = {w.profile_id for w in today}
        fresh = {p for p in ids if first_play[p] >= point.bucket}
        assert (point.active_profiles, point.new_profiles) == (len(ids), len(fresh))
        assert point.binge_sessions == sum(third in today for third, _ in runs)
