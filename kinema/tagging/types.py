"""What a tagger reads and what it answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

KINDS = ("genre", "mood", "theme", "maturity")
# Maturity ratings in increasing order (kinema.catalog.models.Maturity's values).
MATURITIES = ("all", "7+", "13+", "16+", "18+")


@dataclass(frozen=True, slots=True)
class TaggingInput:
    title_id: str
    name: str
    description: str = ""
    genres: Sequence[str] = ()
    tags: Sequence[str] = ()
    maturity: str = "13+"
    subtitles: str = ""
    # JPEG bytes of a few keyframes (posters, thumbnail sheets).
    keyframes: Sequence[bytes] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class Suggested:
    kind: str  # one of KINDS
    value: str
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class Labelled:
    """A catalog title the local classifier learns from."""

    id: str
    name: str
    description: str
    genres: Sequence[str]
    tags: Sequence[str]
    maturity: str


def already_has(inp: TaggingInput, s: Suggested) -> bool:
    """True when the title already carries what ``s`` suggests (nothing to ask)."""
    if s.kind == "maturity":
        return s.value == inp.maturity
    have = {x.strip().lower() for x in (inp.genres if s.kind == "genre" else inp.tags)}
    return s.value.strip().lower() in have
