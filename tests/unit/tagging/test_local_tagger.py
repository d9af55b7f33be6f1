"""The local tagger on a small hand-made catalog: what it suggests and why, that it
never suggests what the title has, determinism, and its leave-one-out measure."""

from __future__ import annotations

from kinema.tagging import local
from kinema.tagging.types import Labelled, TaggingInput

CATALOG = [
    Labelled("1", "The Vault", "A crew of thieves plans a heist on a bank vault, with jokes",
             ["Comedy"], ["heist"], "13+"),
    Labelled("2", "Night Crew", "Funny robbers attempt a casino robbery at night",
             ["Comedy"], ["heist"], "13+"),
    Labelled("3", "Blood Money", "A violent heist goes wrong; blood and murder",
             ["Thriller"], ["heist", "dark"], "18+"),
    Labelled("4", "Puppy Park", "Animated puppies and their friends play in the park",
             ["Animation", "Family"], ["friendship"], "all"),
    Labelled("5", "Bunny Hop", "A cartoon bunny hops through a forest with friends",
             ["Animation", "Family"], ["friendship"], "all"),
    Labelled("6", "Robot Pals", "Two robots become friends in a future city",
             ["Animation", "Science Fiction"], ["technology"], "7+"),
    Labelled("7", "Quiet Days", "A family deals with grief after a loss", ["Drama"], [], "13+"),
    Labelled("8", "Star Route", "A spaceship crew explores a distant planet",
             ["Science Fiction"], ["space"], "13+"),
]  # fmt: skip

HEIST = TaggingInput(
    "new",
    "Casino Nights",
    "A gang of funny thieves plans a heist on a casino vault",
    maturity="13+",
    subtitles="We hit the vault at midnight. Don't be late, or the police will catch us.",
)


def test_a_heist_comedy_is_tagged_from_its_neighbours_and_words() -> None:
    got = {(s.kind, s.value): s for s in local.suggest(HEIST, CATALOG)}
    assert set(got) == {("genre", "Crime"), ("genre", "Comedy"), ("theme", "Heist")}
    assert got[("genre", "Comedy")].reason.startswith("Like The Vault, Night Crew")
    assert "police" in got[("genre", "Crime")].reason  # a subtitle word counted
    assert all(0.35 <= s.confidence <= 1 for s in got.values())


def test_what_the_title_has_is_never_suggested_and_runs_repeat() -> None:
    tagged = TaggingInput(HEIST.title_id, HEIST.name, HEIST.description, genres=["comedy"],
                          tags=["Heist"], maturity="13+", subtitles=HEIST.subtitles)  # fmt: skip
    got = local.suggest(tagged, CATALOG)
    assert [(s.kind, s.value) for s in got] == [("genre", "Crime")]
    assert got == local.suggest(tagged, CATALOG)


def test_maturity_rises_with_violent_words_and_cartoons_stay_low() -> None:
    grim = TaggingInput("g", "Red Night", "A violent killer leaves blood behind", maturity="13+")
    (maturity,) = [s for s in local.suggest(grim, CATALOG) if s.kind == "maturity"]
    assert maturity.value == "16+"  # its words; Blood Money (18+) is only one neighbour
    assert "blood" in maturity.reason
    kids = TaggingInput("k", "Kitten Hop", "An animated kitten hops with friends", maturity="13+")
    (maturity,) = [s for s in local.suggest(kids, CATALOG) if s.kind == "maturity"]
    assert maturity.value == "all"


def test_leave_one_out_measure() -> None:
    scores = local.evaluate(CATALOG)
    # Measured on this catalog (docs/auto-tagging.md): most genres are found.
    assert scores["genre_recall"] >= 0.8
    assert scores["genre_precision"] >= 0.5
