"""Offline evaluation: a per-user temporal split, NDCG@k and Recall@k."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from kinema.recommend.model import Interaction, Model


def temporal_split(
    interactions: Sequence[Interaction], test_fraction: float = 0.2
) -> tuple[list[Interaction], dict[str, set[str]]]:
    """Each user's last ``test_fraction`` of interactions by time (ties by item id) are
    the test set; the rest is training. Users with fewer than two interactions stay
    whole in training."""
    by_user: dict[str, list[Interaction]] = defaultdict(list)
    for it in interactions:
        by_user[it.user].append(it)
    train: list[Interaction] = []
    test: dict[str, set[str]] = {}
    for user in sorted(by_user):
        events = sorted(by_user[user], key=lambda i: (i.timestamp, i.item))
        n_test = round(len(events) * test_fraction) if len(events) >= 2 else 0
        cut = len(events) - n_test
        train.extend(events[:cut])
        held = {i.item for i in events[cut:]} - {i.item for i in events[:cut]}
        if held:
            test[user] = held
    return train, test


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(n + 2) for n, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(n + 2) for n in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / min(len(relevant), k)


@dataclass(frozen=True, slots=True)
class Evaluation:
    ndcg: float
    recall: float
    users: int


def evaluate(model: Model, test: dict[str, set[str]], k: int = 10) -> Evaluation:
    """Mean NDCG@k and Recall@k over the test users (recall normalised by
    ``min(|relevant|, k)``, so a perfect list scores 1)."""
    ndcgs: list[float] = []
    recalls: list[float] = []
    lists = model.recommend_many(sorted(test), k)
    for user in sorted(test):
        ranked = [s.item for s in lists[user]]
        ndcgs.append(ndcg_at_k(ranked, test[user], k))
        recalls.append(recall_at_k(ranked, test[user], k))
    n = len(ndcgs)
    return Evaluation(sum(ndcgs) / n if n else 0.0, sum(recalls) / n if n else 0.0, n)
