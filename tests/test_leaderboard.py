"""Leaderboards, final selections, closing (private board, shake-up, solution file), late submissions,
and reopening with a fresh public/private split."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from harness import ledger, lifecycle, session, store, vault
from harness.competition import load_card
from harness.errors import RuleViolation, StoreUnavailable, UnknownName
from harness.session import state_of
from harness.workspace import Workspace
from tests.test_submit_support import (  # noqa: F401
    another_copy,
    cli,
    labels,
    perfect,
    sample,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)

SLUG = "tiny-binary"


def _with_errors(ws: Workspace, name: str, wrong_public: int, wrong_private: int) -> Path:
    """A tiny-binary submission that gets `wrong_*` rows wrong on each part of the test set."""
    frame = perfect(ws, SLUG)
    truth = labels(ws, SLUG)
    for usage, n in (("Public", wrong_public), ("Private", wrong_private)):
        ids = truth.loc[truth["usage"] == usage, "id"].iloc[:n]
        hit = frame["id"].isin(ids)
        frame.loc[hit, "label"] = 1 - frame.loc[hit, "label"]
    return write_csv(ws.root / f"{name}.csv", frame)


def _board(*args: str) -> list[dict[str, object]]:
    result = cli("leaderboard", SLUG, *args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _submit(ws: Workspace, path: Path, who: str, **kwargs: object) -> ledger.SubmitOutcome:
    outcome = ledger.submit(ws, SLUG, path, participant=who, **kwargs)  # type: ignore[arg-type]
    assert outcome.submission.status == "scored", outcome.submission.error
    return outcome


# --------------------------------------------------------------------------------------- public board
def test_public_board_ranks_each_participants_best_and_ties_go_to_the_earlier(tiny: Workspace) -> None:
    a1 = _submit(tiny, _with_errors(tiny, "a1", 5, 0), "alice")
    b1 = _submit(tiny, _with_errors(tiny, "b1", 2, 0), "bob")
    assert (a1.public_rank, b1.public_rank) == (1, 1)
    a2 = _submit(tiny, _with_errors(tiny, "a2", 2, 9), "alice")  # ties bob's public score, later
    assert a2.is_best and a2.public_rank == 2 and a2.previous_best == a1.submission.public_score
    a3 = _submit(tiny, _with_errors(tiny, "a3", 8, 0), "alice")
    assert not a3.is_best and a3.public_rank == 2
    ref_kernel = _submit(
        tiny, _with_errors(tiny, "k", 0, 4), "reference/tiny-binary/baseline", kernel="tiny-binary/baseline"
    )
    board = _board()
    assert [(r["rank"], r["participant"], r["ref"]) for r in board] == [
        (1, "reference/tiny-binary/baseline", ref_kernel.submission.ref),
        (2, "bob", b1.submission.ref),
        (3, "alice", a2.submission.ref),
    ]
    assert {"rank", "participant", "score", "ref", "kind"} <= set(board[0])
    assert [r["kind"] for r in board] == ["reference", "participant", "participant"]
    assert board[2]["entries"] == 3
    assert all(r["private_score"] is None for r in board)
    assert "reference" in cli("leaderboard", SLUG).stdout


def test_rejected_submissions_never_reach_the_board(tiny: Workspace) -> None:
    bad = tiny.root / "bad.csv"
    bad.write_text("id,label\n1,1\n")
    assert ledger.submit(tiny, SLUG, bad, participant="alice").rejected
    assert _board() == []
    assert "no scored submissions yet" in cli("leaderboard", SLUG).stdout


def test_lower_is_better_metrics_rank_the_smallest_first(tiny: Workspace) -> None:
    frame = perfect(tiny, "tiny-regression")
    close = write_csv(tiny.root / "close.csv", frame.assign(y=frame["y"] + 0.1))
    far = write_csv(tiny.root / "far.csv", frame.assign(y=frame["y"] + 1.0))
    ledger.submit(tiny, "tiny-regression", far, participant="far")
    ledger.submit(tiny, "tiny-regression", close, participant="close")
    board = ledger.leaderboard(tiny, "tiny-regression")
    assert [r.participant for r in board.rows] == ["close", "far"]
    assert board.rows[0].score == pytest.approx(0.1)


def test_the_private_board_waits_for_the_close(tiny: Workspace) -> None:
    _submit(tiny, sample(tiny, SLUG), "alice")
    result = cli("leaderboard", SLUG, "--private")
    assert result.exit_code == 1 and "hidden while the competition is open" in result.stderr
    assert f"compete close {SLUG}" in result.stderr


# ---------------------------------------------------------------------------------------- selections
def test_select_checks_count_owner_and_status(tiny: Workspace) -> None:
    a = _submit(tiny, _with_errors(tiny, "a", 1, 0), "alice").submission.ref
    b = _submit(tiny, _with_errors(tiny, "b", 2, 0), "alice").submission.ref
    c = _submit(tiny, _with_errors(tiny, "c", 3, 0), "alice").submission.ref
    bob = _submit(tiny, _with_errors(tiny, "bob", 3, 0), "bob").submission.ref
    bad = tiny.root / "bad.csv"
    bad.write_text("id,label\n1,1\n")
    rejected = ledger.submit(tiny, SLUG, bad, participant="alice").submission.ref
    with pytest.raises(RuleViolation, match="allows 2 final selections"):
        ledger.select(tiny, SLUG, [a, b, c], participant="alice")
    with pytest.raises(RuleViolation, match="submitted by 'bob'.*--as bob"):
        ledger.select(tiny, SLUG, [bob], participant="alice")
    with pytest.raises(RuleViolation, match="was rejected"):
        ledger.select(tiny, SLUG, [rejected], participant="alice")
    with pytest.raises(UnknownName, match="s9999") as unknown:
        ledger.select(tiny, SLUG, ["s9999"], participant="alice")
    assert f"Valid submission refs: {a}, {b}, {c}, {rejected}. Those are alice's latest" in str(unknown.value)
    chosen = ledger.select(tiny, SLUG, [c.upper(), str(int(b[1:]))], participant="alice")  # S0003, 2
    assert chosen.refs == (c, b)
    ledger.select(tiny, SLUG, [c], participant="alice")  # a new choice replaces the old one
    listed = {s.ref: s.selected for s in ledger.submissions(tiny, SLUG)}
    assert listed[c] and not listed[b] and not listed[a]
    result = cli("select", SLUG, a, "--as", "alice")
    assert result.exit_code == 0 and a in result.stdout


def test_select_without_refs_shows_what_stands_for_the_private_board_now(tiny: Workspace) -> None:
    empty = cli("select", SLUG, "--as", "alice")
    assert empty.exit_code == 0 and "no scored submissions yet" in empty.stdout
    a = _submit(tiny, _with_errors(tiny, "a", 3, 0), "alice").submission.ref
    b = _submit(tiny, _with_errors(tiny, "b", 1, 0), "alice").submission.ref
    c = _submit(tiny, _with_errors(tiny, "c", 2, 0), "alice").submission.ref
    _submit(tiny, _with_errors(tiny, "bob", 0, 0), "bob")
    bad = tiny.root / "bad.csv"
    bad.write_text("id,label\n1,1\n")
    ledger.submit(tiny, SLUG, bad, participant="alice")  # rejected: never stands
    # No choice: the best public ones, up to final_selections (2), best first.
    standing = ledger.final_submissions(tiny, SLUG, participant="alice")
    assert (standing.refs, standing.chosen_by, standing.limit) == ((b, c), "best public", 2)
    result = cli("select", SLUG, "--as", "alice", "-f", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [(r["ref"], r["chosen_by"]) for r in rows] == [(b, "best public"), (c, "best public")]
    ledger.select(tiny, SLUG, [a], participant="alice")
    standing = ledger.final_submissions(tiny, SLUG, participant="alice")
    assert (standing.refs, standing.chosen_by) == ((a,), "selection")
    table = cli("select", SLUG, "--as", "alice")
    assert "alice's final submissions for tiny-binary (your selection: 1 of 2)" in table.stdout
    assert [s.ref for s in ledger.submissions(tiny, SLUG) if s.selected] == [a]  # showing changes nothing


# ------------------------------------------------------------------------------------------- closing
def test_close_reveals_the_private_board_with_the_shake_up_and_writes_the_solution(tiny: Workspace) -> None:
    # alice leads the public board but her best public submission overfits it; bob is steadier.
    a1 = _submit(tiny, _with_errors(tiny, "a1", 0, 30), "alice").submission
    a2 = _submit(tiny, _with_errors(tiny, "a2", 3, 2), "alice").submission
    b1 = _submit(tiny, _with_errors(tiny, "b1", 2, 10), "bob").submission
    c1 = _submit(tiny, _with_errors(tiny, "c1", 4, 1), "carol").submission
    ledger.select(tiny, SLUG, [b1.ref], participant="bob")
    assert [r["participant"] for r in _board()] == ["alice", "bob", "carol"]

    result = cli("close", SLUG)
    assert result.exit_code == 0, result.output
    assert "Shake-up" in result.stdout and "alice: 1 →" in result.stdout
    private = _board("--private")
    assert [r["participant"] for r in private] == ["carol", "alice", "bob"]
    by_name = {r["participant"]: r for r in private}
    # alice chose nothing: her two best public submissions count, and the better private one wins.
    assert by_name["alice"]["ref"] == a2.ref and by_name["alice"]["chosen_by"] == "best public"
    assert by_name["bob"]["ref"] == b1.ref and by_name["bob"]["chosen_by"] == "selection"
    assert by_name["carol"]["public_rank"] == 3 and by_name["carol"]["rank"] == 1
    assert by_name["carol"]["change"] == 2
    assert {"rank", "participant", "score", "ref"} <= set(private[0])

    ledger_rows = {r["ref"]: r for r in json.loads(cli("submissions", SLUG, "-f", "json").stdout)}
    assert all(r["private_score"] is not None for r in ledger_rows.values())
    truth = labels(tiny, SLUG)
    private_truth = truth[truth["usage"] == "Private"]
    frame = pd.read_csv(tiny.root / "a1.csv").merge(private_truth, on="id", suffixes=("_pred", ""))
    assert ledger_rows[a1.ref]["private_score"] == pytest.approx(
        accuracy_score(frame["label"], frame["label_pred"])
    )
    assert c1.ref in ledger_rows

    solution = pd.read_csv(tiny.data_dir(SLUG) / "solution.csv")
    assert list(solution.columns) == ["id", "label", "Usage"]
    expected = truth.rename(columns={"usage": "Usage"})[["id", "label", "Usage"]]
    pd.testing.assert_frame_equal(solution, expected.reset_index(drop=True), check_dtype=False)

    shown = json.loads(cli("close", SLUG, "-f", "json").stdout)
    assert shown["already_closed"] is True
    assert {(r["participant"], r["public_rank"], r["private_rank"]) for r in shown["shakeup"]} == {
        ("carol", 3, 1),
        ("alice", 1, 2),
        ("bob", 2, 3),
    }
    again = lifecycle.close(tiny, SLUG)  # closing twice records nothing new
    assert again.already_closed
    with store.connect(tiny, SLUG, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events WHERE kind = 'close'").fetchall()[0][0] == 1


def test_the_solution_is_written_beside_the_labels_and_moved_whole(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A close killed half-way must leave no labels among the public data; leftovers are removed."""
    _submit(tiny, _with_errors(tiny, "a1", 1, 1), "alice")
    data, private = tiny.data_dir(SLUG), tiny.private_dir(SLUG)
    leftovers = [data / ".solution.csv.partial-999999", private / ".solution.csv.partial-999998"]
    for leftover in leftovers:
        leftover.write_text("id,label,Usage\n")
    moved = []
    replace = session.os.replace

    def spy(src: Path, dst: Path) -> None:
        if Path(dst).name == session.SOLUTION_FILE:  # not the door's summary, moved into place too
            moved.append((Path(src).parent, Path(dst).parent, Path(src).stat().st_size))
        replace(src, dst)

    monkeypatch.setattr(session.os, "replace", spy)
    lifecycle.close(tiny, SLUG)
    assert len(moved) == 1 and moved[0][:2] == (private, data) and moved[0][2] > 100
    assert not any(leftover.exists() for leftover in leftovers)
    assert not list(data.glob(".*partial*")) and not list(private.glob(".*partial*"))
    leftovers[1].write_text("id,label,Usage\n")
    lifecycle.reopen(tiny, SLUG)
    assert not leftovers[1].exists() and not (data / "solution.csv").exists()


def test_an_open_competition_never_keeps_a_solution_file(tiny: Workspace) -> None:
    """A process killed between a close's move of the file and its commit leaves it; the next command
    that reads the state removes it. A reopen that cannot remove it does not happen."""
    _submit(tiny, _with_errors(tiny, "a1", 1, 1), "alice")
    solution = tiny.data_dir(SLUG) / "solution.csv"
    lifecycle.close(tiny, SLUG)
    shutil.copyfile(solution, tiny.root / "kept-solution.csv")
    lifecycle.reopen(tiny, SLUG)
    assert not solution.exists()
    shutil.copyfile(tiny.root / "kept-solution.csv", solution)  # as a killed close leaves it
    assert cli("leaderboard", SLUG).exit_code == 0
    assert not solution.exists()
    lifecycle.close(tiny, SLUG)
    solution.unlink()
    solution.mkdir()  # a path the reopen cannot unlink, as in a read-only data/
    (solution / "x").write_text("x")
    with pytest.raises(StoreUnavailable, match="stays closed"):
        lifecycle.reopen(tiny, SLUG)
    assert state_of(tiny, SLUG) is session.State.CLOSED


def test_closing_again_reports_when_it_closed(tiny: Workspace) -> None:
    first = lifecycle.close(tiny, SLUG, now=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    again = lifecycle.close(tiny, SLUG, now=datetime(2026, 5, 2, 12, 0, tzinfo=UTC))
    assert again.already_closed and again.closed_at == first.closed_at


def test_the_latest_recorded_event_wins_even_if_the_clock_went_back(tiny: Workspace) -> None:
    lifecycle.close(tiny, SLUG, now=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    reopened = lifecycle.reopen(tiny, SLUG, now=datetime(2026, 5, 1, 11, 55, tzinfo=UTC))
    assert reopened.was_closed
    assert state_of(tiny, SLUG, now=datetime(2026, 5, 1, 12, 5, tzinfo=UTC)) is session.State.OPEN


def test_submissions_after_the_close_are_late_shown_but_never_ranked(tiny: Workspace) -> None:
    _submit(tiny, _with_errors(tiny, "a1", 5, 5), "alice")
    lifecycle.close(tiny, SLUG)
    late = cli("submit", SLUG, str(_with_errors(tiny, "late", 0, 0)), "--as", "alice", "-f", "json")
    assert late.exit_code == 0, late.output
    out = json.loads(late.stdout)
    assert out["late"] is True and out["status"] == "scored" and out["public_rank"] is None
    assert out["private_score"] == 1.0  # shown at once: the competition is over
    assert [r["ref"] for r in _board()] == ["s0001"]
    assert [r["ref"] for r in _board("--private")] == ["s0001"]
    listed = json.loads(cli("submissions", SLUG, "-f", "json").stdout)
    assert listed[0]["late"] is True
    with pytest.raises(RuleViolation, match="closed"):
        ledger.select(tiny, SLUG, ["s0001"], participant="alice")


def test_a_past_deadline_closes_the_competition(tiny: Workspace) -> None:
    card = tiny.competition_dir(SLUG) / "competition.toml"
    card.write_text(
        card.read_text().replace(
            "final_selections = 2", "final_selections = 2\ndeadline = 2020-01-01T00:00:00Z"
        )
    )
    before = datetime(2019, 12, 31, 23, 0, tzinfo=UTC)
    on_time = _submit(tiny, sample(tiny, SLUG), "alice", now=before)
    assert not on_time.submission.late and on_time.submission.private_score is None
    late = _submit(tiny, another_copy(tiny, sample(tiny, SLUG), 1), "alice", now=before + timedelta(hours=2))
    assert late.submission.late and late.public_rank is None
    solution = tiny.data_dir(SLUG) / "solution.csv"
    assert solution.read_text().splitlines()[0].endswith(",Usage")  # published as `close` would
    solution.unlink()
    assert json.loads(cli("leaderboard", SLUG, "--private", "-f", "json").stdout)[0]["ref"] == "s0001"
    assert solution.exists(), "the first board seen after the deadline publishes the solution"
    assert state_of(tiny, SLUG) is session.State.CLOSED
    closing = lifecycle.close(tiny, SLUG)
    assert not closing.already_closed and [r.ref for r in closing.board.rows] == [on_time.submission.ref]


# ----------------------------------------------------------------------------------------- reopening
def test_reopen_opens_again_and_hides_the_private_scores(tiny: Workspace) -> None:
    _submit(tiny, sample(tiny, SLUG), "alice")
    result = cli("reopen", SLUG)
    assert result.exit_code == 1 and "already open" in result.stderr
    lifecycle.close(tiny, SLUG)
    assert (tiny.data_dir(SLUG) / "solution.csv").exists()
    result = cli("reopen", SLUG)
    assert result.exit_code == 0, result.output
    assert state_of(tiny, SLUG) is session.State.OPEN
    assert not (tiny.data_dir(SLUG) / "solution.csv").exists()
    assert all(r["private_score"] is None for r in json.loads(cli("submissions", SLUG, "-f", "json").stdout))
    assert cli("leaderboard", SLUG, "--private").exit_code == 1


def test_ctrl_c_while_a_reseed_rescores_changes_nothing_and_says_interrupted(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C inside a DuckDB query aborts the reseed's transaction: putting scoring's settings back
    then fails too, and that must not hide the interrupt."""
    from harness import validation

    first = _submit(tiny, _with_errors(tiny, "a", 2, 3), "alice")
    before = labels(tiny, SLUG)
    read_file = validation.read_file

    def interrupted(con: object, *args: object, **kwargs: object) -> object:
        import duckdb

        assert isinstance(con, duckdb.DuckDBPyConnection)
        with pytest.raises(duckdb.Error):
            con.execute("SELECT error('the query Ctrl-C stopped')")  # aborts the transaction, as Ctrl-C does
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "read_file", interrupted)
    result = cli("reopen", SLUG, "--reseed")
    assert result.exit_code == 130, result.output
    assert "interrupted: nothing half-done was recorded." in result.stderr
    assert "Traceback" not in result.output
    monkeypatch.setattr(validation, "read_file", read_file)
    assert labels(tiny, SLUG).equals(before)
    with store.connect(tiny, SLUG, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events WHERE kind = 'reseed'").fetchall() == [(0,)]
        assert con.execute("SELECT public_score FROM submissions").fetchall() == [
            (first.submission.public_score,)
        ]


def test_a_submission_a_reseed_cannot_rescore_is_stale_and_off_the_boards(tiny: Workspace) -> None:
    """Its kept file is gone, or is not the file submitted (another SHA-256)."""
    kept = _submit(tiny, _with_errors(tiny, "a", 0, 0), "alice")
    lost = _submit(tiny, _with_errors(tiny, "b", 0, 0), "bob")
    changed = _submit(tiny, _with_errors(tiny, "c", 3, 3), "carol")
    assert cli("select", SLUG, lost.submission.ref, "--as", "bob").exit_code == 0
    (tiny.root / str(lost.submission.stored_path)).unlink()
    shutil.copyfile(
        tiny.root / str(kept.submission.stored_path), tiny.root / str(changed.submission.stored_path)
    )
    result = cli("reopen", SLUG, "--reseed")
    stale = f"so off the boards: {lost.submission.ref}, {changed.submission.ref}"
    assert result.exit_code == 0 and stale in result.stdout, result.output
    assert [r["participant"] for r in _board()] == ["alice"]
    rows = {r["ref"]: r for r in json.loads(cli("submissions", SLUG, "-f", "json").stdout)}
    assert [rows[s.submission.ref]["stale"] for s in (kept, lost, changed)] == [False, True, True]
    assert rows[lost.submission.ref]["selected"] is False  # its selection no longer counts
    assert "scored (stale)" in cli("submissions", SLUG).stdout
    refused = cli("select", SLUG, lost.submission.ref, "--as", "bob")
    assert refused.exit_code == 1 and "earlier public/private split" in refused.stderr
    again = cli("reopen", SLUG, "--reseed", "-f", "csv").stdout.splitlines()
    assert again[0] == "ref,participant,public_before,public_after,stale"
    assert [line.split(",")[0] for line in again[1:] if line.endswith("True")] == [
        lost.submission.ref,
        changed.submission.ref,
    ]
    lifecycle.close(tiny, SLUG)
    assert [r["participant"] for r in _board("--private")] == ["alice"]


def test_reopen_reseed_draws_a_new_split_and_rescores_from_the_kept_files(tiny: Workspace) -> None:
    card = load_card(tiny, SLUG)
    rng = np.random.default_rng(3)
    paths = []
    for k in range(3):
        frame = perfect(tiny, SLUG)
        flip = rng.random(len(frame)) < 0.2 + 0.1 * k
        frame.loc[flip, "label"] = 1 - frame.loc[flip, "label"]
        paths.append(write_csv(tiny.root / f"p{k}.csv", frame))
        _submit(tiny, paths[-1], f"p{k}")
    old_usage = labels(tiny, SLUG)["usage"].tolist()
    for path in paths:
        path.unlink()  # rescoring reads the kept copies, not the learner's files
    lifecycle.close(tiny, SLUG)

    result = cli("reopen", SLUG, "--reseed", "-f", "json")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["reseeded"] and done["was_closed"] and len(done["rescored"]) == 3
    assert all("private_after" not in r for r in done["rescored"])  # open again: private stays hidden
    seed = done["seed"]
    with store.connect(tiny, SLUG, read_only=True) as con:
        assert vault.current_public_seed(con, card) == seed
        detail = con.execute("SELECT detail FROM events WHERE kind = 'reseed'").fetchall()
        stored = con.execute(
            "SELECT ref, public_score, private_score FROM submissions ORDER BY seq"
        ).fetchall()
    assert detail == [(str(seed),)]
    truth = labels(tiny, SLUG)
    assert truth["usage"].tolist() != old_usage
    assert (
        truth["usage"].tolist() == vault.public_split(truth["id"], card.split.public_fraction, seed).tolist()
    )
    assert done["public_rows"] == int((truth["usage"] == "Public").sum())
    for ref, public, private in stored:
        kept = pd.read_csv(tiny.submissions_dir(SLUG) / f"{ref}.csv").merge(
            truth, on="id", suffixes=("_pred", "")
        )
        for usage, got in (("Public", public), ("Private", private)):
            part = kept[kept["usage"] == usage]
            assert got == pytest.approx(accuracy_score(part["label"], part["label_pred"])), (ref, usage)
    assert state_of(tiny, SLUG) is session.State.OPEN


def test_every_command_of_the_area_has_an_example() -> None:
    for command in ("submit", "submissions", "leaderboard", "select", "close", "reopen"):
        result = cli(command, "--help")
        assert result.exit_code == 0 and "Example: compete " + command in result.output, command
