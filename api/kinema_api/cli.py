"""``kinema up``, ``kinema api``, ``kinema migrate`` and the scheduled jobs' commands:
options only.

``kinema up`` is the README's first command: on a fresh machine it migrates a SQLite
catalog under the data directory, creates (and prints) an admin account, starts the
local worker pool, ingests the given files (or the demo catalog) and serves the API and
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
    demo: Annotated[
        bool,
        typer.Option(
            help="On an empty catalog with nothing to ingest, add the demo catalog (docs/demo.md)."
        ),
    ] = True,
    edge: Annotated[
        bool, typer.Option(help="Serve media through a caching nginx edge (docs/edge.md).")
    ] = False,
    edge_port: Annotated[
        int | None, typer.Option(help="The edge's port (default: --port + 1).")
    ] = None,
) -> None:
    """Run the whole product on this machine: API, web app, worker pool, on SQLite."""
    from kinema_api.serve import run_up

    run_up(
        port=port,
        host=host,
        data_dir=data_dir,
        ingest=list(ingest or []),
        workers=workers,
        demo=demo,
        edge_port=(edge_port or port + 1) if edge else None,
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


def tag_titles() -> None:
    """Suggest tags for newly published titles once (a cluster's CronJob runs this)."""
    from kinema_api.serve import run_tag_titles

    run_tag_titles()


def migrate() -> None:
    """Bring the catalog database to the current schema (run before starting the API)."""
    from kinema_api.serve import run_migrate

    run_migrate()


def train_recommender() -> None:
    """Train the recommender once and store its lists (a cluster's CronJob runs this)."""
    from kinema_api.serve import run_train_recommender

    run_train_recommender()


def prune_events() -> None:
    """Delete raw playback events older than KINEMA_ANALYTICS_EVENT_RETENTION_DAYS, in
    batches (a cluster's CronJob runs this; `kinema up` does it hourly)."""
    from kinema_api.serve import run_prune_events

    run_prune_events()


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


edge = typer.Typer(help="The caching edge (nginx in front of media).", no_args_is_help=True)


@edge.command("config")
def edge_config(
    origin_host: Annotated[str, typer.Option(help="The API's address or host name.")],
    origin_port: Annotated[int, typer.Option(help="The API's port.")] = 8000,
    listen_port: Annotated[int, typer.Option(help="The edge's port.")] = 8080,
    listen_host: Annotated[str, typer.Option(help="Address the edge binds.")] = "0.0.0.0",  # noqa: S104
    cache_dir: Annotated[str, typer.Option(help="The cache's folder.")] = "/var/cache/kinema-edge",
    run_dir: Annotated[str, typer.Option(help="pid and temporary files.")] = "/tmp/kinema-edge",  # noqa: S108
    max_size_mb: Annotated[int, typer.Option(help="Cache size cap.")] = 10240,
    workers: Annotated[int, typer.Option(help="nginx worker processes.")] = 1,
    timing_log: Annotated[
        str | None,
        typer.Option(
            help="Log each request's status, cache answer, time and size (no URL) to this "
            "file, or 'stderr'."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
) -> None:
    """Print the edge's nginx configuration (the chart's edge renders it this way)."""
    from kinema.edge.config import EdgeConfigError, render
    from kinema.edge.config import edge_config as make

    try:
        text = render(
            make(
                origin_host=origin_host,
                origin_port=origin_port,
                listen_port=listen_port,
                listen_host=listen_host,
                cache_dir=cache_dir,
                run_dir=run_dir,
                error_log="stderr",
                max_size_mb=max_size_mb,
                workers=workers,
                timing_log=timing_log,
            )
        )
    except EdgeConfigError as exc:
        typer.secho(f"kinema edge config: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("api")(api)
    app.command("migrate")(migrate)
    app.command("train-recommender")(train_recommender)
    app.command("tag-titles")(tag_titles)
    app.command("prune-events")(prune_events)
    app.add_typer(admin, name="admin")
    app.add_typer(edge, name="edge")
