"""`compete kernels list` reads what each kernel declares from an index kept by the file's hash:
a kernel listed before is not imported again, and an edited one is read afresh."""

from __future__ import annotations

import json
import shutil

import pytest

from harness import kernel_index
from harness.kernel_study import list_kernels
from harness.workspace import Workspace
from tests.test_submit_support import cli, tiny_fixture, tiny_root_fixture

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"


def _kernel(title: str, extra: str = "") -> str:
    return (
        f'KERNEL = {{"competition": "{SLUG}", "title": "{title}", "techniques": ["baseline"]}}\n'
        'PARAMS = {"threshold": 0.0}\n'
        f"{extra}"
        "def fit_predict(train, test, params):\n"
        "    return (test['x1'] > params['threshold']).astype(int)\n"
    )


@pytest.fixture
def mine(tiny: Workspace) -> Workspace:
    """The tiny workspace with a kernels/ folder of its own (not the repository's) holding one kernel."""
    if tiny.kernels_dir.is_symlink():
        tiny.kernels_dir.unlink()
    folder = tiny.kernels_dir / SLUG
    folder.mkdir(parents=True)
    (folder / "mine.py").write_text(_kernel("Bigger x1"), encoding="utf-8")
    return tiny


def _refuse_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a kernel was imported although the index knew it")

    monkeypatch.setattr(kernel_index, "load_kernel", refuse)


def test_a_listed_kernel_is_not_imported_again(mine: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = list_kernels(mine, SLUG)
    assert [(k.name, k.title, k.error) for k in first] == [(f"{SLUG}/mine", "Bigger x1", None)]
    assert kernel_index.index_path(mine).is_file()
    _refuse_imports(monkeypatch)
    assert list_kernels(mine, SLUG) == first
    info = kernel_index.declarations(mine, [f"{SLUG}/mine"])[f"{SLUG}/mine"]
    assert not isinstance(info, Exception) and dict(info.params) == {"threshold": 0.0}


def test_an_edited_kernel_is_read_afresh(mine: Workspace) -> None:
    list_kernels(mine, SLUG)
    path = mine.kernels_dir / SLUG / "mine.py"
    path.write_text(
        _kernel("Bigger x1, tunable", "def search_space(trial):\n    return {}\n"), encoding="utf-8"
    )
    rows = json.loads(cli("kernels", "list", SLUG, "-f", "json").stdout)  # type: ignore[attr-defined]
    assert [(r["title"], r["tunable"]) for r in rows] == [("Bigger x1, tunable", True)]
    path.write_text("KERNEL = 3\n", encoding="utf-8")
    (row,) = list_kernels(mine, SLUG)
    assert row.error is not None and "KERNEL" in row.error
    assert str(path.resolve()) not in json.loads(kernel_index.index_path(mine).read_text())


def test_a_kernel_whose_competition_went_is_checked_again(mine: Workspace) -> None:
    """The index's key holds the workspace's competitions: the check that a kernel's competition
    exists runs again when they change."""
    other = mine.kernels_dir / "tiny-regression"
    other.mkdir()
    (other / "stray.py").write_text(_kernel("Stray").replace(SLUG, "tiny-regression"), encoding="utf-8")
    assert [r.error for r in list_kernels(mine)] == [None, None]
    shutil.rmtree(mine.root / "competitions" / "tiny-regression")
    rows = {r.name: r for r in list_kernels(mine)}
    assert rows[f"{SLUG}/mine"].error is None
    assert "not a competition here" in str(rows["tiny-regression/stray"].error)


def test_a_damaged_index_is_read_as_empty(mine: Workspace) -> None:
    kernel_index.index_path(mine).parent.mkdir(parents=True, exist_ok=True)
    kernel_index.index_path(mine).write_text("{not json", encoding="utf-8")
    (row,) = list_kernels(mine, SLUG)
    assert row.title == "Bigger x1" and row.error is None
    assert json.loads(kernel_index.index_path(mine).read_text())  # written again, whole
