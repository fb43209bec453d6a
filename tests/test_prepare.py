"""prepare refuses bad frames, naming column, check and rows, and never leaves half its output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness import store, vault
from harness.errors import SchemaViolation
from harness.prepare import PUBLIC_FILES, prepare
from harness.workspace import Workspace
from tests.conftest import FIXTURES, make_workspace


@pytest.fixture
def tiny(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path / "ws", competitions=FIXTURES / "competitions")


def _break_load(ws: Workspace, slug: str, body: str) -> None:
    path = ws.competition_dir(slug) / "prepare.py"
    path.write_text(path.read_text() + "\n\n_load = load\n\n\ndef load():\n" + body)


def _leftovers(ws: Workspace) -> list[str]:
    data = ws.root / "data"
    return sorted(p.name for p in data.iterdir() if p.name.startswith(".")) if data.exists() else []


def test_a_frame_the_schema_refuses_names_column_check_and_rows_and_writes_nothing(tiny: Workspace) -> None:
    _break_load(
        tiny, "tiny-binary", "    frame = _load()\n    frame.loc[[3, 8], 'label'] = 7\n    return frame\n"
    )
    with pytest.raises(SchemaViolation) as info:
        prepare(tiny, "tiny-binary")
    text = str(info.value)
    assert "column 'label'" in text and "isin" in text and "7" in text
    assert not tiny.data_dir("tiny-binary").exists()
    assert _leftovers(tiny) == []
    assert not tiny.store_path("tiny-binary").exists()  # not even an empty store


def test_a_failed_rebuild_leaves_the_previous_files_and_labels_as_they_were(tiny: Workspace) -> None:
    first = prepare(tiny, "tiny-binary")
    before = {name: (tiny.data_dir("tiny-binary") / name).read_bytes() for name in PUBLIC_FILES}
    _break_load(tiny, "tiny-binary", "    frame = _load()\n    frame['x1'] = 'text'\n    return frame\n")
    with pytest.raises(SchemaViolation, match="x1"):
        prepare(tiny, "tiny-binary", force=True)
    after = {name: (tiny.data_dir("tiny-binary") / name).read_bytes() for name in PUBLIC_FILES}
    assert after == before
    with store.connect(tiny, "tiny-binary", read_only=True) as con:
        assert vault.last_preparation(con).checksums == first.checksums  # type: ignore[union-attr]
    assert _leftovers(tiny) == []


def test_an_interrupt_while_writing_leaves_no_partial_folder(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    original = pd.DataFrame.to_csv

    def interrupted(self: pd.DataFrame, path: object, *args: object, **kwargs: object) -> object:
        if written:
            raise KeyboardInterrupt
        written.append(str(path))
        return original(self, path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        prepare(tiny, "tiny-binary")
    assert written, "the first file was written before the interrupt"
    assert not tiny.data_dir("tiny-binary").exists()
    assert _leftovers(tiny) == []
    monkeypatch.undo()
    assert not prepare(tiny, "tiny-binary").skipped


def test_prepare_all_reports_each_competition(tiny: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from harness.cli import app

    monkeypatch.setenv("COMPETE_WORKSPACE", str(tiny.root))
    _break_load(tiny, "tiny-regression", "    raise ValueError('source unreadable')\n")
    result = CliRunner().invoke(app, ["prepare", "--all", "-f", "json"])
    assert result.exit_code == 1
    rows = {row["slug"]: row for row in json.loads(result.stdout)}
    assert rows["tiny-binary"]["status"] == "prepared"
    assert rows["tiny-regression"]["status"] == "error"
    assert "load() failed: ValueError: source unreadable" in rows["tiny-regression"]["error"]
    assert "Traceback" not in result.output


def test_a_cv_column_the_data_lacks_is_named_in_the_card(tiny: Workspace) -> None:
    from harness.errors import CardError

    card = tiny.competition_dir("tiny-binary") / "competition.toml"
    text = card.read_text()
    start = text.index("[cv]")
    end = text.index("\n[", start + 1) if "\n[" in text[start + 1 :] else len(text)
    card.write_text(text[:start] + '[cv]\nscheme = "group"\ncolumn = "shop"\nk = 3\nseed = 0\n' + text[end:])
    with pytest.raises(CardError, match="field 'cv.column' is 'shop', which is not a column of the data"):
        prepare(tiny, "tiny-binary")
    assert not tiny.data_dir("tiny-binary").exists()


def test_a_reseed_that_commits_while_prepare_runs_is_the_split_it_writes(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prepare reads the split in force where it writes the labels: a reseed cannot come between."""
    from datetime import UTC, datetime

    from harness import prepare as preparing
    from harness.competition import load_card

    prepare(tiny, "tiny-binary")
    write_public = preparing._write_public

    def reseeded_meanwhile(target: Path, frames: dict[str, object], *as_is: object) -> dict[str, str]:
        checksums = write_public(target, frames, *as_is)  # type: ignore[arg-type]
        with store.connect(tiny, "tiny-binary") as con:  # another process's `reopen --reseed`
            con.execute("INSERT INTO events VALUES (?, 'reseed', '12345')", [datetime.now(UTC)])
        return checksums

    monkeypatch.setattr(preparing, "_write_public", reseeded_meanwhile)
    prepare(tiny, "tiny-binary", force=True)
    card = load_card(tiny, "tiny-binary")
    with store.connect(tiny, "tiny-binary", read_only=True) as con:
        labels = vault.labels_frame(con)
    expected = vault.public_split(labels["id"], card.split.public_fraction, 12345)
    assert labels["usage"].tolist() == expected.tolist()


def test_a_full_disk_while_writing_the_public_files_is_a_clear_error(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.errors import StoreUnavailable

    def full(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(StoreUnavailable, match="could not be written, so nothing changed"):
        prepare(tiny, "tiny-binary")
    assert _leftovers(tiny) == [] and not tiny.data_dir("tiny-binary").exists()
