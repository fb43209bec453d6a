"""Each submission's public rows as the bootstrap needs them, kept between runs.

For a metric that is a mean over rows (see `stats.MEAN_OF_ROWS`), the bootstrap needs only each
public row's value of the metric. Working them out reads every kept file; they are kept under
`reports/<slug>/.cache/`, one small file per submission, named by the file's SHA-256 (from the
ledger) and a key of the metric, its options and the public rows' labels, so that another file,
another metric or another public/private split never meets an old value. A cache that cannot be
written or read is only a slower run. For any other metric the files are read every time.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness import validation
from harness.reports import stats
from harness.reports.history import Entry, History, load_predictions

if TYPE_CHECKING:
    import numpy as np

CACHE = ".cache"
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
    folder = history.ws.reports_dir(history.card.slug) / CACHE
    key = _key(history)
    kept: dict[str, tuple[np.ndarray, bool]] = {}
    missing = []
    for entry in entries:
        found = _read(folder / f"{entry.sha256}-{key}.npz", history.public_rows)
        if found is None:
            missing.append(entry)
        else:
            kept[entry.ref] = found
    if missing:
        refs, values, hard = stats.public_row_values(history, missing, rules)
        by_ref = {e.ref: e for e in missing}
        for k, ref in enumerate(refs):
            kept[ref] = (values[:, k], ref in hard)
            _write(folder / f"{by_ref[ref].sha256}-{key}.npz", values[:, k], ref in hard)
    refs = [e.ref for e in entries if e.ref in kept]
    matrix = np.column_stack([kept[r][0] for r in refs]) if refs else np.empty((history.public_rows, 0))
    return PublicRows(tuple(refs), matrix, frozenset(r for r in refs if kept[r][1]))


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
    except (OSError, KeyError, ValueError):
        return None
    return (values, hard) if values.shape == (rows,) else None


def _write(path: os.PathLike[str], values: np.ndarray, hard: bool) -> None:
    import numpy as np

    target = os.fspath(path)
    partial = f"{target}.partial-{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(partial, "wb") as file:
            np.savez(file, values=values, hard=np.array(hard))
        os.replace(partial, target)
    except OSError:  # a workspace that cannot be written: the next run reads the files again
        try:
            os.unlink(partial)
        except OSError:
            pass
