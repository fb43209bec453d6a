"""The cross-validation folds of a competition, built from its card's `[cv]` table.

Every kernel, every `compete run` and every tuning trial is scored on the same folds: they depend only
on the training file, the scheme, `k` and the seed, never on the kernel.

    stratified  StratifiedKFold on the target (shuffled, seeded)
    kfold       KFold (shuffled, seeded)
    group       GroupKFold by the card's column: a group never sits on both sides (shuffled, seeded).
                The folds balance the number of groups, not of rows: the shuffled groups are dealt
                into k batches whose group counts differ by at most one, so a fold holding a few big
                groups validates on more rows than one holding small ones, and nothing balances the
                target across folds. The mean of the fold scores weighs each fold alike.
    time        expanding window: rows ordered by the card's column (then the id); fold i trains on
                everything before its validation block, which always lies in the future. The column
                is the time, and rows with equal times move together: a block's edges fall between
                two times, never inside one (see `_time_splits`)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from harness.competition import Card
from harness.errors import KernelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Fold:
    """One fold: row positions (into the training frame) to fit on and to score on."""

    number: int
    train_rows: np.ndarray
    valid_rows: np.ndarray


def make_folds(card: Card, train: pd.DataFrame, k: int | None = None) -> list[Fold]:
    """The folds of `train` under the card's CV scheme; `k` overrides the card's number of folds.

    Raises KernelError when the data cannot be split that way (too few rows, groups or members of a class).
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold

    k = k or card.cv.k
    if k < 2:
        raise KernelError(f"cross-validation needs at least 2 folds, not {k}; pass --folds 2 or more.")
    scheme, seed = card.cv.scheme, card.cv.seed
    positions = np.arange(len(train))
    try:
        if scheme == "stratified":
            splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(
                positions, train[card.target].astype(str)
            )
        elif scheme == "kfold":
            splits = KFold(n_splits=k, shuffle=True, random_state=seed).split(positions)
        elif scheme == "group":
            assert card.cv.column is not None
            groups = train[card.cv.column].astype(str).to_numpy()
            splits = GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(positions, groups=groups)
        elif scheme == "time":
            assert card.cv.column is not None
            splits = _time_splits(train, card.cv.column, card.id_column, k)
        else:  # pragma: no cover - the card parser refuses other schemes
            raise AssertionError(f"unknown CV scheme {scheme!r}")
        folds = [
            Fold(number, np.sort(fit), np.sort(valid)) for number, (fit, valid) in enumerate(splits, start=1)
        ]
    except ValueError as exc:
        raise KernelError(
            f"{card.slug}: cannot make {k} {scheme} folds of {len(train)} training rows: "
            f"{str(exc).rstrip('.')}; "
            "use fewer folds (--folds)."
        ) from None
    return folds


def check_foldable(card: Card, train: pd.DataFrame, k: int | None = None) -> int | None:
    """Whether `make_folds(card, train, k)` can split `train`, without building the folds (nor
    importing scikit-learn): raises the KernelError that make_folds would raise. Returns the number of
    rows of the smallest validation fold, or None for group folds (their sizes depend on the draw).
    """
    import numpy as np

    k = k or card.cv.k
    if k < 2:
        raise KernelError(f"cross-validation needs at least 2 folds, not {k}; pass --folds 2 or more.")
    scheme, n = card.cv.scheme, len(train)
    problem = None
    if k > n and scheme != "time":  # scikit-learn's own words, so both ways read alike
        problem = (
            f"Cannot have number of splits n_splits={k} greater than the number of samples: n_samples={n}"
        )
    elif scheme == "stratified":
        counts = train[card.target].astype(str).value_counts().to_numpy()
        if np.all(k > counts):
            problem = f"n_splits={k} cannot be greater than the number of members in each class"
    elif scheme == "group":
        assert card.cv.column is not None
        groups = train[card.cv.column].astype(str).nunique()
        if k > groups:
            problem = f"Cannot have number of splits n_splits={k} greater than the number of groups: {groups}"
    elif scheme == "time":
        assert card.cv.column is not None
        try:
            return min(len(valid) for _, valid in _time_splits(train, card.cv.column, card.id_column, k))
        except ValueError as exc:
            problem = str(exc)
    if problem is not None:
        raise KernelError(
            f"{card.slug}: cannot make {k} {scheme} folds of {n} training rows: {problem.rstrip('.')}; "
            "use fewer folds (--folds)."
        )
    return None if scheme == "group" else n // k  # k-fold and stratified deal rows round-robin


def _time_splits(
    train: pd.DataFrame, column: str, id_column: str, k: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Expanding-window splits of `train` by time, with whole times on each side.

    The rows are ordered by (time, id) and cut as scikit-learn's TimeSeriesSplit cuts them: k
    validation blocks of n // (k + 1) rows at the end, each fold training on everything before its
    block. Each cut then moves to the nearest edge between two times (the earlier one when both are
    as near), so rows of one date never sit on both sides. With one row per time nothing moves.
    Raises ValueError when the times are too few for k folds of at least one time each.
    """

    ordered = train.reset_index(drop=True).sort_values([column, id_column], kind="stable")
    order = ordered.index.to_numpy()
    times = ordered[column].to_numpy()
    n = len(order)
    size = n // (k + 1)
    if size == 0:
        raise ValueError(f"{n} rows are too few for {k} time-ordered folds")
    edges = time_edges(times)
    cuts = [nearest_edge(edges, n - (k - i) * size) for i in range(k + 1)]
    if cuts[0] == 0 or any(b <= a for a, b in pairwise(cuts)):
        raise ValueError(
            f"the {len(edges) - 1} distinct values of {column!r} cannot give {k} validation blocks that "
            "each hold whole times after some training rows"
        )
    for low, high in pairwise(cuts):
        yield order[:low], order[low:high]


def time_edges(times: np.ndarray) -> np.ndarray:
    """The positions in sorted `times` where a new time starts, and the end: the only places where a
    cut leaves rows of one time on one side. The first is always 0."""
    import numpy as np

    return np.r_[np.flatnonzero(np.r_[True, times[1:] != times[:-1]]), len(times)]


def nearest_edge(edges: np.ndarray, wanted: int) -> int:
    """The one of the sorted `edges` nearest the position `wanted` (the earlier when both are as near)."""
    import numpy as np

    right = int(np.searchsorted(edges, wanted, side="left"))
    below, above = edges[max(right - 1, 0)], edges[min(right, len(edges) - 1)]
    return int(below if wanted - below <= above - wanted else above)
