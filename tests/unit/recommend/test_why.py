"""The notes' request and the validation of Claude's answer (kinema.recommend.why)."""

from __future__ import annotations

import json

import pytest

from kinema.recommend.content import TitleText
from kinema.recommend.why import NOTE_CHARS, parse_notes, request_content

PICKS = [TitleText("a1", "Night Crew", "Thieves", ["Comedy"], ["Heist"]), TitleText("b2", "Bunny")]


def test_the_request_names_what_was_watched_and_the_picks_by_id():
    (block,) = request_content([TitleText("w", "The Vault", "x" * 2000, ["Comedy"])], PICKS)
    sent = json.loads(block["text"])  # type: ignore[arg-type]
    assert sent["watched_recently"] == [
        {"name": "The Vault", "description": "x" * 600, "genres_and_tags": ["Comedy"]}
    ]
    assert [(r["id"], r["genres_and_tags"]) for r in sent["recommended"]] == [
        ("a1", ["Comedy", "Heist"]),
        ("b2", []),
    ]


def test_notes_are_one_short_line_each_for_known_ids_only():
    long = "word " * 60
    answer = json.dumps({"notes": [
        {"id": "a1", "en": "A caper,\n  like The Vault.", "es": long},
        {"id": "zz", "en": "Unknown", "es": "Desconocido"},
        {"id": "a1", "en": "A second one", "es": "Otra"},
    ]})  # fmt: skip
    notes = parse_notes(f"Here you go:\n{answer}", PICKS)
    assert list(notes) == ["a1"]
    assert notes["a1"]["en"] == "A caper, like The Vault."
    assert len(notes["a1"]["es"]) <= NOTE_CHARS and notes["a1"]["es"].endswith("word…")


@pytest.mark.parametrize(
    "text",
    [
        "no JSON here",
        '{"notes": "none"}',
        '{"notes": [{"id": "a1", "en": "", "es": "x"}]}',
        '{"notes": [{"id": "zz", "en": "x", "es": "y"}]}',
    ],
)
def test_an_answer_that_is_not_the_object_asked_for_is_refused(text):
    with pytest.raises(ValueError):
        parse_notes(text, PICKS)
