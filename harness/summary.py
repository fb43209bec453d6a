"""What the door last read of a competition, kept beside its store for the commands that need no more.

`compete list` and `compete show` need a competition's state and its last preparation record and
nothing else from its store; opening a store means importing DuckDB (about a tenth of a second) and,
for `list`, one store per competition. So the door (`session.open_competition`) keeps what it read in
`.compete/<slug>/summary.json` before it lets go of the store's lock, with the store file's identity
then (inode, size and modification time of the file and of its write-ahead log). `glance` takes
the lock, reads the summary when the store is still that file, and opens the door otherwise; either
way the solution file is kept in step with the state, as the door keeps it.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.competition import Card, load_card
from harness.errors import StalePreparation
from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.session import State, StateFacts
    from harness.vault import Preparation

SUMMARY_FILE = "summary.json"


class Glance(NamedTuple):
    """A competition's card, its state now and its last preparation record (None before one)."""

    card: Card
    state: State
    preparation: Preparation | None


def glance(ws: Workspace, slug: str, now: datetime | None = None) -> Glance:
    """The state and the last preparation of `slug`, as `open_competition(prepared=False)` gives
    them, without opening the store when its summary is current. Raises what the door raises."""
    from harness import session, store, vault

    card = load_card(ws, slug)
    if ws.store_path(card.slug).exists():
        with store.competition_lock(ws, card.slug, shared=True):
            kept = _read(ws, card.slug)
            if kept is not None:
                facts, record = kept
                state = session.state_from(facts, card, session.as_utc(now) if now is not None else None)
                solution = ws.data_dir(card.slug) / session.SOLUTION_FILE
                # A closed competition's solution file missing: the door writes it from the labels.
                if state is not session.State.CLOSED or solution.exists():
                    if state is session.State.OPEN:  # as session.keep_solution_in_step does
                        with suppress(OSError):
                            solution.unlink(missing_ok=True)
                    if record is not None and vault.is_stale(record, card):
                        raise StalePreparation(card.slug)
                    return Glance(card, state, record)
    with session.open_competition(ws, card.slug, prepared=False, now=now, card=card) as opened:
        return Glance(card, opened.state, opened.preparation)


def keep(ws: Workspace, slug: str, facts: StateFacts, record: Preparation | None) -> None:
    """Write the summary of what the door read (called under the store's lock, the store closed).

    Written aside and moved into place; a workspace that cannot be written keeps none."""
    path = ws.private_dir(slug) / SUMMARY_FILE
    data = {
        "store": _identity(ws, slug),
        "prepared": facts.prepared,
        "last_kind": facts.last_kind,
        "last_at": facts.last_at.isoformat() if facts.last_at is not None else None,
        "preparation": None if record is None else _record_json(record),
    }
    partial = path.with_name(f".{SUMMARY_FILE}.partial-{os.getpid()}")
    try:
        partial.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def _identity(ws: Workspace, slug: str) -> list[list[int] | None]:
    """The store file and its write-ahead log as they are: any commit or checkpoint changes it."""
    path = ws.store_path(slug)
    out: list[list[int] | None] = []
    for file in path, path.with_name(path.name + ".wal"):
        try:
            st = file.stat()
        except FileNotFoundError:
            out.append(None)
            continue
        out.append([st.st_ino, st.st_size, st.st_mtime_ns])
    return out


def _read(ws: Workspace, slug: str) -> tuple[StateFacts, Preparation | None] | None:
    """The kept facts and record when the summary describes the store as it is now, else None."""
    from harness.session import StateFacts

    try:
        data = json.loads((ws.private_dir(slug) / SUMMARY_FILE).read_text(encoding="utf-8"))
        if data["store"] != _identity(ws, slug):
            return None
        last_at = datetime.fromisoformat(data["last_at"]) if data["last_at"] is not None else None
        facts = StateFacts(bool(data["prepared"]), data["last_kind"], last_at)
        record = None if data["preparation"] is None else _record(data["preparation"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return facts, record


def _record_json(record: Preparation) -> dict[str, Any]:
    return {
        "prepared_at": record.prepared_at.isoformat(),
        "compete_version": record.compete_version,
        "train_rows": record.train_rows,
        "test_rows": record.test_rows,
        "public_rows": record.public_rows,
        "checksums": record.checksums,
        "card_sha256": record.card_sha256,
    }


def _record(data: dict[str, Any]) -> Preparation:
    from harness.vault import Preparation

    return Preparation(
        datetime.fromisoformat(data["prepared_at"]),
        str(data["compete_version"]),
        int(data["train_rows"]),
        int(data["test_rows"]),
        int(data["public_rows"]),
        {str(k): str(v) for k, v in data["checksums"].items()},
        None if data["card_sha256"] is None else str(data["card_sha256"]),
    )
