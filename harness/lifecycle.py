"""Where a competition is in its life: not prepared, open, or closed.

A competition closes at its card's deadline or when `compete close` says so, and opens again with
`compete reopen`. The events are kept in the store's `events` table, the last recorded wins (not the
latest by its clock time: a clock set back must not undo a reopen). Closing writes the
solution file (`data/<slug>/solution.csv`) and reveals the private board; `reopen --reseed` draws a
fresh public/private split and rescores every submission from its kept file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.competition import Card
from harness.store import as_utc
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb


class State(StrEnum):
    NOT_PREPARED = "not prepared"
    OPEN = "open"
    CLOSED = "closed"


# The events table is only ever appended to, so its row ids follow the order of recording.
LAST_RECORDED = "rowid DESC"


def state(ws: Workspace, card: Card, now: datetime | None = None) -> State:
    """The state of `card`'s competition, read from its store (waits if another process writes it)."""
    from harness import store

    if not ws.store_path(card.slug).exists():
        return State.NOT_PREPARED
    with store.connect(ws, card.slug, read_only=True) as con:
        return state_in(con, card, now)


def state_in(con: duckdb.DuckDBPyConnection, card: Card, now: datetime | None = None) -> State:
    """The state of `card`'s competition, given an open store connection."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "preparations" not in tables or not con.execute("SELECT count(*) FROM preparations").fetchall()[0][0]:
        return State.NOT_PREPARED
    now = now or datetime.now(UTC)
    rows = con.execute(
        "SELECT kind, occurred_at FROM events WHERE kind IN ('close', 'reopen') "
        f"ORDER BY {LAST_RECORDED} LIMIT 1"
    ).fetchall()
    last_kind, last_at = (rows[0][0], as_utc(rows[0][1])) if rows else (None, None)
    if last_kind == "close":
        return State.CLOSED
    deadline = card.rules.deadline
    if deadline is not None and now >= deadline and (last_at is None or last_at < deadline):
        return State.CLOSED
    return State.OPEN


# ------------------------------------------------------------------------------- close and reopen
SOLUTION_FILE = "solution.csv"


@dataclass(frozen=True)
class Closing:
    """The outcome of `compete close`: the private board, with each row's public rank (shake-up)."""

    competition: str
    closed_at: datetime
    already_closed: bool
    board: Any  # ledger.Leaderboard (private)
    solution_path: Path


@dataclass(frozen=True)
class Rescore:
    """A submission's scores before and after a new public/private split."""

    ref: str
    participant: str
    public_before: float | None
    public_after: float | None
    private_before: float | None
    private_after: float | None


@dataclass(frozen=True)
class Reopening:
    """The outcome of `compete reopen`: the new split (with --reseed) and the rescored submissions."""

    competition: str
    reopened_at: datetime
    was_closed: bool
    reseeded: bool
    seed: int | None
    public_rows: int | None
    rescored: tuple[Rescore, ...]
    not_rescored: tuple[str, ...]


def close(ws: Workspace, slug: str, now: datetime | None = None) -> Closing:
    """End the competition now: record the close, write the solution file, build the private board.

    Closing a competition that is already closed (by `compete close`) records nothing new and shows the
    same results; one closed by its deadline gets its close recorded. Raises NotPrepared.
    """
    from harness import ledger, store
    from harness.competition import load_card
    from harness.errors import NotPrepared

    card = load_card(ws, slug)
    at = _naive(now)
    with store.connect(ws, slug, create=False) as con:
        current = state_in(con, card, as_utc(at))
        if current is State.NOT_PREPARED:
            raise NotPrepared(slug)
        last = _last_switch(con)
        already = last is not None and last[0] == "close"
        if last is not None and already:
            at = last[1]  # closing again shows the close on record
        # One transaction: a solution file that cannot be written leaves the competition open.
        con.execute("BEGIN TRANSACTION")
        try:
            if not already:
                con.execute("INSERT INTO events VALUES (?, 'close', NULL)", [at])
            _remove_partial_solutions(ws, slug)  # left by a killed close; no one else holds the store
            path = _write_solution(con, card, ws.data_dir(slug) / SOLUTION_FILE, ws.private_dir(slug))
            con.execute("COMMIT")
        except BaseException:
            store.rollback(con)
            raise
        board = ledger.board_in(con, card, State.CLOSED, private=True)
    return Closing(slug, as_utc(at), already, board, path)


def reopen(
    ws: Workspace,
    slug: str,
    *,
    reseed: bool = False,
    seed: int | None = None,
    now: datetime | None = None,
) -> Reopening:
    """Open the competition again for practice; with `reseed`, draw a fresh public/private split.

    A reseed records a 'reseed' event holding the new seed (see `vault.current_public_seed`), rewrites
    the labels' usage and rescores every scored submission from its kept file, all in one
    transaction. The solution file is removed (it would give the answers away, or be stale).
    Raises RuleViolation for a plain reopen of an open competition, NotPrepared.
    """
    import secrets

    from harness import store
    from harness.competition import load_card
    from harness.errors import NotPrepared, RuleViolation

    card = load_card(ws, slug)
    at = _naive(now)
    with store.connect(ws, slug, create=False) as con:
        current = state_in(con, card, as_utc(at))
        if current is State.NOT_PREPARED:
            raise NotPrepared(slug)
        was_closed = current is State.CLOSED
        if not was_closed and not reseed:
            raise RuleViolation(
                f"{slug} is already open; `compete reopen {slug} --reseed` draws a new public/private split."
            )
        new_seed = (secrets.randbelow(2**31 - 1) + 1) if reseed and seed is None else seed
        con.execute("BEGIN TRANSACTION")
        try:
            if was_closed:
                con.execute("INSERT INTO events VALUES (?, 'reopen', NULL)", [at])
            rescored: tuple[Rescore, ...] = ()
            missing: tuple[str, ...] = ()
            public_rows = None
            if reseed:
                assert new_seed is not None
                con.execute("INSERT INTO events VALUES (?, 'reseed', ?)", [at, str(new_seed)])
                public_rows = _redraw_split(con, card, new_seed)
                rescored, missing = _rescore_all(ws, con, card)
            _unpublish_solution(ws, slug)  # before the commit: an open competition never shows it
            con.execute("COMMIT")
        except BaseException:
            store.rollback(con)
            raise
    return Reopening(
        slug, as_utc(at), was_closed, reseed, new_seed if reseed else None, public_rows, rescored, missing
    )


def _naive(now: datetime | None) -> datetime:
    from harness.store import utc_now

    return utc_now() if now is None else as_utc(now).replace(tzinfo=None)


def _last_switch(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime] | None:
    """The last recorded close or reopen, and when it happened."""
    rows = con.execute(
        f"SELECT kind, occurred_at FROM events WHERE kind IN ('close', 'reopen') ORDER BY {LAST_RECORDED} "
        "LIMIT 1"
    ).fetchall()
    return (str(rows[0][0]), rows[0][1]) if rows else None


def keep_solution_in_step(con: duckdb.DuckDBPyConnection, ws: Workspace, card: Card, state: State) -> None:
    """The solution file follows the state: there once closed (`publish_solution`), gone while open.

    Every command that reads the state calls this, so that a process killed between a close's move
    of the file and its commit (or a reopen's) leaves the hidden labels in data/ only until the next
    command.
    """
    from contextlib import suppress

    if state is State.CLOSED:
        publish_solution(con, ws, card)
    elif state is State.OPEN:
        with suppress(OSError):  # a read-only data/: `compete reopen` says what is wrong
            (ws.data_dir(card.slug) / SOLUTION_FILE).unlink(missing_ok=True)


def _unpublish_solution(ws: Workspace, slug: str) -> None:
    """Remove the solution file and any partial one; StoreUnavailable if data/ will not let go."""
    from harness.errors import StoreUnavailable
    from harness.store import _os_problem

    try:
        (ws.data_dir(slug) / SOLUTION_FILE).unlink(missing_ok=True)
        _remove_partial_solutions(ws, slug)
    except OSError as exc:
        raise StoreUnavailable(
            f"the solution file could not be removed, so {slug} stays closed: "
            f"{_os_problem(exc, ws.data_dir(slug))}"
        ) from None


def publish_solution(con: duckdb.DuckDBPyConnection, ws: Workspace, card: Card) -> Path | None:
    """The solution file of a closed competition, written if it is not there yet.

    A deadline closes a competition without `compete close`: the first command that finds it closed
    (a board, the ledger, a late submission) publishes the solution, as closing would. Returns None
    when the file cannot be written (a read-only workspace): reading a board must not fail for it,
    and `compete close` says what is wrong.
    """
    from harness.errors import StoreUnavailable

    path = ws.data_dir(card.slug) / SOLUTION_FILE
    if path.exists():
        return path
    try:
        return _write_solution(con, card, path, ws.private_dir(card.slug))
    except StoreUnavailable:
        return None


def _remove_partial_solutions(ws: Workspace, slug: str) -> None:
    """Remove the partial solution files a killed process left (data/ held them before they went to
    the private folder)."""
    for folder in ws.private_dir(slug), ws.data_dir(slug):
        for partial in folder.glob(f".{SOLUTION_FILE}.partial-*"):
            partial.unlink(missing_ok=True)


def _write_solution(con: duckdb.DuckDBPyConnection, card: Card, path: Path, private: Path) -> Path:
    """Write the solution as Kaggle publishes it: id, target column(s), Usage (Public/Private).

    It is written to a partial file in the `private` folder (beside the labels) and moved to `path`
    whole: a process killed half-way leaves no labels among the public data.
    """
    import duckdb

    from harness.errors import StoreUnavailable
    from harness.store import _os_problem
    from harness.store import quote_identifier as q

    partial = private / f".{path.name}.partial-{os.getpid()}"
    columns = ", ".join(q(c) for c in (card.id_column, *card.target_columns))
    literal = "'" + str(partial).replace("'", "''") + "'"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT {columns}, usage AS Usage FROM labels ORDER BY {q(card.id_column)}) "
            f"TO {literal} (FORMAT csv, HEADER, DELIMITER ',')"
        )
        os.replace(partial, path)
    except duckdb.IOException as exc:
        raise StoreUnavailable(
            f"the solution file {path} could not be written ({str(exc).splitlines()[0]}); the competition "
            "stays open. Check the free disk space and that the workspace is writable."
        ) from None
    except OSError as exc:
        raise StoreUnavailable(
            f"the solution file could not be written: {_os_problem(exc, path.parent)}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return path


def _redraw_split(con: duckdb.DuckDBPyConnection, card: Card, seed: int) -> int:
    """Rewrite `labels.usage` with a fresh seeded draw (the same draw prepare makes); public row count."""
    from harness import vault
    from harness.store import quote_identifier as q

    ident = q(card.id_column)
    ids = con.execute(f"SELECT {ident} FROM labels ORDER BY {ident}").df()[card.id_column]
    usage = vault.public_split(ids, card.split.public_fraction, seed)
    frame = ids.to_frame().assign(usage=usage.astype(object))
    con.register("reseeded_usage", frame)
    try:
        con.execute(
            f"UPDATE labels SET usage = r.usage FROM reseeded_usage AS r WHERE labels.{ident} = r.{ident}"
        )
    finally:
        con.unregister("reseeded_usage")
    return int(con.execute("SELECT count(*) FROM labels WHERE usage = 'Public'").fetchall()[0][0])


def _rescore_all(
    ws: Workspace, con: duckdb.DuckDBPyConnection, card: Card
) -> tuple[tuple[Rescore, ...], tuple[str, ...]]:
    """Score every scored submission again from its kept file, under the split now in `labels`.

    One whose kept file is gone, was changed since (its SHA-256 is not the recorded one) or no
    longer passes is marked `stale`: its scores are from an earlier split, and it stays off the
    boards."""
    import hashlib

    from harness import scoring, validation
    from harness.errors import SubmissionRejected
    from harness.store import utc_now

    rules = validation.load_rules(con, card)
    rows = con.execute(
        "SELECT ref, participant, stored_path, sha256, public_score, private_score FROM submissions "
        "WHERE status = 'scored' ORDER BY seq"
    ).fetchall()
    done: list[Rescore] = []
    missing: list[str] = []
    for ref, participant, stored, sha256, public, private in rows:
        path = ws.root / stored if stored else None
        try:
            if path is None or not path.is_file():
                raise SubmissionRejected(f"the kept file of {ref} is gone")
            with path.open("rb") as fh:
                if hashlib.file_digest(fh, "sha256").hexdigest() != sha256:
                    raise SubmissionRejected(f"the kept file of {ref} was changed")
            score = scoring.score_file(con, card, path, rules)
        except SubmissionRejected:
            con.execute("UPDATE submissions SET stale = true WHERE ref = ?", [ref])
            missing.append(ref)
            continue
        con.execute(
            "UPDATE submissions SET public_score = ?, private_score = ?, rescored_at = ?, stale = false "
            "WHERE ref = ?",
            [score.public, score.private, utc_now(), ref],
        )
        done.append(Rescore(ref, participant, public, score.public, private, score.private))
    return tuple(done), tuple(missing)
