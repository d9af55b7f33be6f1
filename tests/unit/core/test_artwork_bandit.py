"""Thompson sampling for artwork tests (kinema.artwork), the code assignment runs."""

from __future__ import annotations

import numpy as np

from kinema import artwork

RATES = (0.05, 0.06, 0.08)


def test_best_variant_gets_most_traffic_after_ten_thousand_impressions() -> None:
    """The issue's simulation: three variants with take rates 5 %, 6 % and 8 %. Each
    impression is a new profile assigned by :func:`kinema.artwork.choose` (exactly what
    the API's assignment calls); after 10,000 the best one gets at least 80 % of the
    traffic (the last 1,000 assignments, and the propensity the next one is drawn with)."""
    rng = np.random.default_rng(14)  # the sampler's, as the API's injectable Generator
    world = np.random.default_rng(1414)  # whether a shown card leads to a play
    impressions, takes = [0, 0, 0], [0, 0, 0]
    recent = [0, 0, 0]
    total = 10_000
    for n in range(total):
        arms = [artwork.Arm(i, t) for i, t in zip(impressions, takes, strict=True)]
        choice = artwork.choose(arms, rng)
        impressions[choice.index] += 1
        takes[choice.index] += int(world.random() < RATES[choice.index])
        if n >= total - 1_000:
            recent[choice.index] += 1
    assert recent[2] / 1_000 >= 0.8, (recent, impressions, takes)
    arms = [artwork.Arm(i, t) for i, t in zip(impressions, takes, strict=True)]
    assert artwork.summarize(arms, np.random.default_rng(0))[2].p_best >= 0.8
    assert artwork.best(arms) == 2


def test_choice_is_repeatable_with_a_seeded_generator() -> None:
    arms = [artwork.Arm(100, 5), artwork.Arm(100, 6), artwork.Arm(0, 0)]
    a = [artwork.choose(arms, np.random.default_rng(7)) for _ in range(3)]
    assert len(set(a)) == 1
    assert 0.0 < a[0].propensity <= 1.0


def test_propensity_follows_the_evidence() -> None:
    rng = np.random.default_rng(3)
    clear = [artwork.Arm(2_000, 20), artwork.Arm(2_000, 200)]
    choice = artwork.choose(clear, rng)
    assert choice.index == 1 and choice.propensity > 0.99
    even = artwork.choose([artwork.Arm(0, 0), artwork.Arm(0, 0)], rng)
    assert 0.4 < even.propensity < 0.6


def test_summary_intervals_and_best() -> None:
    arms = [artwork.Arm(1_000, 50), artwork.Arm(1_000, 80), artwork.Arm(0, 0)]
    stats = artwork.summarize(arms, np.random.default_rng(0))
    assert stats[0].take_rate == 0.05 and stats[2].take_rate == 0.0
    for s in stats:
        assert s.low < s.mean < s.high
    # Beta(51, 951): mean 0.051, 95 % interval about [0.038, 0.066].
    assert abs(stats[0].low - 0.038) < 0.004 and abs(stats[0].high - 0.066) < 0.004
    # No data: the uniform prior, wide open.
    assert stats[2].low < 0.05 and stats[2].high > 0.95
    assert abs(sum(s.p_best for s in stats) - 1.0) < 1e-9
    assert artwork.best(arms) == 2  # the prior's mean, 0.5, beats 8 % observed
    assert artwork.best(arms[:2]) == 1
