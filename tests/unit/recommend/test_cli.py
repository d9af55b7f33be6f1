"""``kinema recommend`` end to end on files: output shape, exclusions, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kinema.recommend.cli import register


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Keep `recommend` a sub-command."""

    return app


def _run(tmp_path: Path, train: str, users: str = "u1\nu2\nghost\n", *extra: str):
    (tmp_path / "train.csv").write_text(train)
    (tmp_path / "users.txt").write_text(users)
    args = ["recommend", "--train", str(tmp_path / "train.csv"), "--users"]
    args += [str(tmp_path / "users.txt"), "--k", "3", "--out", str(tmp_path / "out.csv")]
    return CliRunner().invoke(_app(), [*args, *extra])


TRAIN = "\n".join(
    ["user,item,timestamp,weight"]
    + [f"a{n},{i},{t},1" for n in range(4) for t, i in enumerate("xyzw")]
    + ["u1,x,1,2.5", "u1,y,2,", "u2,w,5,1"]
)


def test_writes_ranked_unseen_items(tmp_path):
    result = _run(tmp_path, TRAIN)
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["user", "item", "rank"]
    by_user: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        by_user.setdefault(row["user"], []).append((int(row["rank"]), row["item"]))
    assert [r for r, _ in by_user["u1"]] == [1, 2]  # only z and w are unseen
    assert {i for _, i in by_user["u1"]} == {"z", "w"}
    assert "w" not in {i for _, i in by_user["u2"]}
    assert [r for r, _ in by_user["ghost"]] == [1, 2, 3]  # cold start: popularity


def test_popularity_option(tmp_path):
    result = _run(tmp_path, TRAIN, "u2\n", "--algorithm", "popularity")
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output


@pytest.mark.parametrize(
    ("train", "users", "message"),
    [
        ("user,item,weight\nu,x,1\n", "u\n", "missing column(s) timestamp"),
        ("", "u\n", "is empty"),
        ("user,item,timestamp\n", "u\n", "no interactions"),
        ("user,item,timestamp,weight\nu,x,1,lots\n", "u\n", "weight 'lots' is not a number"),
        ("user,item,timestamp,weight\nu,x,1,-1\n", "u\n", "must be positive"),
        ("user,item,timestamp\nu,x,yesterday\n", "u\n", "line 2: timestamp"),
        ("user,item,timestamp\nu,x,1\n", "\n\n", "lists no users"),
    ],
)
def test_bad_input_exits_2_with_a_clear_line(tmp_path, train, users, message):
    result = _run(tmp_path, train, users)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out.csv").exists()


def test_missing_file_exits_2(tmp_path):
    args = ["recommend", "--train", str(tmp_path / "nope.csv"), "--users", str(tmp_path / "u")]
    result = CliRunner().invoke(_app(), [*args, "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "cannot read" in result.output
