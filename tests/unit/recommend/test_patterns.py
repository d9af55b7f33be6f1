"""Viewing patterns as recommender features (kinema.recommend.patterns)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kinema.recommend.patterns import (
    PRIOR_STARTS,
    SERIES_BOOST,
    binge_share,
    boost_series,
    completion,
    weigh_popularity,
)

T0 = datetime(2026, 12, 1, 20, 0)
GAP = timedelta(minutes=30)


def test_completion_is_shrunk_toward_the_overall_share():
    shares = completion({"kept": (20, 18), "dropped": (20, 2), "few": (2, 0)})
    overall = 20 / 42
    assert shares["kept"] > shares["few"] > shares["dropped"]
    # Two starters who both left say little: close to the overall share, not 0.
    assert shares["few"] == pytest.approx((0 + PRIOR_STARTS * overall) / (2 + PRIOR_STARTS))


def test_of_two_titles_played_as_much_the_one_people_finish_is_more_popular():
    weighed = weigh_popularity(
        {"kept": 10.0, "dropped": 10.0, "new": 0.001},
        {"kept": (10, 9), "dropped": (10, 1)},
    )
    assert weighed["kept"] > weighed["dropped"]
    assert 0 < weighed["new"] < weighed["dropped"]  # no plays: the overall share


def test_binge_share_counts_plays_in_runs_of_three_videos_or_more():
    plays = [
        # One evening: three episodes back to back (a binge), then one more a day later.
        ("ana", "e1", T0),
        ("ana", "e2", T0 + timedelta(minutes=25)),
        ("ana", "e3", T0 + timedelta(minutes=50)),
        ("ana", "film", T0 + timedelta(days=1)),
        # Leo plays the same video three times and one other: no binge.
        ("leo", "e1", T0),
        ("leo", "e1", T0 + timedelta(minutes=10)),
        ("leo", "e1", T0 + timedelta(minutes=20)),
        ("leo", "e2", T0 + timedelta(hours=3)),
    ]
    shares = binge_share(plays, gap=GAP, videos=3)
    assert shares == {"ana": pytest.approx(0.75), "leo": 0.0}


def test_a_binger_sees_series_raised_and_others_see_the_ranking_as_it_was():
    ranked = [("film", 1.0), ("show", 0.9), ("doc", 0.5)]
    assert boost_series(ranked, {"show"}, 0.0) == ranked
    raised = boost_series(ranked, {"show"}, 1.0)
    assert raised[0][0] == "show" and raised[0][1] == pytest.approx(0.9 * (1 + SERIES_BOOST))
    assert [k for k, _ in raised] == ["show", "film", "doc"]
    # Never more than SERIES_BOOST, whatever the share says.
    last = boost_series(ranked, {"doc"}, 5.0)[-1]
    assert last[0] == "doc" and last[1] == pytest.approx(0.5 * (1 + SERIES_BOOST))
