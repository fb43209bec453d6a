"""The one door into a competition: every command that touches one opens it here.

`open_competition` loads the card, connects to the competition's store, reads its state (raising
NotPrepared where the command needs a prepared competition) and keeps the solution file in step with
that state, so the hidden labels never sit in `data/` while the competition is open, whichever
command runs. It hands back a `CompetitionSession` with what the command needs.

    with open_competition(ws, "titanic") as session:
        rows = session.con.execute("SELECT count(*) FROM submissions").fetchall()

A read opens the store read-only (other readers are not kept waiting); `write=True` opens it for
writing, which waits, within a bound, for another process that writes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from harness.competition import Card, load_card
from harness.errors import NotPrepared
from harness.lifecycle import State, keep_solution_in_step, state_in
from harness.store import as_utc
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class CompetitionSession:
    """An opened competition: its card, its state when opened, and the store connection.

    `con` is None only for a competition that is not prepared, opened with `prepared=False`.
    """

    ws: Workspace
    card: Card
    state: State
    con: duckdb.DuckDBPyConnection | None

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
) -> Iterator[CompetitionSession]:
    """Open `slug` for one command and close its store on exit.

    Raises UnknownName (an unknown slug), CardError, NotPrepared (unless `prepared` is False: then a
    competition without a store is handed back with `con` None and state NOT_PREPARED), StoreBusy and
    StoreUnavailable. `now` decides a deadline (tests); `card` saves loading the card again.
    """
    from harness import store

    card = card or load_card(ws, slug)
    if not ws.store_path(card.slug).exists():
        if prepared:
            raise NotPrepared(card.slug)
        yield CompetitionSession(ws, card, State.NOT_PREPARED, None)
        return
    with store.connect(ws, card.slug, read_only=not write, create=False) as con:
        state = state_in(con, card, as_utc(now) if now is not None else None)
        if state is State.NOT_PREPARED and prepared:
            raise NotPrepared(card.slug)
        keep_solution_in_step(con, ws, card, state)
        yield CompetitionSession(ws, card, state, con)
