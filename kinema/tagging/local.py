"""The local tagger: nearest labelled titles over TF-IDF content vectors, plus a keyword
lexicon (``lexicon.json``), combined per label. Deterministic: the same catalog and input
give the same suggestions in the same order.

For each candidate label the score is a noisy-or of two pieces of evidence:

- neighbours: the share of similarity mass, among the ``K`` most similar labelled
  titles, held by titles that carry the label;
- words: lexicon words for the label found in the title's name, description and
  subtitle text (``min(1, hits / WORDS_FOR_FULL)``).

Labels scoring at least ``THRESHOLD`` are suggested, at most ``TOP`` per kind. The
maturity is the higher of the neighbours' similarity-weighted rating and the highest
rating whose lexicon words occur.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kinema.recommend.content import WORD, TitleText, build_index
from kinema.tagging.types import MATURITIES, Labelled, Suggested, TaggingInput, already_has

K = 5
THRESHOLD = 0.35
TOP = 3
WORDS_FOR_FULL = 3
# Subtitle text is long; its words count this much less than the description's.
SUBTITLE_WEIGHT_CHARS = 4000
TARGET = "\x00target"


@cache
def lexicon() -> dict[str, dict[str, frozenset[str]]]:
    raw: dict[str, Any] = json.loads(
        resources.files("kinema.tagging").joinpath("lexicon.json").read_text("utf-8")
    )
    return {
        kind: {label: frozenset(words) for label, words in entries.items()}
        for kind, entries in raw.items()
        if not kind.startswith("_")
    }


@dataclass(frozen=True, slots=True)
class _Evidence:
    neighbours: float = 0.0
    near: tuple[str, ...] = ()
    hits: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        words = min(1.0, len(self.hits) / WORDS_FOR_FULL)
        return 1.0 - (1.0 - self.neighbours) * (1.0 - words)

    def reason(self) -> str:
        parts = []
        if self.near:
            parts.append("like " + ", ".join(self.near[:2]))
        if self.hits:
            parts.append("words: " + ", ".join(self.hits[:4]))
        return _sentence("; ".join(parts))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _text(inp: TaggingInput) -> str:
    return f"{inp.name} {inp.description} {inp.subtitles[:SUBTITLE_WEIGHT_CHARS]}"


def _kind_of_tag(tag: str) -> str:
    moods = {m.lower() for m in lexicon()["mood"]}
    return "mood" if tag.lower() in moods else "theme"


def suggest(inp: TaggingInput, catalog: Sequence[Labelled]) -> list[Suggested]:
    """Suggestions for ``inp`` (never one the title already has), best first per kind."""
    others = [c for c in catalog if c.id != inp.title_id]
    index = build_index(
        [TitleText(TARGET, inp.name, _text(inp), inp.genres, inp.tags)]
        + [TitleText(c.id, c.name, c.description, c.genres, c.tags) for c in others]
    )
    sims = index.similar(TARGET)
    nearest = sorted(((s, c) for c in others if (s := sims.get(c.id, 0.0)) > 0),
                     key=lambda sc: (-sc[0], sc[1].name))[:K]  # fmt: skip
    mass = sum(s for s, _ in nearest)
    words = Counter(WORD.findall(_text(inp).lower()))

    evidence: dict[tuple[str, str], _Evidence] = {}
    for s, c in nearest:
        labels = [("genre", g) for g in c.genres] + [(_kind_of_tag(t), t) for t in c.tags]
        for kind, label in dict.fromkeys((k, v.strip()) for k, v in labels):
            key = (kind, label.lower())
            old = evidence.get(key, _Evidence())
            evidence[key] = _Evidence(old.neighbours + s / mass, (*old.near, c.name), old.hits)
    names: dict[tuple[str, str], str] = {}
    for _, c in nearest:
        for g in c.genres:
            names.setdefault(("genre", g.strip().lower()), g.strip())
        for t in c.tags:
            names.setdefault((_kind_of_tag(t), t.strip().lower()), t.strip())
    for kind in ("genre", "mood", "theme"):
        for label, vocab in lexicon()[kind].items():
            hits = tuple(sorted(w for w in vocab if words.get(w)))
            if hits:
                key = (kind, label.lower())
                old = evidence.get(key, _Evidence())
                evidence[key] = _Evidence(old.neighbours, old.near, hits)
                names[key] = label

    out: list[Suggested] = []
    for kind in ("genre", "mood", "theme"):
        ranked = sorted(
            ((key, ev) for key, ev in evidence.items() if key[0] == kind),
            key=lambda kv: (-kv[1].score, kv[0][1]),
        )
        picked = 0
        for key, ev in ranked:
            found = Suggested(kind, names.get(key, key[1]), round(ev.score, 3), ev.reason())
            if ev.score < THRESHOLD or picked >= TOP:
                break
            if not already_has(inp, found):
                out.append(found)
                picked += 1
    maturity = _maturity(inp, nearest, mass, words)
    if maturity is not None and not already_has(inp, maturity):
        out.append(maturity)
    return out


def _maturity(
    inp: TaggingInput,
    nearest: Sequence[tuple[float, Labelled]],
    mass: float,
    words: Counter[str],
) -> Suggested | None:
    level, confidence, reasons = -1, 0.0, []
    if mass > 0:
        mean = sum(s * MATURITIES.index(c.maturity) for s, c in nearest if c.maturity in MATURITIES)
        level = round(mean / mass)
        confidence = max(s for s, _ in nearest)
        reasons.append("similar titles are rated " + MATURITIES[level])
    for rating in reversed(MATURITIES):
        hits = sorted(w for w in lexicon()["maturity"].get(rating, ()) if words.get(w))
        if hits:
            if MATURITIES.index(rating) > level:
                level = MATURITIES.index(rating)
                confidence = max(confidence, min(1.0, 0.4 + 0.2 * len(hits)))
            reasons.append("words: " + ", ".join(hits[:4]))
            break
    if level < 0:
        return None
    reason = _sentence("; ".join(reasons))
    return Suggested("maturity", MATURITIES[level], round(confidence, 3), reason)


def evaluate(catalog: Sequence[Labelled]) -> dict[str, float]:
    """Leave-one-out over a labelled catalog: each title's genres and tags are hidden and
    suggested from the others. Returns micro precision and recall of genre suggestions
    and the share of exact maturity suggestions."""
    tp = fp = fn = exact = 0
    for title in catalog:
        inp = TaggingInput(title.id, title.name, title.description, maturity="")
        got = suggest(inp, catalog)
        genres = {s.value.lower() for s in got if s.kind == "genre"}
        truth = {g.lower() for g in title.genres}
        tp += len(genres & truth)
        fp += len(genres - truth)
        fn += len(truth - genres)
        exact += any(s.kind == "maturity" and s.value == title.maturity for s in got)
    n = max(1, len(catalog))
    return {
        "genre_precision": tp / max(1, tp + fp),
        "genre_recall": tp / max(1, tp + fn),
        "maturity_exact": exact / n,
    }
