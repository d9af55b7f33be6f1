"""The ``kinema`` command.

The core owns the top-level Typer app; every component contributes its sub-commands
through the ``kinema.commands`` entry-point group (see ``pyproject.toml``), each a
``register(app)`` callable. That keeps the core free of component imports while one
command line serves all of them.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from kinema import __version__

app = typer.Typer(
    name="kinema",
    help="Kinema: self-hostable video streaming driven by a Kubernetes operator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kinema {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Kinema command line."""


def _load_commands() -> None:
    for entry in sorted(entry_points(group="kinema.commands"), key=lambda e: e.name):
        entry.load()(app)


def main() -> None:
    _load_commands()
    app()
