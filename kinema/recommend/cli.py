"""``kinema recommend``: score users offline with the service's own recommender."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kinema.errors import RecommendInputError
from kinema.recommend.csvio import read_train, read_users, write_ranking
from kinema.recommend.model import DEFAULT_HALF_LIFE, DEFAULT_LAMBDA, Algorithm, Config, fit


def recommend(
    train: Annotated[
        Path, typer.Option("--train", help="CSV with header user,item,timestamp[,weight].")
    ],
    users: Annotated[Path, typer.Option("--users", help="User ids to score, one a line.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write user,item,rank.")],
    k: Annotated[int, typer.Option("--k", min=1, max=1000, help="Items per user.")] = 10,
    algorithm: Annotated[
        Algorithm, typer.Option(help="ease (default) or the popularity baseline.")
    ] = Algorithm.EASE,
    lam: Annotated[
        float, typer.Option("--lambda", min=0.0, help="EASE's L2 regularisation.")
    ] = DEFAULT_LAMBDA,
    half_life: Annotated[
        float,
        typer.Option(help="Recency half-life in interactions (0: no recency weighting)."),
    ] = DEFAULT_HALF_LIFE,
) -> None:
    """Recommend K items per user that the user has not interacted with in TRAIN.

    Unknown users get the most popular items. Exactly the code that `kinema up` and
    the training CronJob run, so offline figures are the service's figures."""
    try:
        if lam <= 0:
            raise RecommendInputError("--lambda must be positive")
        if half_life < 0:
            raise RecommendInputError("--half-life must be 0 or positive")
        interactions = read_train(train)
        wanted = read_users(users)
    except RecommendInputError as exc:
        typer.secho(f"kinema recommend: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    config = Config(algorithm=algorithm, lam=lam, half_life=half_life or None)
    model = fit(interactions, config)
    lists = model.recommend_many(wanted, k)
    rows = (
        (user, scored.item, rank)
        for user in wanted
        for rank, scored in enumerate(lists[user], start=1)
    )
    try:
        count = write_ranking(out, rows)
    except OSError as exc:
        typer.secho(f"kinema recommend: cannot write {out}: {exc.strerror}", fg="red", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"kinema recommend: {count} rows for {len(wanted)} user(s) "
        f"({len(model.users)} users, {len(model.items)} items in training) -> {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("recommend")(recommend)
