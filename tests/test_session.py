"""The one door into a competition: every command keeps the hidden labels out of data/ while it is open.

A solution file left in `data/<slug>/` (by a close or reopen killed between its move and its commit)
must be gone after any command that touches the competition, whichever it is; each command runs
through the real CLI on its own copy of a prepared fixture competition.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from harness import lifecycle
from harness.session import SOLUTION_FILE, State, open_competition, state_of
from harness.workspace import Workspace
from tests.conftest import REPO
from tests.test_submit_support import cli, tiny_fixture, tiny_root_fixture

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"
PLANTED = "id,label,Usage\n1000,1,Public\n"
KERNEL = (
    'KERNEL = {"competition": "tiny-binary", "title": "Bigger x1", "techniques": ["baseline"]}\n'
    "def fit_predict(train, test, params):\n"
    "    return (test['x1'] > 0).astype(int)\n"
)


def _submit(ws: Workspace, who: str = "alice") -> None:
    sample = ws.root / "sample.csv"
    shutil.copyfile(ws.data_dir(SLUG) / "sample_submission.csv", sample)
    assert cli("submit", SLUG, str(sample), "--as", who).exit_code == 0


def _commands(ws: Workspace, tmp_path: Path) -> dict[str, list[str]]:
    kernel = tmp_path / "bigger-x1.py"
    kernel.write_text(KERNEL, encoding="utf-8")
    sample = ws.root / "sample.csv"
    shutil.copyfile(ws.data_dir(SLUG) / "sample_submission.csv", sample)
    return {
        "list": ["list"],
        "show": ["show", SLUG],
        "prepare": ["prepare", SLUG],
        "submit": ["submit", SLUG, str(sample), "--as", "bob"],
        "submissions": ["submissions", SLUG],
        "leaderboard": ["leaderboard", SLUG],
        "select": ["select", SLUG, "s0001", "--as", "alice"],
        "final-submissions": ["select", SLUG, "--as", "alice"],
        "check": ["check", SLUG],
        "run": ["run", str(kernel), "--folds", "2"],
    }


COMMANDS = (
    "list",
    "show",
    "prepare",
    "submit",
    "submissions",
    "leaderboard",
    "select",
    "final-submissions",
    "check",
    "run",
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_removes_a_leftover_solution_of_an_open_competition(
    tiny: Workspace, tmp_path: Path, command: str
) -> None:
    _submit(tiny)  # s0001, for the ledger, the boards and select
    args = _commands(tiny, tmp_path)[command]
    solution = tiny.data_dir(SLUG) / SOLUTION_FILE
    solution.write_text(PLANTED, encoding="utf-8")
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert not solution.exists(), f"`compete {' '.join(args)}` left the hidden labels in data/"


def test_close_replaces_a_leftover_with_the_solution_and_reopen_removes_it(tiny: Workspace) -> None:
    _submit(tiny)
    solution = tiny.data_dir(SLUG) / SOLUTION_FILE
    solution.write_text(PLANTED, encoding="utf-8")
    assert cli("close", SLUG).exit_code == 0
    written = solution.read_text(encoding="utf-8")
    assert written != PLANTED and written.startswith("id,label,Usage\n")
    assert len(written.splitlines()) == 1 + 120  # every test row of tiny-binary
    assert cli("reopen", SLUG).exit_code == 0
    assert not solution.exists()


def test_a_closed_competition_gets_its_solution_back_from_any_command(tiny: Workspace) -> None:
    lifecycle.close(tiny, SLUG)
    solution = tiny.data_dir(SLUG) / SOLUTION_FILE
    solution.unlink()
    assert cli("show", SLUG).exit_code == 0
    assert solution.read_text(encoding="utf-8").startswith("id,label,Usage\n")


def test_the_door_hands_back_the_state_and_a_store_only_when_prepared(tiny: Workspace) -> None:
    with open_competition(tiny, SLUG) as session:
        assert session.state is State.OPEN and session.con is not None
    shutil.rmtree(tiny.private_dir(SLUG))
    with open_competition(tiny, SLUG, prepared=False) as session:
        assert session.state is State.NOT_PREPARED and session.con is None
    assert state_of(tiny, SLUG) is State.NOT_PREPARED


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "harness":
                found.update(f"harness.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_ledger_does_not_depend_on_the_lifecycle() -> None:
    """The dependency runs one way: lifecycle builds the private board with the ledger at close."""
    assert "harness.lifecycle" not in _imports(REPO / "harness" / "ledger.py")
    assert "harness.lifecycle" not in _imports(REPO / "harness" / "session.py")


def test_only_the_door_and_prepare_connect_to_a_store() -> None:
    allowed = {"session.py", "store.py", "prepare.py"}
    for path in sorted((REPO / "harness").rglob("*.py")):
        if path.name in allowed:
            continue
        assert "store.connect(" not in path.read_text(encoding="utf-8"), f"{path} bypasses the door"


# ------------------------------------------------------------------------- what a killed submit leaves
def _plant_killed_submit(ws: Workspace, ref: str) -> Path:
    """A kept copy with no ledger row, as a submit killed between its copy and its row leaves it."""
    import gzip

    folder = ws.submissions_dir(SLUG)
    left = folder / f"{ref}.csv.gz"
    left.write_bytes(gzip.compress((ws.data_dir(SLUG) / "sample_submission.csv").read_bytes()))
    return left


def test_a_reused_ref_never_leaves_two_files(tiny: Workspace) -> None:
    _submit(tiny)
    folder = tiny.submissions_dir(SLUG)
    left = _plant_killed_submit(tiny, "s0002")
    own = folder / "my-notes.txt"
    own.write_text("mine", encoding="utf-8")
    _submit(tiny, "bob")
    assert not left.exists()
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert files == ["my-notes.txt", "s0001.csv", "s0002.csv"]
    with open_competition(tiny, SLUG) as session:
        stored = session.store.execute("SELECT ref, stored_path FROM submissions ORDER BY seq").fetchall()
    assert stored == [("s0001", f"submissions/{SLUG}/s0001.csv"), ("s0002", f"submissions/{SLUG}/s0002.csv")]


@pytest.mark.parametrize("command", ["select", "close", "reopen", "prepare"])
def test_the_next_command_that_writes_removes_a_killed_submits_copy(tiny: Workspace, command: str) -> None:
    _submit(tiny)
    args = {
        "select": ["select", SLUG, "s0001", "--as", "alice"],
        "close": ["close", SLUG],
        "reopen": ["reopen", SLUG, "--reseed"],
        "prepare": ["prepare", SLUG, "--force"],
    }[command]
    left = _plant_killed_submit(tiny, "s0002")
    later = _plant_killed_submit(tiny, "s0007")
    assert cli("leaderboard", SLUG).exit_code == 0
    assert left.exists(), "a command that only reads leaves the store's folders alone"
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert not left.exists() and not later.exists()
    assert (tiny.submissions_dir(SLUG) / "s0001.csv").exists()
