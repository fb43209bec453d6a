"""Where a competition is in its life: not prepared, open, or closed, and the commands that change it.

A competition closes at its card's deadline or when `compete close` says so, and opens again with
`compete reopen`. The events are kept in the store's `events` table, the last recorded wins (not the
latest by its clock time: a clock set back must not undo a reopen); `session.state_in` reads them.
Closing writes the solution file (`data/<slug>/solution.csv`) and reveals the private board;
`reopen --reseed` draws a fresh public/private split and rescores every submission from its kept file.

Both open the competition through the one door (`session.open_competition`). The dependency runs one
way: lifecycle uses the ledger (the private board at close), the ledger never uses lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from harness.ledger import Leaderboard, board_in
from harness.session import (
    LAST_RECORDED,
    SOLUTION_FILE,
    State,
    open_competition,
    remove_partial_solutions,
    write_solution,
)
from harness.store import as_utc
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

    from harness.competition import Card

__all__ = ["Closing", "Reopening", "Rescore", "State", "close", "reopen"]


@dataclass(frozen=True)
class Closing:
    """The outcome of `compete close`: the private board, with each row's public rank (shake-up)."""

    competition: str
    closed_at: datetime
    already_closed: bool
    board: Leaderboard  # the private board
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
    from harness import store

    at = _naive(now)
    with open_competition(ws, slug, write=True, now=as_utc(at)) as session:
        con, card = session.store, session.card
        last = _last_switch(con)
        already = last is not None and last[0] == "close"
        if last is not None and already:
            at = last[1]  # closing again shows the close on record
        # One transaction: a solution file that cannot be written leaves the competition open.
        con.execute("BEGIN TRANSACTION")
        try:
            if not already:
                con.execute("INSERT INTO events VALUES (?, 'close', NULL)", [at])
            remove_partial_solutions(ws, slug)  # left by a killed close; no one else holds the store
            path = write_solution(con, card, ws.data_dir(slug) / SOLUTION_FILE, ws.private_dir(slug))
            con.execute("COMMIT")
        except BaseException:
            store.rollback(con)
            raise
        board = board_in(con, card, State.CLOSED, private=True)
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

    from harness import store, vault
    from harness.errors import RuleViolation

    at = _naive(now)
    with open_competition(ws, slug, write=True, now=as_utc(at)) as session:
        con, card = session.store, session.card
        was_closed = session.closed
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
        if reseed:  # the new split for the submits that score without the lock
            vault.keep_label_file_in_step(con, ws, slug)
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


def _unpublish_solution(ws: Workspace, slug: str) -> None:
    """Remove the solution file and any partial one; StoreUnavailable if data/ will not let go."""
    from harness.errors import StoreUnavailable
    from harness.store import _os_problem

    try:
        (ws.data_dir(slug) / SOLUTION_FILE).unlink(missing_ok=True)
        remove_partial_solutions(ws, slug)
    except OSError as exc:
        raise StoreUnavailable(
            f"the solution file could not be removed, so {slug} stays closed: "
            f"{_os_problem(exc, ws.data_dir(slug))}"
        ) from None


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
