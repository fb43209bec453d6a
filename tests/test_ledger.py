"""The ledger: nothing lost. Daily limits by UTC day, schema migrations, concurrent and killed submits,
a full disk and a read-only workspace."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness import ledger, store
from harness.errors import RuleViolation
from harness.workspace import Workspace
from tests.test_submit_support import (  # noqa: F401
    COMPETE,
    another_copy,
    cli,
    perfect,
    repo_python_env,
    sample,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)

SUBMISSION_COLUMNS = [  # what `compete submissions -f csv` and `-f json` show of each submission
    *("ref", "competition", "participant", "submitted_at", "file_name", "stored_path", "sha256"),
    *("size_bytes", "message", "status", "error", "public_score", "private_score", "cv_score"),
    *("cv_folds", "kernel", "study_id", "late", "stale", "selected", "kind"),
]


def _run(ws: Workspace, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*COMPETE, *args], capture_output=True, text=True, cwd=ws.root, env=repo_python_env(), **kwargs
    )


def _ledger_rows(ws: Workspace, slug: str) -> list[dict[str, object]]:
    with store.connect(ws, slug, read_only=True) as con:
        cursor = con.execute("SELECT * FROM submissions ORDER BY seq")
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _assert_complete(ws: Workspace, slug: str) -> list[dict[str, object]]:
    """Every row is whole: scored rows have both scores, rejected rows a reason, every kept file exists."""
    import hashlib

    rows = _ledger_rows(ws, slug)
    for row in rows:
        assert row["status"] in ("scored", "rejected")
        assert row["participant"] and row["submitted_at"] and row["file_name"] and row["sha256"]
        if row["status"] == "scored":
            assert row["public_score"] is not None and row["private_score"] is not None
        else:
            assert row["error"]
        kept = ws.root / str(row["stored_path"])
        assert hashlib.sha256(kept.read_bytes()).hexdigest() == row["sha256"]
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    return rows


# ------------------------------------------------------------------------------------- daily limits
def test_daily_limit_counts_scored_submissions_per_utc_day(tiny: Workspace) -> None:
    good = sample(tiny, "tiny-regression")  # the card allows 2 a day
    bad = tiny.root / "bad.csv"
    bad.write_text("id,y\n1,2\n")
    late_evening = datetime(2027, 3, 1, 23, 50, tzinfo=UTC)
    first = ledger.submit(tiny, "tiny-regression", good, now=late_evening)
    assert first.remaining_today == 1
    rejected = ledger.submit(tiny, "tiny-regression", bad, now=late_evening.replace(minute=51))
    assert rejected.rejected and rejected.remaining_today == 1  # a rejected file costs no slot
    second = ledger.submit(
        tiny, "tiny-regression", another_copy(tiny, good, 1), now=late_evening.replace(minute=52)
    )
    assert second.remaining_today == 0
    with pytest.raises(RuleViolation, match=r"used all 2 submissions of today \(UTC\).*in 0h0[0-9]m"):
        ledger.submit(
            tiny, "tiny-regression", another_copy(tiny, good, 2), now=late_evening.replace(minute=53)
        )
    assert len(_ledger_rows(tiny, "tiny-regression")) == 3  # the refused one is not recorded
    # With no slot left, a broken file is still checked, recorded and explained.
    assert ledger.submit(tiny, "tiny-regression", bad, now=late_evening.replace(minute=54)).rejected
    assert len(_ledger_rows(tiny, "tiny-regression")) == 4
    # Another participant has slots of their own.
    assert (
        ledger.submit(tiny, "tiny-regression", good, participant="bob", now=late_evening).remaining_today == 1
    )
    # Just after midnight UTC the count starts again.
    next_day = datetime(2027, 3, 2, 0, 1, tzinfo=UTC)
    assert (
        ledger.submit(tiny, "tiny-regression", another_copy(tiny, good, 3), now=next_day).remaining_today == 1
    )


def test_the_day_is_the_utc_day_whatever_the_local_offset(tiny: Workspace) -> None:
    from datetime import timedelta, timezone

    good = sample(tiny, "tiny-regression")
    tokyo = timezone(timedelta(hours=9))
    # 08:30 in Tokyo on the 2nd is 23:30 UTC on the 1st; 09:30 in Tokyo is 00:30 UTC on the 2nd.
    ledger.submit(tiny, "tiny-regression", good, now=datetime(2027, 3, 2, 8, 30, tzinfo=tokyo))
    ledger.submit(
        tiny, "tiny-regression", another_copy(tiny, good, 1), now=datetime(2027, 3, 2, 8, 40, tzinfo=tokyo)
    )
    assert (
        ledger.submit(
            tiny,
            "tiny-regression",
            another_copy(tiny, good, 2),
            now=datetime(2027, 3, 2, 9, 30, tzinfo=tokyo),
        ).remaining_today
        == 1
    )


def test_the_limit_in_the_cli_is_a_clear_error(tiny: Workspace) -> None:
    good = sample(tiny, "tiny-regression")
    assert cli("submit", "tiny-regression", str(good)).exit_code == 0
    assert cli("submit", "tiny-regression", str(another_copy(tiny, good, 1))).exit_code == 0
    third = cli("submit", "tiny-regression", str(another_copy(tiny, good, 2)))
    assert third.exit_code == 1 and "used all 2 submissions of today" in third.stderr
    assert "Traceback" not in third.output


# ------------------------------------------------------------------------------------------ ledger
def test_submissions_lists_newest_first_with_the_documented_keys(tiny: Workspace) -> None:
    good = str(sample(tiny, "tiny-binary"))
    cli("submit", "tiny-binary", good, "-m", "first", "--cv", "0.7")
    cli("submit", "tiny-binary", good, "-m", "second", "--as", "bob")
    rows = json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)
    assert [r["ref"] for r in rows] == ["s0002", "s0001"]
    keys = {"ref", "participant", "submitted_at", "message", "status", "public_score", "private_score"}
    assert keys | {"cv_score"} <= set(rows[0])
    assert rows[1]["cv_score"] == 0.7 and rows[1]["message"] == "first"
    assert all(r["private_score"] is None for r in rows)
    bob = json.loads(cli("submissions", "tiny-binary", "--as", "bob", "-f", "json").stdout)
    assert [r["participant"] for r in bob] == ["bob"]
    table = cli("submissions", "tiny-binary")
    assert table.exit_code == 0 and "s0002" in table.stdout


def test_the_submissions_table_keeps_refs_and_dates_whole_beside_a_rejection(tiny: Workspace) -> None:
    """At 120 columns (piped output), the short cells keep one line each and the error wraps."""
    cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--as", "alice-and-bob")
    broken = tiny.root / "broken.csv"
    broken.write_text("ident,label\n1,1\n")
    cli("submit", "tiny-binary", str(broken), "-m", "a message")
    table = cli("submissions", "tiny-binary").stdout
    rows = json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)
    for row in rows:
        line = next(x for x in table.splitlines() if row["ref"] in x)
        date = datetime.fromisoformat(row["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S")
        assert date in line and row["status"] in line and row["participant"] in line, table
    assert "participant" in table and "the id column" in table


def test_brackets_in_names_and_messages_print_as_typed(tiny: Workspace) -> None:
    """rich reads `[...]` as a style: a user's text must never be taken for one."""
    good = str(sample(tiny, "tiny-binary"))
    broken = tiny.root / "broken[red].csv"
    broken.write_text("[/b],label\n1,1\n")
    submitted = [
        cli("submit", "tiny-binary", good, "--as", "[/bold]x", "-m", "[/x] hi"),
        cli("submit", "tiny-binary", good, "--as", "[red]eve"),
        cli("submit", "tiny-binary", str(broken), "--as", "[red]eve", "-m", "[i]"),
        cli("submissions", "tiny-binary"),
        cli("leaderboard", "tiny-binary"),
        cli("select", "tiny-binary", "--as", "[red]eve"),
        cli("close", "tiny-binary"),
    ]
    for result in submitted:
        assert "Traceback" not in result.output and "MarkupError" not in repr(result.exception), result.output
    assert [r.exit_code for r in submitted] == [0, 0, 1, 0, 0, 0, 0]
    assert "[/bold]x" in submitted[0].stdout
    for text in "[/bold]x", "[/x] hi", "[red]eve", "broken[red].csv", "[i]":
        assert text in submitted[3].stdout, text
    for board in submitted[4], submitted[6]:
        assert "[/bold]x" in board.stdout and "[red]eve" in board.stdout, board.stdout
    assert "[red]eve's final submissions" in submitted[5].stdout


@pytest.mark.parametrize("cv", ["nan", "inf", "-inf"])
def test_a_cv_score_that_is_not_finite_is_refused_before_anything_is_recorded(
    tiny: Workspace, cv: str
) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--cv", cv)
    assert result.exit_code == 1 and "the CV score must be a finite number" in result.stderr
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout) == []


def test_a_cv_score_outside_the_metrics_range_is_refused(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--cv", "-5")  # accuracy
    assert result.exit_code == 1 and "outside accuracy's range, 0.0 to 1.0" in result.stderr
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout) == []


def test_a_name_on_two_lines_is_refused_and_spaces_around_a_name_never_count(tiny: Workspace) -> None:
    good = str(sample(tiny, "tiny-binary"))
    result = cli("submit", "tiny-binary", good, "--as", "a\nb")
    assert result.exit_code == 1 and "give a name on one line" in result.stderr
    result = cli("submit", "tiny-binary", good, "--as", "x" * 101)
    assert result.exit_code == 1 and "keep it to 100" in result.stderr
    result = cli("submit", "tiny-binary", good, "-m", "x\x1b[31mRED")
    assert result.exit_code == 1 and "a terminal escape code?" in result.stderr
    assert cli("submit", "tiny-binary", good, "-m", "two\nlines\tand a tab").exit_code == 0
    assert cli("submit", "tiny-binary", good, "--as", " padded ").exit_code == 0
    rows = json.loads(cli("submissions", "tiny-binary", "--as", " padded ", "-f", "json").stdout)
    assert [r["participant"] for r in rows] == ["padded"]


def test_no_one_submits_as_a_reference_kernel_but_the_kernel(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--as", "reference/tiny-binary/x")
    assert result.exit_code == 1 and "are kept for the reference kernels" in result.stderr
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--as", "Reference/x")
    assert result.exit_code == 1 and "compete run SLUG/KERNEL --submit" in result.stderr
    outcome = ledger.submit(
        tiny, "tiny-binary", sample(tiny, "tiny-binary"), participant="reference/x", kernel="x"
    )
    assert outcome.submission.kind == "reference"


def test_a_commit_that_fails_for_a_full_disk_is_a_clear_error(tiny: Workspace) -> None:
    """DuckDB reports a commit it could not write (no space for the WAL) as a TransactionException."""
    import duckdb

    from harness.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="could not be written.*nothing was changed"):
        with store.connect(tiny, "tiny-binary"):
            raise duckdb.TransactionException(
                'TransactionContext Error: Failed to commit: Could not write file "x.wal": No space left'
            )
    with pytest.raises(duckdb.TransactionException, match="another"):  # any other: a bug, shown as such
        with store.connect(tiny, "tiny-binary"):
            raise duckdb.TransactionException("another")


def test_a_path_that_is_no_regular_file_is_named_so(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", os.devnull)
    assert result.exit_code == 1 and f"{os.devnull} is not a regular file" in result.stderr
    nobody = cli("submissions", "tiny-binary", "--as", "nobody")
    assert nobody.exit_code == 0 and "no submissions by 'nobody' yet" in nobody.stdout


def test_a_long_message_is_cut_in_the_table_and_kept_whole_elsewhere(tiny: Workspace) -> None:
    message = "tried " + "many things " * 2000
    cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "-m", message)
    table = cli("submissions", "tiny-binary").stdout
    assert len(table.splitlines()) < 12 and "tried many things" in table and "…" in table
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)[0]["message"] == message


def test_csv_keeps_every_digit_and_has_a_header_when_empty(tiny: Workspace) -> None:
    import csv
    import io

    empty = cli("submissions", "tiny-binary", "-f", "csv").stdout.splitlines()
    assert empty == [",".join(SUBMISSION_COLUMNS)]
    cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")))
    (row,) = csv.DictReader(io.StringIO(cli("submissions", "tiny-binary", "-f", "csv").stdout))
    (shown,) = json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)
    assert list(row) == SUBMISSION_COLUMNS and list(shown) == [*SUBMISSION_COLUMNS, "whole_score"]
    assert float(row["public_score"]) == shown["public_score"]
    assert row["submitted_at"] == shown["submitted_at"]


def test_a_stored_row_is_a_submission_and_its_seq() -> None:
    assert ledger._Row._fields == (*ledger.Submission._fields, "seq")
    assert ledger._Row._field_defaults == {**ledger.Submission._field_defaults, "seq": 0}


def test_an_empty_message_is_no_message(tiny: Workspace) -> None:
    cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "-m", "  ")
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)[0]["message"] is None


def test_submissions_of_an_unprepared_competition_say_prepare_first(workspace: Workspace) -> None:
    result = cli("submissions", "titanic")
    assert result.exit_code == 1 and "compete prepare titanic" in result.stderr


@pytest.mark.parametrize(
    "command", [["submit", "titanic", "README.md"], ["select", "titanic", "s0001"], ["close", "titanic"]]
)
def test_a_write_to_an_unprepared_competition_says_prepare_first_and_writes_nothing(
    workspace: Workspace, command: list[str]
) -> None:
    (workspace.root / "README.md").write_text("PassengerId,Survived\n1,0\n")
    for argv in command, ["reopen", "titanic", "--reseed"]:
        result = cli(*argv)
        assert result.exit_code == 1 and "compete prepare titanic" in result.stderr, result.output
    assert not workspace.private_dir("titanic").exists()


def test_a_store_made_by_the_first_schema_opens_and_migrates(tiny: Workspace) -> None:
    path = tiny.store_path("tiny-binary")
    path.unlink()
    # An old store: only migration 1, as an older compete wrote it, with its labels.
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
    con.execute(store.MIGRATIONS[0][1])
    con.execute("INSERT INTO schema_migrations VALUES (1, ?)", [store.utc_now()])
    con.close()
    from harness.competition import load_card
    from harness.prepare import _build

    _build(tiny, load_card(tiny, "tiny-binary"))  # fills labels through the current connect
    with store.connect(tiny, "tiny-binary") as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == [v for v, _ in store.MIGRATIONS]

    old = tiny.root / "old-store.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)")
    con.execute(store.MIGRATIONS[0][1])
    con.execute("INSERT INTO schema_migrations VALUES (1, ?)", [store.utc_now()])
    con.execute("CREATE TABLE labels AS SELECT * FROM (VALUES (1, 0, 'Public')) t(id, label, usage)")
    con.execute("INSERT INTO preparations VALUES (?, '0.0', 1, 1, 1, '{}')", [store.utc_now()])
    con.close()
    # A read-only look at a store from before the ledger existed shows an empty ledger...
    Path(f"{path}.wal").unlink(missing_ok=True)
    shutil.copy(old, path)
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout) == []
    # ...and the first write migrates it.
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "-f", "json")
    assert json.loads(result.stdout)["status"] == "rejected"  # the old labels hold one id only
    with store.connect(tiny, "tiny-binary", read_only=True) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
        assert con.execute("SELECT count(*) FROM submissions").fetchall()[0][0] == 1
    assert versions == [v for v, _ in store.MIGRATIONS]


# ------------------------------------------------------------------------------------- concurrency
def test_two_submits_at_the_same_instant_both_land(tiny: Workspace) -> None:
    good = str(sample(tiny, "tiny-binary"))
    procs = [
        subprocess.Popen(
            [*COMPETE, "submit", "tiny-binary", good, "--as", name, "-f", "json"],
            cwd=tiny.root,
            env=repo_python_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alice", "bob")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    refs = sorted(json.loads(out)["ref"] for out, _ in outs)
    assert refs == ["s0001", "s0002"]
    rows = _assert_complete(tiny, "tiny-binary")
    assert sorted(str(r["participant"]) for r in rows) == ["alice", "bob"]


def test_a_store_held_too_long_gives_a_clear_message(tiny: Workspace) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(30)",
            str(tiny.store_path("tiny-binary")),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        env = {**repo_python_env(), "COMPETE_LOCK_WAIT": "1"}
        started = time.monotonic()
        result = subprocess.run(
            [*COMPETE, "submit", "tiny-binary", str(sample(tiny, "tiny-binary"))],
            capture_output=True,
            text=True,
            cwd=tiny.root,
            env=env,
            timeout=60,
        )
        assert time.monotonic() - started < 20
        assert result.returncode == 1
        assert "another compete process" in result.stderr and "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert _ledger_rows(tiny, "tiny-binary") == []


def test_a_submit_killed_at_any_moment_leaves_a_whole_ledger(tiny: Workspace) -> None:
    good = str(sample(tiny, "tiny-binary"))
    rng = random.Random(7)
    env = {**repo_python_env(), "COMPETE_LOCK_WAIT": "60"}
    finished = 0
    for attempt in range(8):
        proc = subprocess.Popen(
            [*COMPETE, "submit", "tiny-binary", good, "--as", f"p{attempt}"],
            cwd=tiny.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        finished += proc.wait() == 0
        _assert_complete(tiny, "tiny-binary")  # opens (replaying the WAL) and every row is whole
    # The workspace still works: a normal submit lands with the next ref.
    after = cli("submit", "tiny-binary", good, "-f", "json")
    assert after.exit_code == 0, after.output
    rows = _assert_complete(tiny, "tiny-binary")
    assert json.loads(after.stdout)["ref"] == rows[-1]["ref"]
    leftovers = [p.name for p in tiny.submissions_dir("tiny-binary").glob(".*partial*")]
    assert leftovers == []
    # Every kept copy is a recorded one: a killed submit's copy went with the next submit.
    kept = {p for p in tiny.submissions_dir("tiny-binary").iterdir() if p.is_file()}
    assert kept == {tiny.root / str(r["stored_path"]) for r in rows}


# ------------------------------------------------------------------------- full disk, read-only
def _limit_file_size(limit: int) -> object:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG, like ENOSPC
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize(
    ("small", "where"),
    [(False, "could not keep a copy of the submission"), (True, "the submission could not be recorded")],
    ids=["copy-fails", "store-write-fails"],
)
def test_a_full_disk_gives_a_clear_error_and_no_partial_state(
    tiny: Workspace, small: bool, where: str
) -> None:
    """A full disk, simulated with RLIMIT_FSIZE: every write past 200 bytes of a file fails (EFBIG).

    The sample submission (about 1 kB) cannot be copied; a 20-byte file is copied, then rejected, and
    recording its rejection fails when the store's write-ahead log outgrows the limit at commit.
    """
    good = sample(tiny, "tiny-binary")
    tiny_file = tiny.root / "tiny.csv"
    tiny_file.write_text("id,label\n1,7\n")
    submitted = tiny_file if small else good
    assert (submitted.stat().st_size < 200) is small
    cli("submit", "tiny-binary", str(good))  # one row before, to check it survives
    before = _ledger_rows(tiny, "tiny-binary")
    result = subprocess.run(
        [*COMPETE, "submit", "tiny-binary", str(submitted), "--as", "full"],
        capture_output=True,
        text=True,
        cwd=tiny.root,
        env=repo_python_env(),
        preexec_fn=_limit_file_size(200),
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert where in result.stderr and "Traceback" not in result.stderr
    assert "nothing was recorded" in result.stderr.lower()
    assert _assert_complete(tiny, "tiny-binary") == before
    assert sorted(p.name for p in tiny.submissions_dir("tiny-binary").iterdir()) == ["s0001.csv"]
    again = cli("submit", "tiny-binary", str(another_copy(tiny, good, 1)), "-f", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["ref"] == "s0002"


def _can_mount_read_only(folder: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder}"],
        capture_output=True,
    )
    return probe.returncode == 0


def test_a_read_only_workspace_gives_a_clear_error(tiny: Workspace) -> None:
    """The workspace is bind-mounted read-only in a private mount namespace (tests run as root, so
    chmod would not stop a write); compete runs inside it and meets EROFS on every write."""
    if not _can_mount_read_only(tiny.root):
        reason = "cannot make a read-only bind mount here (needs unshare and mount rights, as root)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run this test")
        pytest.skip(reason)
    good = sample(tiny, "tiny-binary")
    cli("submit", "tiny-binary", str(good))
    before = _ledger_rows(tiny, "tiny-binary")
    root = str(tiny.root)
    command = " ".join([sys.executable, "-c", "'from harness.cli import main; main()'"])
    script = (
        f"mount --bind {root} {root} && mount -o remount,bind,ro {root} && "
        f"{command} submit tiny-binary {good} --as ro; echo rc=$?; "
        f"{command} submissions tiny-binary --format json"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=tiny.root,
        env=repo_python_env(),
        timeout=120,
    )
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    assert "Read-only file system" in result.stderr and "workspace is writable" in result.stderr
    assert "Traceback" not in result.stderr
    listed = json.loads(result.stdout.split("rc=1", 1)[1])  # reading still works on a read-only disk
    assert [r["ref"] for r in listed] == ["s0001"]
    assert _assert_complete(tiny, "tiny-binary") == before


def test_the_os_user_is_the_default_participant(tiny: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "carol")
    out = json.loads(cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "-f", "json").stdout)
    assert out["participant"] == "carol"
    assert os.environ.get("COMPETE_WORKSPACE") == str(tiny.root)


def test_close_on_a_full_disk_leaves_the_competition_open(tiny: Workspace) -> None:
    """RLIMIT_FSIZE again: the solution file (about 1 kB) cannot be written, so nothing changes."""
    from harness.session import State, state_of

    result = subprocess.run(
        [*COMPETE, "close", "tiny-binary"],
        capture_output=True,
        text=True,
        cwd=tiny.root,
        env=repo_python_env(),
        preexec_fn=_limit_file_size(200),
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "solution file" in result.stderr and "stays open" in result.stderr
    assert "Traceback" not in result.stderr
    assert state_of(tiny, "tiny-binary") is State.OPEN
    assert not (tiny.data_dir("tiny-binary") / "solution.csv").exists()
    assert cli("close", "tiny-binary").exit_code == 0
