"""`compete check`: built-in competitions pass; a broken folder fails the check naming its fault."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.checks import check_competition
from harness.competition import competition_names, load_card
from harness.errors import UnknownName
from harness.workspace import ENV_VAR, Workspace
from tests.conftest import FIXTURES, REPO, make_workspace

BUILT_IN = competition_names(Workspace(REPO))
# One of each task and fold scheme but time stays in the fast run; the rest take longest (make test).
FAST = {"titanic", "penguins", "wages"}
CHECKED = [slug if slug in FAST else pytest.param(slug, marks=pytest.mark.slow) for slug in BUILT_IN]


@pytest.mark.parametrize("slug", CHECKED)
def test_every_built_in_competition_passes(prepared_workspace: Workspace, slug: str) -> None:
    results = check_competition(prepared_workspace, slug)
    failed = [r for r in results if not r.ok]
    assert not failed, failed
    names = [r.name for r in results]
    classes = ["classes"] if load_card(prepared_workspace, slug).classes else []
    assert names == [
        "card",
        "files",
        "schema",
        "metric",
        "prepare",
        "schemas",
        "folds",
        "test-target",
        "labels",
        *classes,
        "sample-score",
        "perfect-score",
        "sample-formula",
        "leak-guard",
        "description",
    ]
    assert "already prepared" in results[names.index("prepare")].message


@pytest.fixture
def fixture_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace holding a copy of the tiny test competitions, which the tests may break."""
    ws = make_workspace(tmp_path / "ws", competitions=FIXTURES / "competitions")
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.chdir(ws.root)
    return ws


def _by_name(results: list) -> dict:  # type: ignore[type-arg]
    return {r.name: r for r in results}


def test_unprepared_competition_is_prepared_by_the_check(fixture_ws: Workspace) -> None:
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert all(r.ok for r in results.values()), results
    assert results["prepare"].message.startswith("prepared: ")
    assert "public" in results["sample-score"].message


def test_a_broken_card_names_the_field(fixture_ws: Workspace) -> None:
    card = fixture_ws.competition_dir("tiny-binary") / "competition.toml"
    card.write_text(card.read_text().replace('metric = "accuracy"', 'metric = "rmse"'))
    results = check_competition(fixture_ws, "tiny-binary")
    assert [r.name for r in results] == ["card"]
    assert not results[0].ok and "field 'metric'" in results[0].message and "rmse" in results[0].message


def test_classes_that_miss_the_targets_values_fail(fixture_ws: Workspace) -> None:
    """Every prediction of the real labels would be refused: the check says so before a kernel does."""
    card = fixture_ws.competition_dir("tiny-binary") / "competition.toml"
    text = card.read_text()
    assert 'classes = ["0", "1"]' in text
    card.write_text(text.replace('classes = ["0", "1"]', 'classes = ["0", "yes"]'))
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert not results["classes"].ok
    assert "the data's target holds 1 value that the card's classes lack: '1'" in results["classes"].message


def test_a_schema_without_submission_model_fails(fixture_ws: Workspace) -> None:
    schema = fixture_ws.competition_dir("tiny-binary") / "schema.py"
    schema.write_text(schema.read_text().replace("class Submission(", "class Answer("))
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert not results["schema"].ok and "defines no Submission" in results["schema"].message
    assert "prepare" not in results


def test_a_changed_public_file_fails_the_prepare_check(fixture_ws: Workspace) -> None:
    from harness.prepare import prepare

    prepare(fixture_ws, "tiny-binary")
    test_file = fixture_ws.data_dir("tiny-binary") / "test.csv"
    test_file.write_text(test_file.read_text() + "\n")
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert not results["prepare"].ok
    assert "test.csv" in results["prepare"].message and "--force" in results["prepare"].message


def test_a_description_without_licence_fails(fixture_ws: Workspace) -> None:
    (fixture_ws.competition_dir("tiny-binary") / "description.md").write_text("# Tiny\nMetric: accuracy.\n")
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert not results["description"].ok and "source, licence" in results["description"].message


def test_a_missing_description_fails_the_files_check(fixture_ws: Workspace) -> None:
    (fixture_ws.competition_dir("tiny-binary") / "description.md").unlink()
    results = _by_name(check_competition(fixture_ws, "tiny-binary"))
    assert not results["files"].ok and "description.md" in results["files"].message


def test_unknown_slug_lists_the_competitions(fixture_ws: Workspace) -> None:
    with pytest.raises(UnknownName, match="tiny-binary"):
        check_competition(fixture_ws, "tiny-binry")


def test_cli_check_exits_non_zero_on_failure_and_speaks_json(fixture_ws: Workspace) -> None:
    from harness.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["check", "tiny-binary", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"name", "ok", "message"} <= set(rows[0]) and all(r["ok"] for r in rows)
    shutil.rmtree(fixture_ws.data_dir("tiny-binary"))
    result = runner.invoke(app, ["check", "tiny-binary"])
    assert result.exit_code == 1
    assert "FAILED" in result.output
