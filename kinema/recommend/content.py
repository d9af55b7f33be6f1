"""Content similarity for "More like this" and cold start: TF-IDF over a title's name,
description, genres, tags and subtitle text, and the reason two titles are alike.

Genres and tags enter as whole tokens (``genre:heist``) weighted above free text, so two
heist films are close even when their synopses share no words. Subtitles are long and
mostly small talk: only a title's most frequent spoken words enter
(``SUBTITLE_WORDS``), each weighing about as much as one word of the description, so
what the characters keep talking about ("vault", "dragon") counts and the vocabulary
stays small. Vectors are L2-normalised rows; similarity is their dot product (cosine).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

# Common English and Spanish words that say nothing about a title.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "he",
        "her",
        "his",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "who",
        "when",
        "where",
        "what",
        "into",
        "about",
        "after",
        "over",
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "y",
        "o",
        "de",
        "del",
        "en",
        "con",
        "por",
        "para",
        "que",
        "se",
        "su",
        "sus",
        "al",
        "es",
        "lo",
        "como",
    ]
)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# A genre or tag token counts this many times a free-text word.
FACET_WEIGHT = 3.0
# How many of a title's most frequent subtitle words enter its vector, and how much a
# word said n times weighs (SUBTITLE_WEIGHT * ln(1 + n): 12 mentions weigh about 1.3).
SUBTITLE_WORDS = 40
SUBTITLE_WEIGHT = 0.5
# Spoken words shorter than this are nearly all filler ("ok", "oh", "yes").
SUBTITLE_MIN_LETTERS = 4


@dataclass(frozen=True, slots=True)
class TitleText:
    id: str
    name: str
    description: str = ""
    genres: Sequence[str] = ()
    tags: Sequence[str] = ()
    subtitles: str = ""


def facets(title: TitleText) -> list[str]:
    """The genre and tag names, as shown (deduplicated case-insensitively, in order)."""
    seen: dict[str, str] = {}
    for name in [*title.genres, *title.tags]:
        seen.setdefault(name.strip().lower(), name.strip())
    return [v for k, v in seen.items() if k]


def tokens(title: TitleText) -> dict[str, float]:
    words = WORD.findall(f"{title.name} {title.description}".lower())
    counts: dict[str, float] = dict(Counter(w for w in words if w not in STOPWORDS))
    for name in facets(title):
        counts.setdefault(f"facet:{name.lower()}", 0.0)
        counts[f"facet:{name.lower()}"] += FACET_WEIGHT
    for word, n in spoken_words(title.subtitles):
        counts[word] = counts.get(word, 0.0) + SUBTITLE_WEIGHT * math.log1p(n)
    return counts


def spoken_words(subtitles: str) -> list[tuple[str, int]]:
    """A subtitle text's SUBTITLE_WORDS most frequent words with their counts (no
    stopwords, none shorter than SUBTITLE_MIN_LETTERS; ties by word)."""
    said = Counter(
        w
        for w in WORD.findall(subtitles.lower())
        if len(w) >= SUBTITLE_MIN_LETTERS and w not in STOPWORDS
    )
    return sorted(said.items(), key=lambda kv: (-kv[1], kv[0]))[:SUBTITLE_WORDS]


def _sublinear(tf: float) -> float:
    # 1 + ln(tf) for a word seen at least once; a lighter one (a few subtitle
    # mentions) keeps its weight rather than going negative.
    return 1.0 + math.log(tf) if tf >= 1.0 else tf


@dataclass(slots=True)
class ContentIndex:
    ids: list[str]
    vectors: npt.NDArray[np.float64]
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {t: n for n, t in enumerate(self.ids)}

    def similarity(self, a: str, b: str) -> float:
        i, j = self._index.get(a), self._index.get(b)
        if i is None or j is None:
            return 0.0
        return float(self.vectors[i] @ self.vectors[j])

    def similar(self, title_id: str) -> dict[str, float]:
        """Cosine similarity of every other title to ``title_id`` (positive ones only)."""
        i = self._index.get(title_id)
        if i is None:
            return {}
        scores = self.vectors @ self.vectors[i]
        return {self.ids[j]: float(s) for j, s in enumerate(scores) if j != i and s > 0}

    def profile_affinity(self, history: dict[str, float]) -> dict[str, float]:
        """Cosine of every title to the weighted mean of a history's vectors."""
        rows = [(self._index[t], w) for t, w in history.items() if t in self._index]
        if not rows:
            return {}
        centre = sum((self.vectors[i] * w for i, w in rows), np.zeros(self.vectors.shape[1]))
        norm = float(np.linalg.norm(centre))
        if norm == 0:
            return {}
        scores = self.vectors @ (centre / norm)
        return {self.ids[j]: float(s) for j, s in enumerate(scores) if s > 0}


def build_index(titles: Sequence[TitleText]) -> ContentIndex:
    """TF-IDF (sublinear tf, smoothed idf) over the titles, rows L2-normalised."""
    ordered = sorted(titles, key=lambda t: t.id)
    counts = [tokens(t) for t in ordered]
    vocabulary = sorted({w for c in counts for w in c})
    column = {w: n for n, w in enumerate(vocabulary)}
    vectors = np.zeros((len(ordered), len(vocabulary)))
    df = Counter(w for c in counts for w in c)
    n = len(ordered)
    for row, c in enumerate(counts):
        for word, tf in c.items():
            idf = math.log((1 + n) / (1 + df[word])) + 1.0
            vectors[row, column[word]] = _sublinear(tf) * idf
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return ContentIndex([t.id for t in ordered], vectors)


def shared_facets(a: TitleText, b: TitleText) -> list[str]:
    """Genres and tags both titles have, in ``b``'s order (the listed title's words)."""
    mine = {f.lower() for f in facets(a)}
    return [f for f in facets(b) if f.lower() in mine]


def blend(
    parts: Sequence[tuple[float, dict[str, float]]], *, exclude: Collection[str] = frozenset()
) -> list[tuple[str, float]]:
    """Weighted sum of score maps, each first scaled so its best score is 1; ranked by
    score, ties by id (deterministic)."""
    total: dict[str, float] = {}
    for weight, scores in parts:
        top = max((s for s in scores.values() if s > 0), default=0.0)
        if top <= 0 or weight <= 0:
            continue
        for key, score in scores.items():
            if key not in exclude and score > 0:
                total[key] = total.get(key, 0.0) + weight * score / top
    return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))


def reason_terms(seed: TitleText, other: TitleText) -> list[str]:
    """What ``other`` shares with ``seed``: its tags first (they read as adjectives:
    "heist"), then its genres ("comedy"), so two terms read "a heist comedy"."""
    mine = {f.lower() for f in facets(seed)}
    tags = [t for t in dict.fromkeys(x.strip() for x in other.tags) if t.lower() in mine]
    genres = [g for g in dict.fromkeys(x.strip() for x in other.genres) if g.lower() in mine]
    return [*tags, *[g for g in genres if g.lower() not in {t.lower() for t in tags}]]


def reason_text(kind: str, terms: Sequence[str]) -> str:
    """The English reason line ("Also a heist comedy"); the web app words it per
    language from ``kind`` and ``terms``."""
    if kind == "shared" and terms:
        words = " ".join(t.lower() for t in terms[:2])
        article = "an" if words[0] in "aeiou" else "a"
        return f"Also {article} {words}"
    if kind == "viewers":
        return "Viewers who watched it also watched this"
    return "A similar story"
