"""`list` and `show` read a competition's state from the door's summary while the store is the one it
describes, and through the door otherwise: they answer as the door would, and keep the solution
file in step as it does."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from harness import session, summary
from harness.session import SOLUTION_FILE, State, open_competition
from harness.workspace import Workspace
from tests.test_submit_support import cli, tiny_fixture, tiny_root_fixture

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"


def _no_store(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was opened although its summary was current")

    monkeypatch.setattr(session, "open_competition", refuse)


def test_a_current_summary_answers_without_the_store(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_competition(tiny, SLUG) as opened:
        expected = (opened.state, opened.preparation)
    assert (tiny.private_dir(SLUG) / summary.SUMMARY_FILE).is_file()
    planted = tiny.data_dir(SLUG) / SOLUTION_FILE
    planted.write_text("id,label,Usage\n1,1,Public\n")
    _no_store(monkeypatch)
    seen = summary.glance(tiny, SLUG)
    assert (seen.state, seen.preparation) == expected == (State.OPEN, expected[1])
    assert not planted.exists()  # kept in step, as the door does


def test_a_store_changed_behind_the_summary_is_read_again(tiny: Workspace) -> None:
    summary.glance(tiny, SLUG)
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
        "con.execute(\"INSERT INTO events VALUES (now()::TIMESTAMP, 'close', NULL)\"); con.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(tiny.store_path(SLUG))], check=True, timeout=120)
    assert summary.glance(tiny, SLUG).state is State.CLOSED
    assert (tiny.data_dir(SLUG) / SOLUTION_FILE).is_file()  # the door published it


def test_a_write_through_the_door_leaves_a_current_summary(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("close", SLUG).exit_code == 0  # type: ignore[attr-defined]
    (tiny.data_dir(SLUG) / SOLUTION_FILE).unlink()  # gone by hand: the door writes it again
    assert summary.glance(tiny, SLUG).state is State.CLOSED
    assert (tiny.data_dir(SLUG) / SOLUTION_FILE).is_file()
    assert cli("reopen", SLUG).exit_code == 0  # type: ignore[attr-defined]
    _no_store(monkeypatch)
    assert summary.glance(tiny, SLUG).state is State.OPEN
    assert '"state": "open"' in cli("show", SLUG, "-f", "json").stdout  # type: ignore[attr-defined]


def test_a_preparation_recorded_inside_a_write_is_in_the_summary(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a write the door reads the preparation record again only if one was recorded: the
    summary then holds the new one, not the one read on the way in."""
    from harness import vault

    with open_competition(tiny, SLUG, write=True) as opened:
        before = opened.preparation
        assert before is not None
        labels = opened.store.execute("SELECT * FROM labels").df()
        newer = before._replace(prepared_at=before.prepared_at + timedelta(seconds=1), train_rows=7)
        vault.write_labels(opened.store, labels, newer)
    _no_store(monkeypatch)
    seen = summary.glance(tiny, SLUG)
    assert seen.preparation is not None and seen.preparation.train_rows == 7
    assert seen.preparation.prepared_at == newer.prepared_at


def test_a_deadline_passes_without_a_write(tiny: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    summary.glance(tiny, SLUG)
    card = tiny.root / "competitions" / SLUG / "competition.toml"
    text = card.read_text()
    deadline = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    card.write_text(text.replace("[rules]", f"[rules]\ndeadline = {deadline}", 1))
    later = datetime.now(UTC) + timedelta(days=2)
    assert summary.glance(tiny, SLUG).state is State.OPEN
    # Closed by the deadline: the solution file is missing, so the door publishes it.
    assert summary.glance(tiny, SLUG, now=later).state is State.CLOSED
    assert (tiny.data_dir(SLUG) / SOLUTION_FILE).is_file()
    _no_store(monkeypatch)
    assert summary.glance(tiny, SLUG, now=later).state is State.CLOSED


def test_a_damaged_summary_is_ignored(tiny: Workspace) -> None:
    (tiny.private_dir(SLUG) / summary.SUMMARY_FILE).write_text("{")
    assert summary.glance(tiny, SLUG).state is State.OPEN
