"""EASE and popularity on tiny hand-checked data: what is ranked, excluded, and tied."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.recommend.metrics import ndcg_at_k, recall_at_k, temporal_split
from kinema.recommend.model import Algorithm, Config, Interaction, ease_weights, fit


def _data() -> list[Interaction]:
    # Two taste clusters: heist films (h1..h3) and cartoons (c1..c3); "pop" is liked by all.
    rows = []
    for n in range(6):
        rows += [Interaction(f"heist{n}", i, t) for t, i in enumerate(["h1", "h2", "h3", "pop"])]
        rows += [Interaction(f"kid{n}", i, t) for t, i in enumerate(["c1", "c2", "c3", "pop"])]
    rows += [Interaction("new", "h1", 0), Interaction("new", "h2", 1)]
    return rows


def test_ease_recommends_the_cluster_and_never_a_seen_item():
    model = fit(_data(), Config(lam=1.0))
    top = [s.item for s in model.recommend("new", 2)]
    assert top[0] == "h3"
    assert not {"h1", "h2"} & set(top)


def test_ease_weights_have_zero_diagonal_and_match_closed_form():
    x = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    b = ease_weights(x, 2.0)
    assert np.allclose(np.diag(b), 0.0)
    p = np.linalg.inv(x.T @ x + 2.0 * np.eye(3))
    assert np.isclose(b[0, 1], -p[0, 1] / p[1, 1])


def test_popularity_and_unknown_users_get_most_popular():
    model = fit(_data(), Config(algorithm=Algorithm.POPULARITY))
    assert model.recommend("stranger", 1)[0].item == "pop"
    assert model.recommend("new", 1)[0].item == "pop"


def test_exclude_and_k_and_determinism():
    data = _data()
    a = fit(data).recommend("new", 10, exclude=["h3"])
    b = fit(list(reversed(data))).recommend("new", 10, exclude=["h3"])
    assert [s.item for s in a] == [s.item for s in b]
    assert "h3" not in {s.item for s in a}
    assert len(a) == 4  # 7 items, 2 seen, 1 excluded
    assert fit(data).recommend("new", 0) == []


def test_history_and_similar_items():
    model = fit(_data(), Config(lam=1.0))
    assert model.recommend_history({"c1": 1.0}, 1)[0].item in {"c2", "c3"}
    assert model.recommend_history({}, 1)[0].item == "pop"
    similar = [s.item for s in model.similar("h1", 2)]
    assert set(similar) == {"h2", "h3"}
    assert model.similar("unknown", 3) == []


def test_recency_weighting_prefers_the_latest_taste():
    rows = [Interaction(f"a{n}", i, t) for n in range(5) for t, i in enumerate(["x1", "x2"])]
    rows += [Interaction(f"b{n}", i, t) for n in range(5) for t, i in enumerate(["y1", "y2"])]
    rows += [Interaction("u", "x1", 1), Interaction("u", "y1", 2)]  # y1 is the latest
    model = fit(rows, Config(lam=1.0, half_life=1.0))
    assert model.recommend("u", 1)[0].item == "y2"


@pytest.mark.parametrize("kwargs", [{"lam": 0.0}, {"lam": -1.0}, {"half_life": 0.0}])
def test_config_refuses_non_positive(kwargs):
    with pytest.raises(ValueError, match="positive"):
        Config(**kwargs)


def test_temporal_split_holds_out_the_last_fifth_by_time():
    rows = [Interaction("u", f"i{t}", float(10 - t)) for t in range(10)]
    train, test = temporal_split(rows)
    assert test == {"u": {"i0", "i1"}}  # the two newest timestamps
    assert len(train) == 8


@pytest.mark.parametrize(
    ("ranked", "relevant", "ndcg", "recall"),
    [
        (["a", "b"], {"a"}, 1.0, 1.0),
        (["b", "a"], {"a"}, 1 / np.log2(3), 1.0),
        (["b", "c"], {"a"}, 0.0, 0.0),
        (["a"], set(), 0.0, 0.0),
    ],
)
def test_metrics(ranked, relevant, ndcg, recall):
    assert ndcg_at_k(ranked, relevant, 10) == pytest.approx(ndcg)
    assert recall_at_k(ranked, relevant, 10) == pytest.approx(recall)


def test_content_index_finds_the_shared_genre_and_says_why():
    from kinema.recommend.content import TitleText, blend, build_index, shared_facets

    heist = TitleText("a", "The Vault", "A crew plans a bank job", ["Heist", "Comedy"])
    heist2 = TitleText("b", "Night Crew", "Thieves and a casino", ["Comedy", "Heist"], ["Caper"])
    cartoon = TitleText("c", "Bunny", "A rabbit in the forest", ["Animation"])
    index = build_index([cartoon, heist2, heist])
    assert index.similarity("a", "b") > index.similarity("a", "c")
    assert list(index.similar("a")) == ["b"]
    assert shared_facets(heist, heist2) == ["Comedy", "Heist"]
    assert shared_facets(heist, cartoon) == []
    affinity = index.profile_affinity({"b": 1.0})
    assert affinity["a"] > affinity.get("c", 0.0)
    ranked = blend([(0.5, {"x": 2.0, "y": 1.0}), (0.5, {"y": 4.0})], exclude={"z"})
    assert ranked == [("y", 0.75), ("x", 0.5)]


@pytest.mark.parametrize(
    ("seed", "other", "kind", "text"),
    [
        (["Comedy", "Heist"], (["Comedy"], ["Heist"]), "shared", "Also a heist comedy"),
        (["Animation"], (["Animation"], []), "shared", "Also an animation"),
        (["Drama"], (["Comedy"], []), "viewers", "Viewers who watched it also watched this"),
        (["Drama"], (["Comedy"], []), "story", "A similar story"),
    ],
)
def test_reason_terms_and_text(seed, other, kind, text):
    from kinema.recommend.content import TitleText, reason_terms, reason_text

    terms = reason_terms(TitleText("s", "S", genres=seed), TitleText("o", "O", *[""], *other))
    assert reason_text(kind, terms) == text


def test_subtitle_words_make_titles_alike_without_drowning_the_facets():
    from kinema.recommend.content import (
        SUBTITLE_WORDS,
        TitleText,
        build_index,
        spoken_words,
        tokens,
    )

    dragons = "The dragon burns the village. Dragon! Run from the dragon, knight. " * 5
    a = TitleText("a", "Ember", "A quiet valley", ["Drama"], subtitles=dragons)
    b = TitleText(
        "b", "Scales", "Two sisters", ["Drama"], subtitles="A dragon, a knight, the dragon again"
    )
    c = TitleText(
        "c", "Ledger", "An accountant", ["Drama"], subtitles="Numbers, invoices and taxes today"
    )
    index = build_index([a, b, c])
    # Nothing but genre in common, until the subtitles: the dragon story is the closer one.
    assert index.similarity("a", "b") > index.similarity("a", "c")
    # Most frequent first; stopwords and filler under four letters never enter.
    words = dict(spoken_words(dragons))
    assert list(words)[:1] == ["dragon"] and words["dragon"] == 15
    assert "the" not in words and "run" not in words
    # Fifteen mentions weigh about one description word, well under a genre.
    weights = tokens(a)
    assert 1.0 < weights["dragon"] < 2.0 < weights["facet:drama"]
    # A long script adds at most SUBTITLE_WORDS words.
    script = " ".join(f"word{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(300))
    assert len(spoken_words(script)) == SUBTITLE_WORDS
