"""The hidden labels of a competition's test set and their public/private split.

They live in the competition's private store (`store.py`) in the table `labels`: the id column, the
target column(s) and `usage` ('Public' or 'Private', as in Kaggle's solution files), one row per test
row in test.csv's order (the order of sample_submission.csv too), which lets scoring match a submission
written in that order by position. Kernels and the public data never see this table; scoring joins
submissions to it inside DuckDB.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from harness import __version__
from harness.competition import Card
from harness.store import as_utc, attached, rollback, schema_tables
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

PUBLIC, PRIVATE = "Public", "Private"


class Preparation(NamedTuple):
    """The record of the last `compete prepare`."""

    prepared_at: datetime
    compete_version: str
    train_rows: int
    test_rows: int
    public_rows: int
    checksums: dict[str, str]
    card_sha256: str | None = None  # vault.card_fingerprint of the card prepared; None before it was kept


def public_split(ids: pd.Series, fraction: float, seed: int) -> pd.Series:
    """'Public' or 'Private' for each id: a seeded draw of round(n * fraction) public rows.

    The draw is over the ids in sorted order, so it depends only on the set of ids and the seed.
    """
    import numpy as np
    import pandas as pd

    order = np.argsort(ids.to_numpy(), kind="stable")
    n_public = int(round(len(ids) * fraction))
    chosen = np.random.default_rng(seed).permutation(len(ids))[:n_public]
    usage = np.full(len(ids), PRIVATE, dtype=object)
    usage[order[chosen]] = PUBLIC
    return pd.Series(usage, index=ids.index, name="usage", dtype="str")


def write_labels(con: duckdb.DuckDBPyConnection, labels: pd.DataFrame, record: Preparation) -> None:
    """Replace the labels and record the preparation, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("incoming_labels", labels)
        con.execute("CREATE OR REPLACE TABLE labels AS SELECT * FROM incoming_labels")
        con.unregister("incoming_labels")
        con.execute(
            "INSERT INTO preparations VALUES (?, ?, ?, ?, ?, ?)",
            [
                record.prepared_at.astimezone(UTC).replace(tzinfo=None),
                record.compete_version,
                record.train_rows,
                record.test_rows,
                record.public_rows,
                json.dumps(record.checksums, sort_keys=True),
            ],
        )
        if record.card_sha256 is not None:
            con.execute(
                "INSERT INTO prepared_cards VALUES (?, ?)",
                [record.prepared_at.astimezone(UTC).replace(tzinfo=None), record.card_sha256],
            )
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def last_preparation(con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> Preparation | None:
    """The newest preparation record, or None if the competition was never prepared.

    `tables`: the store's tables (`store.schema_tables`), when the caller has read them already.
    """
    tables = schema_tables(con) if tables is None else tables
    # A store from before card fingerprints, opened read-only (not migrated), has no prepared_cards.
    card = (
        "(SELECT card_sha256 FROM prepared_cards c WHERE c.prepared_at = p.prepared_at "
        "ORDER BY c.rowid DESC LIMIT 1)"
        if "prepared_cards" in tables
        else "NULL"
    )
    rows = con.execute(
        f"SELECT prepared_at, compete_version, train_rows, test_rows, public_rows, checksums, {card} "
        "FROM preparations p ORDER BY prepared_at DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    at, version, train_rows, test_rows, public_rows, checksums, card_sha256 = rows[0]
    return Preparation(
        as_utc(at), version, train_rows, test_rows, public_rows, json.loads(checksums), card_sha256
    )


def card_fingerprint(card: Card) -> str:
    """SHA-256 of what the prepared data are made from: the card's fields that shape them (task,
    metric, columns, classes, split, CV scheme; not its title, rules or texts), the folder's code
    (prepare.py and any other .py but schema.py) and the names and sizes of its other files (the
    source data).

    A competition deleted and made again from another file, or whose card or code changed since
    `compete prepare`, has another fingerprint than the one recorded with its data.
    """
    import hashlib

    shape = {
        "task": card.task,
        "metric": card.metric,
        "metric_options": card.metric_options,
        "id_column": card.id_column,
        "target_columns": list(card.target_columns),
        "classes": list(card.classes) if card.classes is not None else None,
        "split": card.split._asdict(),
        "cv": card.cv._asdict(),
    }
    digest = hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode())
    for path in sorted(card.folder.rglob("*")):
        relative = path.relative_to(card.folder)
        if not path.is_file() or any(p.startswith(".") or p == "__pycache__" for p in relative.parts):
            continue
        # The card is read above; the description is text; schema.py's rules are read afresh by
        # every submission (a changed schema needs no new preparation).
        if path.name in ("competition.toml", "description.md", "schema.py"):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        if path.suffix == ".py":
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def is_stale(record: Preparation, card: Card) -> bool:
    """Whether the data recorded by `record` were prepared from another card than `card` (a record
    from before fingerprints were kept is taken as it is)."""
    return record.card_sha256 is not None and record.card_sha256 != card_fingerprint(card)


def current_public_seed(con: duckdb.DuckDBPyConnection, card: Card) -> int:
    """The seed of the split in force: the card's, unless `compete reopen --reseed` drew another."""
    rows = con.execute(
        "SELECT detail FROM events WHERE kind = 'reseed' ORDER BY rowid DESC LIMIT 1"  # the last recorded
    ).fetchall()
    return int(rows[0][0]) if rows else card.split.public_seed


def labels_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The hidden labels with their usage, ordered by id (for tests and reports, not for kernels)."""
    rel = con.sql("SELECT * FROM labels")
    first = rel.columns[0]
    return con.sql(f'SELECT * FROM labels ORDER BY "{first}"').df()


def make_record(
    train_rows: int,
    test_rows: int,
    public_rows: int,
    checksums: dict[str, str],
    at: datetime,
    card: Card | None = None,
) -> Preparation:
    fingerprint = card_fingerprint(card) if card is not None else None
    return Preparation(at, __version__, train_rows, test_rows, public_rows, checksums, fingerprint)


def describe(record: Preparation | None) -> dict[str, Any]:
    if record is None:
        return {}
    return {
        "prepared_at": record.prepared_at.isoformat(),
        "train_rows": record.train_rows,
        "test_rows": record.test_rows,
        "public_rows": record.public_rows,
        "checksums": record.checksums,
    }


# ------------------------------------------------------------------------------------ the label file
# The labels (and the submission rules) are also kept in a file of their own beside the store,
# written whole and moved into place, never changed in place: a submit scores against it with no
# lock at all (DuckDB lets any number of processes read a file that no process writes), and takes
# the store's lock only to record its row. The store stays the record; the label file is a copy
# named by the store's version of the labels, made again whenever the two differ.
LABEL_FILE = "labels.duckdb"


def labels_version(con: duckdb.DuckDBPyConnection) -> str:
    """Which labels and split are in force: every prepare and every reseed changes it.

    The time of the last preparation names the labels (a store made again names them anew), and the
    count of the append-only 'reseed' events, with the last seed, names their split.
    """
    rows = con.execute(
        "SELECT (SELECT max(prepared_at) FROM preparations), (SELECT count(*) FROM preparations), "
        "(SELECT count(*) FROM events WHERE kind = 'reseed'), "
        "(SELECT detail FROM events WHERE kind = 'reseed' ORDER BY rowid DESC LIMIT 1)"
    ).fetchall()
    return "|".join(str(value) for value in rows[0])


def _rule_sets(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM submission_rules").fetchall()[0][0])


@contextmanager
def open_label_file(ws: Workspace, slug: str) -> Iterator[tuple[duckdb.DuckDBPyConnection, str] | None]:
    """A read-only connection to the label file and its version; None when there is none (yet)."""
    from harness import engine

    path = ws.private_dir(slug) / LABEL_FILE
    with ExitStack() as opened:
        try:
            con = opened.enter_context(attached(path, read_only=True)) if path.is_file() else None
        except engine.Error:  # being replaced right now, or damaged: the store has the labels
            con = None
        if con is None:
            yield None
            return
        version = str(con.execute("SELECT version FROM about").fetchall()[0][0])
        yield con, version


def keep_label_file_in_step(con: duckdb.DuckDBPyConnection, ws: Workspace, slug: str) -> str:
    """Write the label file again when it is missing or older than the store's labels; return the
    store's labels version (`labels_version`).

    Called with the store open for writing (the door, prepare, a reseed); rules cached since (a
    changed card or schema.py) are copied too. A file that cannot be written is left out: submits
    then score against the store, under its lock, as they can.
    """
    want = labels_version(con)
    with open_label_file(ws, slug) as found:
        if found is not None and found[1] == want and _rule_sets(found[0]) == _rule_sets(con):
            return want
    write_label_file(con, ws, slug, want)
    return want


def write_label_file(con: duckdb.DuckDBPyConnection, ws: Workspace, slug: str, version: str) -> None:
    """Copy the labels (in their order) and the rules into a new file, then move it into place whole."""
    from harness import engine

    final = ws.private_dir(slug) / LABEL_FILE
    partial = final.with_name(f".{LABEL_FILE}.partial-{os.getpid()}")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    literal = "'" + str(partial).replace("'", "''") + "'"
    try:
        con.execute(f"ATTACH {literal} AS label_file")
        try:
            con.execute("CREATE TABLE label_file.labels AS SELECT * FROM labels")
            con.execute("CREATE TABLE label_file.submission_rules AS SELECT * FROM submission_rules")
            con.execute("CREATE TABLE label_file.about AS SELECT ?::VARCHAR AS version", [version])
        finally:
            con.execute("DETACH label_file")
        os.replace(partial, final)
    except (engine.Error, OSError) as exc:
        from harness.errors import is_interrupt

        if is_interrupt(exc):
            raise
        # A full disk or a read-only folder: the store still holds everything.
    finally:
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
