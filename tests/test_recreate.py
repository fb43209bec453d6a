"""A competition deleted and made again: its old data are never taken for the new one's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import StalePreparation, UnknownName
from harness.prepare import prepare
from harness.removal import delete_competition
from harness.session import open_competition
from harness.workspace import ENV_VAR, Workspace
from tests.conftest import FIXTURES, make_workspace

SLUG = "tiny-binary"


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws = make_workspace(tmp_path / "ws", competitions=FIXTURES / "competitions")
    monkeypatch.setenv(ENV_VAR, str(ws.root))
    monkeypatch.chdir(ws.root)
    return ws


def _edit_card(ws: Workspace, old: str, new: str) -> None:
    path = ws.competition_dir(SLUG) / "competition.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_card_changed_since_prepare_is_refused_by_the_door_until_prepared_again(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    with open_competition(tiny, SLUG) as session:
        assert session.state.value == "open"
    _edit_card(tiny, "public_seed = 5", "public_seed = 6")
    with pytest.raises(StalePreparation, match=rf"compete prepare {SLUG} --force"):
        with open_competition(tiny, SLUG):
            pass
    with pytest.raises(StalePreparation):
        prepare(tiny, SLUG)  # never "already prepared"
    prepare(tiny, SLUG, force=True)
    with open_competition(tiny, SLUG) as session:
        assert session.state.value == "open"


def test_the_title_rules_and_texts_of_a_card_may_change_without_preparing_again(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    _edit_card(tiny, "daily_limit = 3", "daily_limit = 9")
    _edit_card(tiny, 'title = "Tiny binary"', 'title = "Tiny, binary"')
    (tiny.competition_dir(SLUG) / "description.md").write_text("# Another text\n")
    assert prepare(tiny, SLUG).skipped
    with open_competition(tiny, SLUG):
        pass


def test_a_competition_made_again_from_other_code_is_stale(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    code = tiny.competition_dir(SLUG) / "prepare.py"
    code.write_text(code.read_text() + "\n# made again\n")
    with pytest.raises(StalePreparation):
        with open_competition(tiny, SLUG, prepared=False):
            pass
    with open_competition(tiny, SLUG, allow_stale=True):
        pass


def test_delete_removes_card_data_store_and_kept_submissions_and_keeps_kernels(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    tiny.submissions_dir(SLUG).mkdir(parents=True)
    (tiny.submissions_dir(SLUG) / "s0001.csv").write_text("id,label\n")
    mine = tiny.root / "kernels-of-mine"
    mine.mkdir()
    removal = delete_competition(tiny, SLUG)
    for path in (
        tiny.competition_dir(SLUG),
        tiny.data_dir(SLUG),
        tiny.private_dir(SLUG),
        tiny.submissions_dir(SLUG),
    ):
        assert path in removal.removed and not path.exists()
    assert mine.exists()
    with pytest.raises(UnknownName, match="Nothing of it is left"):
        delete_competition(tiny, SLUG)


def test_delete_cleans_up_after_a_folder_removed_by_hand(tiny: Workspace) -> None:
    import shutil

    prepare(tiny, SLUG)
    shutil.rmtree(tiny.competition_dir(SLUG))
    removal = delete_competition(tiny, SLUG)
    assert set(removal.removed) == {tiny.data_dir(SLUG), tiny.private_dir(SLUG)}
    assert not (tiny.root / ".compete" / SLUG).exists()


def test_cli_delete_asks_first_and_yes_skips_the_question(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    runner = CliRunner()
    refused = runner.invoke(app, ["delete", SLUG], input="n\n")
    assert refused.exit_code == 1
    assert "nothing was deleted" in refused.output
    assert tiny.competition_dir(SLUG).exists() and tiny.store_path(SLUG).exists()
    confirmed = runner.invoke(app, ["delete", SLUG], input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert not tiny.competition_dir(SLUG).exists() and not tiny.private_dir(SLUG).exists()
    other = "tiny-regression"
    prepare(tiny, other)
    scripted = runner.invoke(app, ["delete", other, "--yes", "--format", "json"])
    assert scripted.exit_code == 0, scripted.output
    assert not tiny.data_dir(other).exists()


def test_new_refuses_a_slug_whose_earlier_data_remain(tiny: Workspace, tmp_path: Path) -> None:
    import shutil

    import pandas as pd

    from harness.authoring import new_competition
    from harness.errors import AuthoringError

    prepare(tiny, SLUG)
    source = tmp_path / "other.csv"
    pd.DataFrame({"x": range(60), "label": [0, 1] * 30}).to_csv(source, index=False)
    shutil.rmtree(tiny.competition_dir(SLUG))
    with pytest.raises(AuthoringError, match=rf"compete delete {SLUG}"):
        new_competition(tiny, SLUG, source, "label")
    delete_competition(tiny, SLUG)
    new_competition(tiny, SLUG, source, "label")


def test_every_command_tells_of_a_stale_competition(tiny: Workspace) -> None:
    prepare(tiny, SLUG)
    sample = str(tiny.data_dir(SLUG) / "sample_submission.csv")
    _edit_card(tiny, "public_seed = 5", "public_seed = 6")
    runner = CliRunner()
    listed = runner.invoke(app, ["list", "-f", "json"])
    assert listed.exit_code == 0, listed.output
    [row] = [r for r in json.loads(listed.stdout) if r["slug"] == SLUG]
    assert row["state"] == f"stale: run `compete prepare {SLUG} --force`"
    for args in (
        ["show", SLUG],
        ["submit", SLUG, sample],
        ["submissions", SLUG],
        ["leaderboard", SLUG],
        ["select", SLUG],
        ["close", SLUG],
        ["prepare", SLUG],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"compete prepare {SLUG} --force" in result.stderr, (args, result.stderr)
    assert runner.invoke(app, ["prepare", SLUG, "--force"]).exit_code == 0
    assert runner.invoke(app, ["submit", SLUG, sample]).exit_code == 0
