"""Where a competition is in its life: not prepared, open, or closed.

A competition closes at its card's deadline or when `compete close` says so, and opens again with
`compete reopen`. The events are kept in the store's `events` table, newest wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from harness.competition import Card
from harness.store import as_utc
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb


class State(StrEnum):
    NOT_PREPARED = "not prepared"
    OPEN = "open"
    CLOSED = "closed"


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
        "ORDER BY occurred_at DESC LIMIT 1"
    ).fetchall()
    last_kind, last_at = (rows[0][0], as_utc(rows[0][1])) if rows else (None, None)
    if last_kind == "close":
        return State.CLOSED
    deadline = card.rules.deadline
    if deadline is not None and now >= deadline and (last_at is None or last_at < deadline):
        return State.CLOSED
    return State.OPEN
