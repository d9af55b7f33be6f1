""" "Why you may like it": one line per recommended title, written by Claude from what the
profile watched, in each language the web app speaks.

One request a profile: the titles it watched last and its first few top picks (name,
description, genres, tags) go out as JSON; one JSON object comes back, validated here
(known ids only, a line in every language, at most ``NOTE_CHARS`` characters, one line).
The caller stores the notes (``why_notes``) so a title that stays in a profile's picks is
never written about twice, and records the call's cost against the monthly cap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel, Field, ValidationError

from kinema.recommend.content import TitleText, facets
from kinema.tagging.claude import json_object

LANGUAGES = ("en", "es")
NOTE_CHARS = 140
DESCRIPTION_CHARS = 600
SYSTEM = (
    "You write the short notes under recommended titles on a video streaming service's "
    "home page. For each recommended title, say in one sentence why this viewer may like "
    "it, from the titles they watched recently (name what the titles share: a genre, a "
    "mood, a kind of story). Speak to the viewer; no spoilers; do not start with the "
    "title's name. Write each note in English (en) and in Spanish (es), each at most "
    f"{NOTE_CHARS} characters. Answer with one JSON object only, no prose, shaped as: "
    '{"notes": [{"id": str, "en": str, "es": str}]}, one entry per recommended title, '
    "with the id it was given."
)


class Note(BaseModel):
    # A line somewhat over NOTE_CHARS is cut at a word; a page of prose is refused.
    id: str = Field(min_length=1, max_length=64)
    en: str = Field(min_length=1, max_length=NOTE_CHARS * 4)
    es: str = Field(min_length=1, max_length=NOTE_CHARS * 4)


class Answer(BaseModel):
    notes: list[Note] = Field(max_length=50)


def _describe(title: TitleText) -> dict[str, object]:
    return {
        "name": title.name,
        "description": title.description[:DESCRIPTION_CHARS],
        "genres_and_tags": facets(title),
    }


def request_content(
    watched: Sequence[TitleText], picks: Sequence[TitleText]
) -> list[dict[str, object]]:
    """The user message: what the profile watched and what it is recommended, as JSON."""
    text = {
        "watched_recently": [_describe(t) for t in watched],
        "recommended": [{"id": t.id} | _describe(t) for t in picks],
    }
    return [{"type": "text", "text": json.dumps(text, ensure_ascii=False)}]


def _line(text: str) -> str:
    """One line, at most NOTE_CHARS characters (cut at a word, with an ellipsis)."""
    line = " ".join(text.split())
    if len(line) <= NOTE_CHARS:
        return line
    cut = line[: NOTE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return f"{cut}…"


def parse_notes(text: str, picks: Sequence[TitleText]) -> dict[str, dict[str, str]]:
    """The notes by title id and language; raises ValueError when the answer is not the
    object asked for or names none of the titles."""
    try:
        answer = Answer.model_validate_json(json_object(text))
    except ValidationError as exc:
        raise ValueError(str(exc).splitlines()[0]) from exc
    wanted = {t.id for t in picks}
    notes: dict[str, dict[str, str]] = {}
    for note in answer.notes:
        if note.id in wanted and note.id not in notes:
            lines = {"en": _line(note.en), "es": _line(note.es)}
            if all(lines.values()):
                notes[note.id] = lines
    if not notes:
        raise ValueError("the answer has a note for none of the recommended titles")
    return notes
