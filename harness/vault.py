"""The hidden labels of a competition's test set and their public/private split.

They live in the competition's private store (`store.py`) in the table `labels`: the id column, the
target column(s) and `usage` ('Public' or 'Private', as in Kaggle's solution files), one row per test
row in test.csv's order (the order of sample_submission.csv too), which lets scoring match a submission
written in that order by position. Kernels and the public data never see this table; scoring joins
submissions to it inside DuckDB.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from harness import __version__
from harness.competition import Card
from harness.store import as_utc, rollback

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

PUBLIC, PRIVATE = "Public", "Private"


@dataclass(frozen=True)
class Preparation:
    """The record of the last `compete prepare`."""

    prepared_at: datetime
    compete_version: str
    train_rows: int
    test_rows: int
    public_rows: int
    checksums: dict[str, str]


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
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise


def last_preparation(con: duckdb.DuckDBPyConnection) -> Preparation | None:
    """The newest preparation record, or None if the competition was never prepared."""
    rows = con.execute(
        "SELECT prepared_at, compete_version, train_rows, test_rows, public_rows, checksums "
        "FROM preparations ORDER BY prepared_at DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    at, version, train_rows, test_rows, public_rows, checksums = rows[0]
    return Preparation(as_utc(at), version, train_rows, test_rows, public_rows, json.loads(checksums))


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
    train_rows: int, test_rows: int, public_rows: int, checksums: dict[str, str], at: datetime
) -> Preparation:
    return Preparation(at, __version__, train_rows, test_rows, public_rows, checksums)


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
