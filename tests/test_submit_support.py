"""Shared fixtures for the submit, ledger and leaderboard tests: the tiny fixture competitions, prepared.

`tiny_root` prepares every fixture competition once per session; `tiny` gives each test its own copy
(competitions, data and stores), as the current workspace. Import `tiny_fixture` and
`tiny_root_fixture` into a test module to use them.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from harness import store, vault
from harness.cli import app
from harness.competition import competition_names, load_card
from harness.workspace import ENV_VAR, Workspace
from tests.conftest import FIXTURES, REPO, make_workspace

runner = CliRunner()
COMPETE = [sys.executable, "-c", "from harness.cli import main; main()"]


@pytest.fixture(scope="session", name="tiny_root")
def tiny_root_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fixture competition prepared once; tests copy it through `tiny`."""
    from harness.prepare import prepare

    ws = make_workspace(tmp_path_factory.mktemp("tiny") / "ws", competitions=FIXTURES / "competitions")
    for slug in competition_names(ws):
        prepare(ws, slug)
    return ws.root


@pytest.fixture(name="tiny")
def tiny_fixture(tiny_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A fresh workspace holding the prepared fixture competitions, set as the current workspace."""
    ws = make_workspace(tmp_path / "ws", competitions=FIXTURES / "competitions")
    for name in ("data", ".compete"):
        shutil.copytree(tiny_root / name, ws.root / name)
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.chdir(ws.root)
    yield ws


def cli(*args: str) -> object:
    """Run `compete ARGS` in-process; returns click's Result (exit_code, stdout, stderr, output)."""
    return runner.invoke(app, list(args))


def labels(ws: Workspace, slug: str) -> pd.DataFrame:
    with store.connect(ws, slug, read_only=True) as con:
        return vault.labels_frame(con)


def perfect(ws: Workspace, slug: str) -> pd.DataFrame:
    """A submission frame that predicts every hidden label exactly."""
    card = load_card(ws, slug)
    truth = labels(ws, slug)
    out = pd.DataFrame({card.id_column: truth[card.id_column]})
    if card.metric == "log_loss" and card.base_task == "multiclass":
        assert card.classes is not None
        for label in card.classes:
            out[label] = (truth[card.target].astype(str) == label).astype(float)
    elif card.metric in ("roc_auc", "log_loss"):
        assert card.classes is not None
        out[card.target] = (truth[card.target].astype(str) == card.classes[-1]).astype(float)
    else:
        out[card.target] = truth[card.target]
    return out


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def sample(ws: Workspace, slug: str) -> Path:
    return ws.data_dir(slug) / "sample_submission.csv"


def repo_python_env() -> dict[str, str]:
    """Environment for a subprocess that imports the harness from this checkout."""
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


def another_copy(ws: Workspace, path: Path, n: int) -> Path:
    """The predictions of `path` in a file that differs byte for byte (its rows rotated by `n`):
    a file already scored is refused when submitted again, and the tests of limits submit many."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    n %= len(rows)
    copy = ws.root / f"{path.stem}-{n}{path.suffix}"
    copy.write_text("\n".join([header, *rows[n:], *rows[:n]]) + "\n", encoding="utf-8")
    return copy
