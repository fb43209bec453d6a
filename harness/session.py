"""The one door into a competition: every command that touches one opens it here.

`open_competition` loads the card, connects to the competition's store, reads its state (raising
NotPrepared where the command needs a prepared competition) and keeps the solution file in step with
that state, so the hidden labels never sit in `data/` while the competition is open, whichever
command runs. It hands back a `CompetitionSession` with what the command needs.

    with open_competition(ws, "titanic") as session:
        rows = session.con.execute("SELECT count(*) FROM submissions").fetchall()

A read opens the store read-only (other readers are not kept waiting); `write=True` opens it for
writing, which waits, within a bound, for another process that writes it.

The state (not prepared / open / closed) and the solution file that follows it live here too, since
the door is the one place that reads the one and keeps the other in step; `lifecycle` changes the
state (close, reopen) and `ledger` records submissions, both through this door.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from harness.competition import Card, load_card
from harness.errors import NotPrepared, StalePreparation
from harness.store import as_utc, schema_tables
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

    from harness.vault import Preparation


class State(StrEnum):
    NOT_PREPARED = "not prepared"
    OPEN = "open"
    CLOSED = "closed"


# The events table is only ever appended to, so its row ids follow the order of recording.
LAST_RECORDED = "rowid DESC"
SOLUTION_FILE = "solution.csv"
# A kept copy of a submission: submissions/<slug>/<ref><suffixes>, as `ledger` names it.
KEPT_COPY = re.compile(r"^s\d{4,}(\.[A-Za-z0-9]{1,8})*$")
PARTIAL = re.compile(r"^\..*\.partial-(\d+)(-[0-9a-f]+)?$")


class CompetitionSession(NamedTuple):
    """An opened competition: its card, its state when opened, and the store connection.

    `con` is None only for a competition that is not prepared, opened with `prepared=False`; so is
    `preparation`.
    """

    ws: Workspace
    card: Card
    state: State
    con: duckdb.DuckDBPyConnection | None
    preparation: Preparation | None = None  # the last `compete prepare`'s record, as the door read it
    labels_version: str | None = None  # the labels in force (`vault.labels_version`), read by a write's door

    @property
    def slug(self) -> str:
        return self.card.slug

    @property
    def closed(self) -> bool:
        return self.state is State.CLOSED

    @property
    def store(self) -> duckdb.DuckDBPyConnection:
        """The store connection; NotPrepared when the competition has none yet."""
        if self.con is None:
            raise NotPrepared(self.card.slug)
        return self.con


@contextmanager
def open_competition(
    ws: Workspace,
    slug: str,
    *,
    write: bool = False,
    prepared: bool = True,
    now: datetime | None = None,
    card: Card | None = None,
    allow_stale: bool = False,
) -> Iterator[CompetitionSession]:
    """Open `slug` for one command and close its store on exit.

    Raises UnknownName (an unknown slug), CardError, NotPrepared (unless `prepared` is False: then a
    competition without a store is handed back with `con` None and state NOT_PREPARED), StoreBusy and
    StoreUnavailable. `now` decides a deadline (tests); `card` saves loading the card again. Opening to
    write also removes what a killed submit left (`remove_unrecorded_copies`) and makes the label
    file again if it is missing or behind the store (`vault.keep_label_file_in_step`).
    Raises StalePreparation for data prepared from another card than the folder's now (a competition
    deleted and made again, its card or code changed), unless `allow_stale` (prepare rebuilding it).
    """
    from harness import store, summary, vault

    card = card or load_card(ws, slug)
    if not ws.store_path(card.slug).exists():
        if prepared:
            raise NotPrepared(card.slug)
        yield CompetitionSession(ws, card, State.NOT_PREPARED, None)
        return
    with store.competition_lock(ws, card.slug, shared=not write):
        with store.connect(ws, card.slug, read_only=not write, create=False) as con:
            tables = schema_tables(con)
            facts, prepared_at = _facts(con, tables)
            state = state_from(facts, card, as_utc(now) if now is not None else None)
            if state is State.NOT_PREPARED and prepared:
                raise NotPrepared(card.slug)
            keep_solution_in_step(con, ws, card, state)
            version = None
            if write:
                remove_unrecorded_copies(con, ws, card.slug, tables=tables)
                if state is not State.NOT_PREPARED:
                    version = vault.keep_label_file_in_step(con, ws, card.slug)
            record = None if state is State.NOT_PREPARED else vault.last_preparation(con, tables)
            if record is not None and not allow_stale and vault.is_stale(record, card):
                raise StalePreparation(card.slug)
            yield CompetitionSession(ws, card, state, con, record, version)
            if write:  # what the command changed (its tables are those it was given)
                facts, now_prepared_at = _facts(con, tables)
                if now_prepared_at != prepared_at:
                    record = vault.last_preparation(con, tables) if facts.prepared else None
        # Closed (and, after a write, checkpointed); still under the lock, so the store is as read.
        summary.keep(ws, card.slug, facts, record)


def state_of(ws: Workspace, slug: str, now: datetime | None = None) -> State:
    """The state of `slug`'s competition, read through the door (so its solution file is in step)."""
    with open_competition(ws, slug, prepared=False, now=now) as session:
        return session.state


class StateFacts(NamedTuple):
    """What a competition's state is decided from: whether it was prepared, and its last close or
    reopen (in the order recorded) with its time."""

    prepared: bool
    last_kind: str | None = None
    last_at: datetime | None = None  # UTC


def state_in(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    now: datetime | None = None,
    *,
    tables: set[str] | None = None,
) -> State:
    """The state of `card`'s competition, given an open store connection (and its tables, when the
    caller has read them: `store.schema_tables`)."""
    return state_from(state_facts(con, tables), card, now)


def state_facts(con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> StateFacts:
    """The facts the state follows from, read from the store."""
    return _facts(con, tables)[0]


def _facts(
    con: duckdb.DuckDBPyConnection, tables: set[str] | None = None
) -> tuple[StateFacts, datetime | None]:
    """`state_facts`, and the time of the last preparation (None: never prepared)."""
    tables = schema_tables(con) if tables is None else tables
    if "preparations" not in tables:
        return StateFacts(False), None
    # The last close or reopen in the order recorded (arg_max over the row ids: LAST_RECORDED).
    prepared_at, last_kind, last_at = con.execute(
        "SELECT (SELECT max(prepared_at) FROM preparations), arg_max(kind, rowid), "
        "arg_max(occurred_at, rowid) FROM events WHERE kind IN ('close', 'reopen')"
    ).fetchall()[0]
    facts = StateFacts(prepared_at is not None, last_kind, as_utc(last_at) if last_at is not None else None)
    return facts, as_utc(prepared_at) if prepared_at is not None else None


def state_from(facts: StateFacts, card: Card, now: datetime | None = None) -> State:
    """The state the facts give at `now`: a deadline passed since the last reopen closes it."""
    if not facts.prepared:
        return State.NOT_PREPARED
    if facts.last_kind == "close":
        return State.CLOSED
    now = now or datetime.now(UTC)
    deadline = card.rules.deadline
    if deadline is not None and now >= deadline and (facts.last_at is None or facts.last_at < deadline):
        return State.CLOSED
    return State.OPEN


# ------------------------------------------------------------------------------- the solution file
def keep_solution_in_step(con: duckdb.DuckDBPyConnection, ws: Workspace, card: Card, state: State) -> None:
    """The solution file follows the state: there once closed (`publish_solution`), gone while open.

    `open_competition` calls this for every command, so that a process killed between a close's move
    of the file and its commit (or a reopen's) leaves the hidden labels in data/ only until the next
    command.
    """
    if state is State.CLOSED:
        publish_solution(con, ws, card)
    elif state is State.OPEN:
        with suppress(OSError):  # a read-only data/: `compete reopen` says what is wrong
            (ws.data_dir(card.slug) / SOLUTION_FILE).unlink(missing_ok=True)


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
        return write_solution(con, card, path, ws.private_dir(card.slug))
    except StoreUnavailable:
        return None


def remove_partial_solutions(ws: Workspace, slug: str) -> None:
    """Remove the partial solution files a killed process left (data/ held them before they went to
    the private folder)."""
    for folder in ws.private_dir(slug), ws.data_dir(slug):
        for partial in folder.glob(f".{SOLUTION_FILE}.partial-*"):
            partial.unlink(missing_ok=True)


def write_solution(con: duckdb.DuckDBPyConnection, card: Card, path: Path, private: Path) -> Path:
    """Write the solution as Kaggle publishes it: id, target column(s), Usage (Public/Private).

    It is written to a partial file in the `private` folder (beside the labels) and moved to `path`
    whole: a process killed half-way leaves no labels among the public data.
    """
    from harness import engine
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
    except engine.IOException as exc:
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


# ----------------------------------------------------------------------------- a killed submit's copy
def remove_unrecorded_copies(
    con: duckdb.DuckDBPyConnection, ws: Workspace, slug: str, *, tables: set[str] | None = None
) -> None:
    """Remove the kept copies under `submissions/<slug>/` that no ledger row names.

    A submit keeps its copy before it records the row; one killed in between leaves a copy with no
    row, under a ref the next submit takes again (perhaps with another suffix: `s0010.csv.gz` beside
    `s0010.csv`). Only files named as kept copies are touched: a learner's own files and the runs
    folder stay. Called with the store open for writing, so no submit is between its move to a ref
    and its row. Partial copies whose process is gone go too, and so do the partial files of
    public row values a killed submit or post-mortem left (`reports.rows`).
    """
    _remove_abandoned(ws.kept_values_dir(slug))
    folder = ws.submissions_dir(slug)
    if not folder.is_dir():
        return
    tables = schema_tables(con) if tables is None else tables
    recorded: set[str] = set()
    if "submissions" in tables:
        rows = con.execute("SELECT stored_path FROM submissions WHERE stored_path IS NOT NULL").fetchall()
        recorded = {os.path.normpath(os.path.join(ws.root, row[0])) for row in rows}
    for path in folder.iterdir():
        unrecorded = KEPT_COPY.match(path.name) and os.path.normpath(path) not in recorded
        if (unrecorded or _abandoned(path.name)) and path.is_file():
            with suppress(OSError):  # a read-only folder: the next submit says what is wrong
                path.unlink()


def _remove_abandoned(folder: Path) -> None:
    """Remove the partial files in `folder` whose process is gone."""
    with suppress(OSError):  # no folder, or a read-only one
        for path in folder.iterdir():
            if _abandoned(path.name) and path.is_file():
                path.unlink()


def _abandoned(name: str) -> bool:
    """Whether `name` is a partial copy (`.<…>.partial-<pid>[-<token>]`) whose process is gone.

    A submit writes its copy before it takes the lock, so a partial copy of a live process may be
    there at any time, and stays."""
    found = PARTIAL.match(name)
    if found is None:
        return False
    pid = int(found[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process: alive
        return False
    return False
