"""``kinema up``, ``kinema api`` and ``kinema migrate``: options only.

``kinema up`` is the README's first command: on a fresh machine it migrates a SQLite
catalog under the data directory, creates (and prints) an admin account, starts the
local worker pool, ingests the given files (or a sample clip) and serves the API and
the built web app. The work lives in ``serve.py``, imported only when a command runs,
so that every other ``kinema`` command starts without loading the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def up(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the catalog, media and uploads live.")
    ] = None,
    ingest: Annotated[
        list[Path] | None, typer.Option("--ingest", help="Video files to add (repeatable).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Transcodes at once (default KINEMA_WORKERS).")
    ] = None,
    sample: Annotated[
        bool, typer.Option(help="Add a sample clip when the catalog is empty.")
    ] = True,
) -> None:
    """Run the whole product on this machine: API, web app, worker pool, on SQLite."""
    from kinema_api.serve import run_up

    run_up(
        port=port,
        host=host,
        data_dir=data_dir,
        ingest=list(ingest or []),
        workers=workers,
        sample=sample,
    )


def api(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "0.0.0.0",  # noqa: S104
    workers: Annotated[
        int, typer.Option(help="Local transcode workers in this process (0: none).")
    ] = 0,
) -> None:
    """Serve the API (cluster mode: run `kinema migrate` first, e.g. as a Helm hook)."""
    from kinema_api.serve import run_api

    run_api(port=port, host=host, workers=workers)


def migrate() -> None:
    """Bring the catalog database to the current schema (run before starting the API)."""
    from kinema_api.serve import run_migrate

    run_migrate()


def train_recommender() -> None:
    """Train the recommender once and store its lists (a cluster's CronJob runs this)."""
    from kinema_api.serve import run_train_recommender

    run_train_recommender()


admin = typer.Typer(help="Accounts with the admin role.", no_args_is_help=True)


@admin.command("promote")
def promote(
    email: Annotated[str, typer.Argument(help="Email of an existing account.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="The data directory of a `kinema up` install.")
    ] = None,
) -> None:
    """Give an existing account the admin role; it keeps its own password."""
    from kinema_api.serve import run_promote

    run_promote(email, data_dir)


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("api")(api)
    app.command("migrate")(migrate)
    app.command("train-recommender")(train_recommender)
    app.add_typer(admin, name="admin")
