"""A submission file taken in before the store is touched: its copy aside, and its verdict.

`compete submit` works in two steps so that many submits at once do not wait on each other while
they read and score:
1. with no lock: copy the file beside the kept copies under a name of its own (`take_in`: hashed on
   the way, written whole) and score that copy against the label file (`prejudge`, see
   `vault.open_label_file`), which no process ever writes in place;
2. with the store's lock (`ledger.submit`, through the door): check that the labels it was scored
   against are still those in force (a prepare or a reseed in between: score it again, `judge`), take
   the next ref, move the copy to `<ref><suffix>` and record the row in one transaction.
A process killed in step 1 leaves only its `.partial` copy, which the next command that writes
removes once its process is gone (`session.remove_unrecorded_copies`).

A big file scored clean in step 1 also has its public rows' values kept for the post-mortem
(`reports.rows.keep_at_submit`), still with no lock: the first post-mortem after the close need not
read every file again. A small one is not: a post-mortem reads a few hundred rows per file faster
than the values could be kept at submit.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from harness.competition import Card
from harness.errors import StoreUnavailable, SubmissionRejected
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

    from harness.validation import SubmissionRules

INCOMING = ".incoming.partial-"  # + pid-token: a submit's copy before it has a ref
# From this many public rows up, a submit keeps the file's public row values for the post-mortem.
KEEP_VALUES_FROM = 10_000


class Incoming(NamedTuple):
    """A submission's copy, aside until it gets a ref."""

    path: Path
    sha256: str
    size: int


class Verdict(NamedTuple):
    """A file's scores, or why it was rejected, and the version of the labels it was judged by."""

    labels_version: str
    public: float | None = None
    private: float | None = None
    error: str | None = None
    public_rows: int = 0
    new_rules: tuple[str, str] | None = None  # (key, rules as JSON) derived for lack of cached ones
    notes: tuple[str, ...] = ()  # warnings about a scored file (see harness.advice)

    @property
    def status(self) -> str:
        return "rejected" if self.error is not None else "scored"


def take_in(ws: Workspace, slug: str, source: Path) -> Incoming:
    """Copy `source` into `submissions/<slug>/` under a name of its own, hashing it on the way.

    Raises StoreUnavailable (nothing recorded) when the copy cannot be written.
    """
    from harness.store import _os_problem

    folder = ws.submissions_dir(slug)
    path = folder / f"{INCOMING}{os.getpid()}-{os.urandom(4).hex()}"
    digest = hashlib.sha256()
    size = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as src, path.open("wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError as exc:
        _discard(path)
        raise StoreUnavailable(
            f"could not keep a copy of the submission ({exc.strerror or exc}): {_os_problem(exc, folder)} "
            "Check that the workspace is writable. Nothing was recorded."
        ) from None
    except BaseException:
        _discard(path)
        raise
    return Incoming(path, digest.hexdigest(), size)


def _discard(path: Path) -> None:
    with suppress(OSError):  # a read-only folder holds no partial file to remove
        path.unlink(missing_ok=True)


def prejudge(ws: Workspace, card: Card, path: Path, *, sha256: str | None = None) -> Verdict | None:
    """The verdict on the file at `path` from the label file, with no lock; None when there is no
    label file (the store decides then, under its lock).

    Rules the label file lacks (the card or schema.py changed since) are derived here, outside the
    lock, and handed on in the verdict for the store to keep (`keep_rules`). Given the file's
    `sha256`, a file scored clean with at least `KEEP_VALUES_FROM` public rows has its public row
    values kept for the post-mortem.
    """
    from harness import validation, vault

    with vault.open_label_file(ws, card.slug) as found:
        if found is None:
            return None
        con, version = found
        key = validation.rules_key(card)
        rows = con.execute("SELECT rules FROM submission_rules WHERE source_sha256 = ?", [key]).fetchall()
        if rows:
            rules = validation.SubmissionRules.from_json(rows[0][0])
            verdict = _verdict(con, card, path, rules, version)
        else:
            from harness import schemas

            rules = validation.rules_from_model(card, schemas.load_models(card)["Submission"])
            verdict = _verdict(con, card, path, rules, version)._replace(new_rules=(key, rules.to_json()))
        if sha256 is not None and verdict.status == "scored" and verdict.public_rows >= KEEP_VALUES_FROM:
            from harness.reports import rows as kept

            kept.keep_at_submit(ws, card, path, sha256, rules)
        return verdict


def keep_rules(con: duckdb.DuckDBPyConnection, verdict: Verdict) -> None:
    """Cache the rules a verdict derived (the store is open for writing), so the next submit need not."""
    if verdict.new_rules is not None:
        from harness.store import utc_now

        key, rules = verdict.new_rules
        con.execute(
            "INSERT INTO submission_rules VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [key, utc_now(), rules]
        )


def judge(con: duckdb.DuckDBPyConnection, card: Card, path: Path) -> Verdict:
    """The verdict on the file at `path` from the store itself (opened to write: rules are cached)."""
    from harness import validation, vault

    rules = validation.load_rules(con, card)
    return _verdict(con, card, path, rules, vault.labels_version(con))


def _verdict(
    con: duckdb.DuckDBPyConnection, card: Card, path: Path, rules: SubmissionRules, version: str
) -> Verdict:
    from harness import advice, scoring

    try:
        score = scoring.score_file(con, card, path, rules)
    except SubmissionRejected as exc:
        return Verdict(version, error=str(exc))
    notes = advice.notes(con, card, rules, path)
    return Verdict(version, score.public, score.private, public_rows=score.public_rows, notes=notes)
