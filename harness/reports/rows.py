"""Each submission's public rows as the bootstrap needs them, kept between runs.

For a metric that is a mean over rows (see `stats.MEAN_OF_ROWS`), the bootstrap needs only each
public row's value of the metric. Working them out reads every kept file; they are kept under
`reports/<slug>/.cache/` (`Workspace.kept_values_dir`), one small file per submission, named by the
file's SHA-256 (from the ledger) and a key of the metric, its options and the public rows' labels,
so that another file, another metric or another public/private split never meets an old value.
A kept file is written beside its place and moved into it whole; one that cannot be written or read
(gone, cut short, damaged) is only a slower run: its values are worked out again from the
submission. For any other metric the files are read every time.

A submit of a big file keeps its values as soon as it is scored (`keep_at_submit`), with no lock,
by the same functions a post-mortem would use, so that the first post-mortem after the close need
not read every file again.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from harness import validation
from harness.competition import Card
from harness.metrics import get as get_metric
from harness.reports import stats
from harness.reports.history import Entry, History, load_predictions, report_database
from harness.vault import LABEL_FILE, PUBLIC
from harness.workspace import Workspace

if TYPE_CHECKING:
    import numpy as np

FORMAT = "1"  # changes when what is kept changes


@dataclass(frozen=True)
class PublicRows:
    """The refs whose public rows were read (or found kept), each public row's metric value (one
    column per ref; None for a metric that is not a mean over rows: its rows are in `preds` then),
    and the refs whose probabilities are all 0 or 1."""

    refs: tuple[str, ...]
    values: np.ndarray | None
    hard: frozenset[str]


def public_rows(history: History, entries: list[Entry], rules: validation.SubmissionRules) -> PublicRows:
    """The public rows of `entries`, from the cache where they are kept, else from their files."""
    import numpy as np

    if not stats.decomposable(history.metric):
        refs = load_predictions(history, entries, rules, public_only=True)
        return PublicRows(tuple(refs), None, frozenset(stats.hard_predictions(history, refs)))
    folder = history.ws.kept_values_dir(history.card.slug)
    key = _key(history)
    kept: dict[str, tuple[np.ndarray, bool]] = {}
    missing = []
    for entry in entries:
        found = _read(folder / _name(entry.sha256, key), history.public_rows)
        if found is None:
            missing.append(entry)
        else:
            kept[entry.ref] = found
    if missing:
        refs, values, hard = stats.public_row_values(history, missing, rules)
        by_ref = {e.ref: e for e in missing}
        for k, ref in enumerate(refs):
            kept[ref] = (values[:, k], ref in hard)
            _write(folder / _name(by_ref[ref].sha256, key), values[:, k], ref in hard)
    refs = [e.ref for e in entries if e.ref in kept]
    matrix = np.column_stack([kept[r][0] for r in refs]) if refs else np.empty((history.public_rows, 0))
    return PublicRows(tuple(refs), matrix, frozenset(r for r in refs if kept[r][1]))


def keep_at_submit(
    ws: Workspace, card: Card, path: Path, sha256: str, rules: validation.SubmissionRules
) -> bool:
    """Work out and keep the public row values of the file at `path` (inside the workspace), just
    scored clean against the label file, under its SHA-256 `sha256`, as a post-mortem would
    (`public_rows`). Returns whether they were kept: not for a metric that is not a mean over rows,
    nor when they cannot be worked out or written (the post-mortem works them out then).

    The values are keyed by the labels they were worked out on (read here again): labels replaced
    since the file was scored (a prepare, a reseed) only give values that no post-mortem of the new
    ones looks for.
    """
    from harness import engine
    from harness.errors import is_interrupt

    if not stats.decomposable(get_metric(card.metric)):
        return False
    # The public labels as a report reads them from the store: the label file holds them in its order.
    try:
        mem, counts, digest = report_database(card, label_file=ws.private_dir(card.slug) / LABEL_FILE)
    except engine.Error as exc:  # replaced right now: the post-mortem works the values out
        if is_interrupt(exc):
            raise
        return False
    entry = Entry(
        ref="incoming",
        seq=1,
        participant="",
        submitted_at=datetime.now(UTC),
        message=None,
        public_score=0.0,
        private_score=None,
        cv_score=None,
        cv_folds=None,
        kernel=None,
        study_id=None,
        stored_path=str(path.relative_to(ws.root)),
        late=False,
        selected=False,
        sha256=sha256,
    )
    history = History(ws, card, False, (entry,), {}, counts.get(PUBLIC, 0), 0, digest, mem)
    try:
        refs, values, hard = stats.public_row_values(history, [entry], rules)
        if refs != [entry.ref]:
            return False
        target = ws.kept_values_dir(card.slug) / _name(sha256, _key(history))
        return _write(target, values[:, 0], entry.ref in hard)
    except engine.Error as exc:
        if is_interrupt(exc):
            raise
        return False
    finally:
        history.close()


def _name(sha256: str, key: str) -> str:
    return f"{sha256}-{key}.npz"


def _key(history: History) -> str:
    card = history.card
    text = "|".join(
        [
            FORMAT,
            card.metric,
            card.task,
            repr(card.classes),
            repr(sorted(card.metric_options.items())),
            history.public_digest,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _read(path: os.PathLike[str], rows: int) -> tuple[np.ndarray, bool] | None:
    import numpy as np

    try:
        with np.load(path) as data:
            values, hard = np.asarray(data["values"], dtype=float), bool(data["hard"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # gone, cut short, damaged
        return None
    return (values, hard) if values.shape == (rows,) else None


def _write(path: Path, values: np.ndarray, hard: bool) -> bool:
    """Write the values to a partial file beside `path` and move it into place whole (a process
    killed half-way leaves only the partial file, which `session.remove_unrecorded_copies` removes
    once the process is gone). Returns whether it was written."""
    import numpy as np

    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as file:
            np.savez(file, values=values, hard=np.array(hard))
        os.replace(partial, path)
        return True
    except OSError:  # a workspace that cannot be written: the next run reads the files again
        return False
    finally:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
