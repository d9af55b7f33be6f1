"""Artwork A/B testing's statistics: Thompson sampling over Beta posteriors.

Each variant of a title's artwork is an arm with ``impressions`` (a profile was shown
the card, at most once a day) and ``takes`` (a play followed). Its take rate has the
posterior ``Beta(1 + takes, 1 + impressions - takes)`` (a uniform prior). To choose a
variant, one rate is drawn from each posterior and the highest wins: a variant is shown
as often as it is likely to be the best, so exploring fades as the evidence grows.

Pure and deterministic given the ``numpy.random.Generator`` passed in; the API's
assignment code and the simulation test call exactly these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Monte Carlo draws for the admin's statistics; grid points for the propensity.
SUMMARY_DRAWS = 20000
GRID = 1024


@dataclass(frozen=True, slots=True)
class Arm:
    impressions: int
    takes: int


@dataclass(frozen=True, slots=True)
class Choice:
    index: int
    # The probability that Thompson sampling picks this arm in this state (estimated).
    propensity: float


@dataclass(frozen=True, slots=True)
class ArmSummary:
    take_rate: float  # observed: takes / impressions (0 without impressions)
    mean: float  # posterior mean
    low: float  # 95 % credible interval (2.5 % and 97.5 % quantiles)
    high: float
    p_best: float  # probability of having the highest take rate


def _params(arms: Sequence[Arm]) -> tuple[np.ndarray, np.ndarray]:
    takes = np.array([max(0, min(a.takes, a.impressions)) for a in arms], dtype=float)
    shown = np.array([max(0, a.impressions) for a in arms], dtype=float)
    return 1.0 + takes, 1.0 + shown - takes


def choose(arms: Sequence[Arm], rng: np.random.Generator) -> Choice:
    """One Thompson draw: the arm whose sampled take rate is highest, with its propensity
    (the probability that a draw picks it, :func:`win_probabilities`)."""
    if not arms:
        raise ValueError("no arms to choose from")
    alpha, beta = _params(arms)
    index = int(np.argmax(rng.beta(alpha, beta)))
    return Choice(index=index, propensity=float(win_probabilities(arms)[index]))


def win_probabilities(arms: Sequence[Arm]) -> np.ndarray:
    """Per arm, the probability that its posterior draw is the highest:
    ``∫ f_k(x) Π_{j≠k} F_j(x) dx``, integrated on a grid of :data:`GRID` points
    (deterministic, and far cheaper per assignment than sampling)."""
    alpha, beta = _params(arms)
    x = (np.arange(GRID) + 0.5) / GRID
    log_pdf = (alpha[:, None] - 1) * np.log(x) + (beta[:, None] - 1) * np.log1p(-x)
    pdf = np.exp(log_pdf - log_pdf.max(axis=1, keepdims=True))
    pdf /= pdf.sum(axis=1, keepdims=True)  # probability mass per grid cell
    # Another arm below x: the mass of the cells under x, plus half of x's own cell.
    cdf = np.cumsum(pdf, axis=1) - pdf / 2
    wins = np.array(
        [
            float(np.sum(pdf[k] * np.prod(np.delete(cdf, k, axis=0), axis=0)))
            for k in range(len(arms))
        ]
    )
    total = float(wins.sum())
    return wins / total if total > 0 else np.full(len(arms), 1 / len(arms))


def summarize(arms: Sequence[Arm], rng: np.random.Generator) -> list[ArmSummary]:
    """Per arm: observed take rate, posterior mean, 95 % credible interval (quantiles of
    :data:`SUMMARY_DRAWS` posterior samples) and the probability of being best."""
    if not arms:
        return []
    alpha, beta = _params(arms)
    samples = rng.beta(alpha[:, None], beta[:, None], size=(len(arms), SUMMARY_DRAWS))
    low, high = np.quantile(samples, [0.025, 0.975], axis=1)
    best = np.bincount(np.argmax(samples, axis=0), minlength=len(arms)) / SUMMARY_DRAWS
    return [
        ArmSummary(
            take_rate=a.takes / a.impressions if a.impressions else 0.0,
            mean=float(alpha[i] / (alpha[i] + beta[i])),
            low=float(low[i]),
            high=float(high[i]),
            p_best=float(best[i]),
        )
        for i, a in enumerate(arms)
    ]


def best(arms: Sequence[Arm]) -> int:
    """The arm with the highest posterior mean (the first on a tie)."""
    if not arms:
        raise ValueError("no arms")
    alpha, beta = _params(arms)
    return int(np.argmax(alpha / (alpha + beta)))
