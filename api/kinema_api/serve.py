"""What ``kinema up``, ``kinema api`` and ``kinema migrate`` do (``cli.py`` parses their options).

``kinema up`` is the README's first command: on a fresh machine it migrates a SQLite
catalog under the data directory, seeds the sample plans (and, with a Stripe key, puts
them into Stripe in the background: :func:`prepare_plans`), creates (and prints) an admin
account, starts the local worker pool, ingests the given files (or a sample clip) and
serves the API and the built web app.
"""

from __future__ import annotations

import gc
import logging
import secrets
import socket
from pathlib import Path
from types import FrameType

import typer
import uvicorn
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kinema.catalog import migrate as catalog_migrate
from kinema.catalog.db import create_db_engine, session_factory
from kinema.catalog.services import accounts
from kinema.catalog.services.subtitle_text import SubtitleReader
from kinema.edge.config import edge_config
from kinema.edge.process import Edge
from kinema.errors import KinemaError
from kinema.settings import Settings
from kinema.storage import store_from_settings
from kinema_api.accounts.services.auth import ensure_admin, promote_admin
from kinema_api.accounts.services.passwords import verify_password
from kinema_api.app import WEB_DIST, create_app, web_available
from kinema_api.billing.services.plan_sync import PlanSync, start_plan_sync
from kinema_api.context import AppContext, build_context
from kinema_api.worker.demo import DemoFinisher, ensure_footage, footage_dir, ingest_demo
from kinema_api.worker.ingest import catalog_is_empty, ingest_file
from kinema_api.worker.pool import WorkerPool
from kinema_api.worker.previews import PreviewWorker
from kinema_api.worker.prune import prune_once, start_pruning
from kinema_api.worker.recommend import start_training, train_once, write_notes
from kinema_api.worker.tagging import TaggingWorker

log = logging.getLogger("kinema")


class Server(uvicorn.Server):
    """uvicorn, telling long-lived responses (admin event streams) to end on Ctrl-C or
    SIGTERM: uvicorn waits for open responses before it stops, and a stream never ends
    by itself."""

    def __init__(self, ctx: AppContext, config: uvicorn.Config) -> None:
        config.timeout_graceful_shutdown = config.timeout_graceful_shutdown or 10
        super().__init__(config)
        self.ctx = ctx

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.ctx.stopping.set()
        super().handle_exit(sig, frame)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # Everything loaded so far (modules, the app, its routes) lives as long as the
        # process: moved out of the collector's reach, a full collection no longer walks
        # it, which under load was a pause of every request in flight (the p99).
        gc.collect()
        gc.freeze()


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The Stripe SDK logs every request at INFO; Kinema says what failed in its own words.
    logging.getLogger("stripe").setLevel(logging.WARNING)


def _settings(data_dir: Path | None) -> Settings:
    try:
        return Settings(data_dir=data_dir) if data_dir else Settings()
    except (KinemaError, ValueError) as exc:
        typer.secho(f"settings: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc


def _admin_password_file(settings: Settings) -> Path:
    return settings.data_dir / "admin-password.txt"


def bootstrap_admin(ctx: AppContext) -> tuple[str, str | None]:
    """Create the admin account; the generated password is kept (mode 0600) in the data
    directory so it can be printed at every start until the admin changes it (then the
    file is removed: a password that no longer works is never printed)."""
    settings = ctx.settings
    given = settings.admin_password.get_secret_value() if settings.admin_password else None
    stored_file = _admin_password_file(settings)
    with ctx.sessions() as session:
        user, chosen = ensure_admin(
            session,
            email=settings.admin_email,
            password=given or (None if stored_file.exists() else secrets.token_urlsafe(12)),
        )
    if chosen is not None and given is None:
        stored_file.write_text(chosen + "\n")
        stored_file.chmod(0o600)
    if given is not None:
        stored_file.unlink(missing_ok=True)
        return user.email, given
    if stored_file.exists():
        stored = stored_file.read_text().strip()
        if verify_password(user.password_hash, stored):
            return user.email, stored
        stored_file.unlink()
    return user.email, None


def prepare_plans(ctx: AppContext) -> PlanSync | None:
    """The sample plans when the catalog has none; with billing on, their mirror in Stripe
    (Products and Prices, the Price ids into the catalog), started in the background: no
    operator runs here to do it. The sync stops when the context closes."""
    with ctx.sessions() as session:
        accounts.ensure_sample_plans(session)
        session.commit()
    return start_plan_sync(ctx.settings, ctx.sessions, ctx.stopping)


def run_up(
    *,
    port: int,
    host: str,
    data_dir: Path | None,
    ingest: list[Path],
    workers: int | None,
    demo: bool,
    edge_port: int | None = None,
) -> None:
    """Run the whole product on this machine: API, web app, worker pool, on SQLite;
    with ``edge_port``, nginx on it caching media in front of the API."""
    _configure_logging()
    settings = _settings(data_dir)
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    typer.echo(f"kinema: data in {settings.data_dir}")
    edge = None
    if edge_port is not None:
        edge = _start_edge(settings, host=host, port=port, edge_port=edge_port)
        # A wildcard bind is no address for a browser; KINEMA_EDGE_URL names the public one.
        url = settings.edge_url or edge.url.replace("0.0.0.0", "127.0.0.1")  # noqa: S104
        settings = settings.model_copy(update={"edge_url": url})
        typer.echo(f"kinema: caching edge (nginx) for media at {edge.url}")
    try:
        _run_up(settings, port=port, host=host, ingest=ingest, demo=demo)
    finally:
        if edge is not None:
            edge.stop()


def _start_edge(settings: Settings, *, host: str, port: int, edge_port: int) -> Edge:
    origin = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    try:
        edge = Edge(
            edge_config(
                listen_host=host,
                listen_port=edge_port,
                origin_host=origin,
                origin_port=port,
                cache_dir=str(settings.data_dir.resolve() / "edge" / "cache"),
                run_dir=str(settings.data_dir.resolve() / "edge" / "run"),
            )
        )
        edge.start()
    except KinemaError as exc:
        typer.secho(f"kinema: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    return edge


def _run_up(settings: Settings, *, port: int, host: str, ingest: list[Path], demo: bool) -> None:
    catalog_migrate.upgrade(settings.resolved_database_url)
    try:
        ctx = build_context(settings, create_secret=True)
    except KinemaError as exc:
        typer.secho(f"kinema: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    prepare_plans(ctx)
    try:
        email, password = bootstrap_admin(ctx)
    except KinemaError as exc:
        ctx.close()
        typer.secho(f"kinema: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    if password:
        typer.secho(f"kinema: admin account {email} / password {password}", fg="green")
    else:
        typer.echo(f"kinema: admin account {email} (password as set earlier)")
    pool = WorkerPool(
        settings=settings,
        sessions=ctx.sessions,
        store=ctx.store,
        size=settings.workers,
        wake=ctx.jobs_queued,
    )
    requeued = pool.start()
    # Clip previews: in their own thread, each one a `kinema clip-preview` subprocess.
    previews = PreviewWorker(
        settings=settings, sessions=ctx.sessions, store=ctx.store, wake=ctx.clips_queued
    )
    previews.start()
    # Auto-tagging of newly published titles (docs/auto-tagging.md).
    tagger = _start_tagging(ctx)
    # Recommender training runs beside the transcodes; the context's stop event ends it,
    # and closing waits for a run in progress before the engine goes.
    training = start_training(settings, ctx.sessions, ctx.stopping, SubtitleReader(ctx.store))
    if training is not None:
        ctx.on_close.append(lambda: training.join(30))
    # Raw playback events past the retention, in batches (a cluster's CronJob runs
    # `kinema prune-events`); a player's request never deletes.
    pruning = start_pruning(settings, ctx.sessions, ctx.stopping)
    ctx.on_close.append(lambda: pruning.join(30))
    if requeued:
        typer.echo(f"kinema: resumed {len(requeued)} interrupted transcode(s)")
    finisher = _ingest(ctx, ingest, demo=demo, admin_email=email)
    if finisher is not None:
        ctx.on_close.append(lambda: finisher.join(30))
    url = f"http://{host}:{port}"
    if web_available():
        typer.echo(f"kinema: web app at {url}/")
    else:
        typer.echo(
            f"kinema: the web app is not built ({WEB_DIST} is missing); serving the API "
            f"only: {url}/api/docs"
        )
    typer.echo(f"kinema: API at {url}/api/v1 ({settings.workers} transcode worker(s))")
    server = Server(
        ctx,
        uvicorn.Config(
            create_app(context=ctx, prepare_routes=True),
            host=host,
            port=port,
            log_level="info",
            proxy_headers=False,
        ),
    )
    try:
        server.run()
    finally:
        if tagger is not None:
            tagger.stop()
        previews.stop()
        pool.stop()
        ctx.close()


def _start_tagging(ctx: AppContext) -> TaggingWorker | None:
    if ctx.settings.tagging_poll_s <= 0:
        return None
    worker = TaggingWorker(
        settings=ctx.settings, sessions=ctx.sessions, store=ctx.store, wake=ctx.tagging_queued
    )
    worker.start()
    return worker


def _ingest(
    ctx: AppContext, files: list[Path], *, demo: bool, admin_email: str
) -> DemoFinisher | None:
    """The files given; on an empty catalog and without files, the demo catalog (its
    finisher, started: it trains and starts an artwork test once the demo is ready)."""
    with ctx.sessions() as session:
        if not files and demo and catalog_is_empty(session):
            return _ingest_demo(ctx, session, admin_email=admin_email)
        for path in files:
            video, created = ingest_file(session, ctx.store, path=path)
            state = "queued for transcoding" if created else "already in the catalog"
            typer.echo(f"kinema: {path} -> video {video.id} ({state})")
    ctx.jobs_queued.set()
    return None


def _ingest_demo(ctx: AppContext, session: Session, *, admin_email: str) -> DemoFinisher | None:
    def say(line: str) -> None:
        typer.echo(f"kinema: {line}")

    say("demo: an empty catalog; adding the demo catalog (--no-demo to start empty)")
    try:
        footage = ensure_footage(footage_dir(), say)
    except KinemaError as exc:
        typer.secho(f"kinema: demo: {exc}; starting with an empty catalog", fg="yellow")
        return None
    admin = accounts.find_user_by_email(session, email=admin_email)
    if admin is None:  # pragma: no cover - bootstrap_admin made it
        return None
    added = ingest_demo(ctx, session, footage, admin_id=admin.id)
    session.commit()
    ctx.jobs_queued.set()
    skipped = f" (without {', '.join(added.skipped)})" if added.skipped else ""
    say(
        f"demo: {len(added.titles)} titles and {len(added.videos)} videos queued for "
        f"transcoding{skipped}; demo profiles Ana and Kids are on the admin account"
    )
    finisher = DemoFinisher(ctx, list(added.videos.values()), admin_id=admin.id, say=say)
    finisher.start()
    return finisher


def run_api(*, port: int, host: str, workers: int) -> None:
    """Serve the API (cluster mode: run `kinema migrate` first, e.g. as a Helm hook)."""
    _configure_logging()
    settings = _settings(None)
    try:
        ctx = build_context(settings)
    except KinemaError as exc:
        typer.secho(f"kinema api: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    pool = None
    previews = None
    tagger = None
    if workers:
        pool = WorkerPool(
            settings=settings,
            sessions=ctx.sessions,
            store=ctx.store,
            size=workers,
            wake=ctx.jobs_queued,
        )
        pool.start()
        previews = PreviewWorker(
            settings=settings, sessions=ctx.sessions, store=ctx.store, wake=ctx.clips_queued
        )
        previews.start()
        tagger = _start_tagging(ctx)
    try:
        Server(
            # proxy_headers off: uvicorn would take any loopback peer's X-Forwarded-For as
            # the client; deps.client_ip believes only KINEMA_TRUSTED_PROXIES.
            ctx,
            uvicorn.Config(
                create_app(context=ctx, prepare_routes=True),
                host=host,
                port=port,
                proxy_headers=False,
            ),
        ).run()
    finally:
        if tagger is not None:
            tagger.stop()
        if previews is not None:
            previews.stop()
        if pool is not None:
            pool.stop()
        ctx.close()


def run_promote(email: str, data_dir: Path | None) -> None:
    """Make an existing account an admin (its own password stays its password)."""
    settings = _settings(data_dir)
    engine = create_db_engine(settings.resolved_database_url)
    try:
        with session_factory(engine)() as session:
            user = promote_admin(session, email=email)
    except KinemaError as exc:
        typer.secho(f"kinema admin promote: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(f"kinema: {user.email} is now an admin")


def run_train_recommender() -> None:
    """Fit the recommender on all feedback and replace the stored lists (one run)."""
    _configure_logging()
    settings = _settings(None)
    engine = create_db_engine(settings.resolved_database_url)
    store = None
    try:
        store = store_from_settings(settings)
        sessions = session_factory(engine)
        report = train_once(settings, sessions, SubtitleReader(store))
        notes = write_notes(settings, sessions)
    except KinemaError as exc:
        typer.secho(f"kinema train-recommender: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    finally:
        if store is not None:
            store.close()
        engine.dispose()
    typer.echo(
        f"kinema: recommendations trained on {report.interactions} interaction(s) for "
        f"{report.profiles} profile(s) and {report.titles} title(s) ({report.rows} rows)"
    )
    if settings.anthropic_api_key is not None:
        typer.echo(
            f"kinema: Claude wrote {notes.notes} note(s) for {notes.profiles} profile(s) "
            f"({notes.failed} request(s) failed, USD {notes.cost_usd:.4f})"
        )


def run_prune_events() -> None:
    """Delete raw playback events past the retention, in batches (one run)."""
    _configure_logging()
    settings = _settings(None)
    engine = create_db_engine(settings.resolved_database_url)
    try:
        deleted = prune_once(settings, session_factory(engine))
    except SQLAlchemyError as exc:
        typer.secho(f"kinema prune-events: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(
        f"kinema: pruned {deleted} playback event(s) older than "
        f"{settings.analytics_event_retention_days} day(s)"
    )


def run_tag_titles() -> None:
    """Tag every newly published title once (docs/auto-tagging.md)."""
    _configure_logging()
    try:
        ctx = build_context(_settings(None))
    except KinemaError as exc:
        typer.secho(f"kinema tag-titles: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    try:
        done = TaggingWorker(settings=ctx.settings, sessions=ctx.sessions, store=ctx.store).drain()
    finally:
        ctx.close()
    failed = sum(1 for o in done if o.error)
    found = sum(len(o.suggestions) for o in done)
    typer.echo(f"kinema: tagged {len(done)} title(s): {found} suggestion(s), {failed} failed")


def run_migrate() -> None:
    """Bring the catalog database to the current schema (run before starting the API)."""
    settings = _settings(None)
    catalog_migrate.upgrade(settings.resolved_database_url)
    typer.echo(f"catalog migrated to {catalog_migrate.head_revision()}")
