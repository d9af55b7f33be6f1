"""``kinema operator`` (run the Kopf operator) and ``kinema crds`` (write ``crds/``).

Registered on the core CLI through the ``kinema.commands`` entry point. Heavy imports
(kopf, the kubernetes client) happen inside the commands, so other ``kinema``
commands start without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_CRD_DIR = Path("crds")
# The Helm chart ships the same files (rendered under crds.enabled).
CHART_CRD_DIR = Path("charts/kinema/files/crds")


def write_crds(out: Path, *, check: bool = False) -> list[str]:
    """Write every generated CRD into ``out``; with ``check``, list files that differ.

    Returns the names of files that were (or, checking, would be) changed, including
    stale ``kinema.dev_*.yaml`` files no kind generates any more.
    """
    from kinema.resources.crd import render_all

    wanted = render_all()
    changed = []
    for name, text in wanted.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(name)
            if not check:
                out.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for stale in sorted(out.glob("kinema.dev_*.yaml")):
        if stale.name not in wanted:
            changed.append(stale.name)
            if not check:
                stale.unlink()
    return changed


def crds_command(
    out: Annotated[
        list[Path] | None,
        typer.Option(help="Folder to write into (repeatable; default: crds/ and the chart's)."),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Only report drift; exit 1 when a file differs.")
    ] = False,
) -> None:
    """Generate the CustomResourceDefinitions from the resource models."""
    drifted = False
    for folder in out or [DEFAULT_CRD_DIR, CHART_CRD_DIR]:
        changed = write_crds(folder, check=check)
        if check and changed:
            drifted = True
            typer.echo(f"CRDs in {folder} differ from the models: {', '.join(changed)}", err=True)
        verb = "would change" if check else "wrote"
        typer.echo(
            f"{verb} {len(changed)} file(s) in {folder}" if changed else f"{folder} is up to date"
        )
    if drifted:
        typer.echo("run `kinema crds` and commit the result", err=True)
        raise typer.Exit(1)


def operator_command(
    namespace: Annotated[
        list[str] | None,
        typer.Option("--namespace", "-n", help="Watch only these namespaces (repeatable)."),
    ] = None,
    liveness: Annotated[
        str | None,
        typer.Option(help="Serve Kopf's liveness probe, e.g. http://0.0.0.0:8081/healthz."),
    ] = None,
    peering: Annotated[
        str | None,
        typer.Option(help="Kopf peering name: replicas stand by while one works."),
    ] = None,
    priority: Annotated[
        int | None,
        typer.Option(help="Peering priority (default: derived from POD_NAME, else random)."),
    ] = None,
    verbose: Annotated[bool, typer.Option(help="Debug logging.")] = False,
) -> None:
    """Run the Kinema operator (Kopf) against the current cluster."""
    from kinema_operator.run import run_operator

    run_operator(
        namespaces=list(namespace or []),
        liveness=liveness,
        verbose=verbose,
        peering=peering,
        priority=priority,
    )


def register(app: typer.Typer) -> None:
    app.command("operator")(operator_command)
    app.command("crds")(crds_command)
