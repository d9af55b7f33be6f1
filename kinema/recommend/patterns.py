"""Viewing patterns as features for the recommender.

- **Completion** (per title): the share of the profiles that started a title and
  finished it, shrunk toward the catalog's overall share (``PRIOR_STARTS`` pseudo-starts),
  so a title two people abandoned is not ranked as if everyone did. It scales the
  popularity list (the cold-start rows and the small popularity term of top picks): of two
  titles as many profiles played, the one they finish ranks first.
- **Binge share** (per profile): the share of its plays that came in binge sessions (at
  least ``videos`` different videos, each started less than ``gap`` after the previous
  one: the dashboard's definition). A profile that binges has its top picks' series
  raised by up to ``SERIES_BOOST``; one that never does keeps them as scored.

Neither can be measured on MovieLens-100k (ratings only, no plays), so both are kept
gentle: they reorder near-ties and never outweigh what the profile's own history says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

PRIOR_STARTS = 5.0
# Popularity is multiplied by (COMPLETION_FLOOR + completion): 0.5 to 1.5.
COMPLETION_FLOOR = 0.5
SERIES_BOOST = 0.3


def completion(starts: Mapping[str, tuple[int, int]]) -> dict[str, float]:
    """Per title, from ``{title: (profiles that started it, profiles that finished it)}``,
    the shrunk completion share (titles nobody started get the overall share)."""
    started = sum(s for s, _ in starts.values())
    finished = sum(f for _, f in starts.values())
    overall = finished / started if started else 0.5
    return {
        title: (f + PRIOR_STARTS * overall) / (s + PRIOR_STARTS) for title, (s, f) in starts.items()
    }


def weigh_popularity(
    popularity: Mapping[str, float], starts: Mapping[str, tuple[int, int]]
) -> dict[str, float]:
    """Popularity scaled by completion (titles without plays get the overall share)."""
    shares = completion(starts)
    started = sum(s for s, _ in starts.values())
    overall = sum(f for _, f in starts.values()) / started if started else 0.5
    return {
        title: score * (COMPLETION_FLOOR + shares.get(title, overall))
        for title, score in popularity.items()
    }


def binge_share(
    plays: Iterable[tuple[str, str, datetime]], *, gap: timedelta, videos: int
) -> dict[str, float]:
    """Per profile, from ``(profile, video, started at)`` plays, the share of its plays
    that were part of a binge session."""
    by_profile: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for profile, video, at in plays:
        by_profile[profile].append((at, video))
    out: dict[str, float] = {}
    for profile, rows in by_profile.items():
        rows.sort()
        in_binges = 0
        run: set[str] = set()
        run_plays = 0
        last: datetime | None = None
        for at, video in rows:
            if last is not None and at - last >= gap:
                in_binges += run_plays if len(run) >= videos else 0
                run, run_plays = set(), 0
            run.add(video)
            run_plays += 1
            last = at
        in_binges += run_plays if len(run) >= videos else 0
        out[profile] = in_binges / len(rows)
    return out


def boost_series(
    ranked: Sequence[tuple[str, float]], series: Collection[str], share: float
) -> list[tuple[str, float]]:
    """``ranked`` with each series' score raised by ``SERIES_BOOST * share``, re-ranked
    (ties by id, as the blend ranks)."""
    if share <= 0 or not series:
        return list(ranked)
    factor = 1.0 + SERIES_BOOST * min(share, 1.0)
    boosted = [(k, s * factor if k in series else s) for k, s in ranked]
    return sorted(boosted, key=lambda kv: (-kv[1], kv[0]))
