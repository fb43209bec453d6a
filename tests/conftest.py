"""Shared fixtures: fresh temporary workspaces, and the built-in competitions prepared once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.competition import competition_names
from harness.workspace import ENV_VAR, Workspace

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ("competitions", "kernels", "theory")


def make_workspace(root: Path, competitions: Path | None = None) -> Workspace:
    """A workspace at `root` whose competitions/kernels/theory are the repository's (linked, not copied).

    With `competitions`, that folder is copied in instead, so a test may change it.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        if name == "competitions" and competitions is not None:
            shutil.copytree(competitions, root / name)
        elif (REPO / name).exists():
            (root / name).symlink_to(REPO / name)
    return Workspace(root)


@pytest.fixture(autouse=True)
def _fresh_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets the CLI's console afresh, at the width its own runner sets (120, as piped, when
    it sets none). The console is made once a process, at the width of the first command that
    prints, so without this a test's width would depend on the tests before it in the process; and
    a `COLUMNS` of the shell (or the 80 a pytest-xdist worker is given) is not the test's."""
    from harness.cli import _render

    monkeypatch.setattr(_render, "_CONSOLE", None)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh, empty workspace over the repository's competitions; nothing prepared yet."""
    ws = make_workspace(tmp_path / "ws")
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.chdir(ws.root)
    return ws


@pytest.fixture(scope="session")
def prepared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every built-in competition prepared once; copy it (see `prepared_workspace`) before changing it."""
    from harness.prepare import prepare

    ws = make_workspace(tmp_path_factory.mktemp("prepared") / "ws")
    for slug in competition_names(ws):
        prepare(ws, slug)
    return ws.root


@pytest.fixture
def prepared_workspace(
    prepared_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    """A fresh workspace with every built-in competition already prepared (its own copy of the stores)."""
    ws = make_workspace(tmp_path / "ws")
    for name in ("data", ".compete"):
        shutil.copytree(prepared_root / name, ws.root / name)
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.chdir(ws.root)
    yield ws
