"""Paired differences of fold scores: the statistics behind `compare` and the ablations of `explain`.

Two kernels scored on the same folds give one difference per fold, `d_i`, oriented so that a positive
difference is a gain whatever the metric's direction. Its mean, standard deviation, the paired t
(`mean / (sd / sqrt(n))`) and a bootstrap interval of the mean over the folds say whether the gain is
larger than the folds' own noise. With repeated CV the folds of different repeats share rows, so the
t uses the corrected variance of Nadeau and Bengio, `(1/n + n_valid/n_train) sd^2`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

THEORY = "comparing-models"
SIGNIFICANT_P = 0.05
BOOTSTRAP_DRAWS = 10_000


@dataclass(frozen=True)
class Paired:
    """`challenger` against `baseline`, fold by fold (positive differences are gains)."""

    baseline: str
    challenger: str
    differences: tuple[float, ...]
    mean: float
    std: float
    standard_error: float
    t: float
    p_value: float
    ci_low: float
    ci_high: float
    wins: int
    losses: int
    corrected: bool
    verdict: str

    @property
    def n(self) -> int:
        return len(self.differences)

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANT_P and self.mean != 0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["differences"] = list(self.differences)
        out["n"] = self.n
        out["significant"] = self.significant
        return out


def paired(
    baseline: str,
    challenger: str,
    baseline_scores: Sequence[float],
    challenger_scores: Sequence[float],
    *,
    greater_is_better: bool,
    repeats: int = 1,
    valid_over_train: float | None = None,
) -> Paired:
    """The paired comparison of two score lists over the same folds, with a plain verdict."""
    import numpy as np
    from scipy import stats

    a = np.asarray(baseline_scores, dtype=float)
    b = np.asarray(challenger_scores, dtype=float)
    assert a.shape == b.shape and a.size >= 2
    d = (b - a) if greater_is_better else (a - b)
    n = d.size
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    corrected = repeats > 1 and valid_over_train is not None
    variance_factor = (1 / n + valid_over_train) if corrected and valid_over_train is not None else 1 / n
    se = math.sqrt(variance_factor) * sd
    if se == 0:
        t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        p = 1.0 if mean == 0 else 0.0
    else:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), df=n - 1))
    rng = np.random.default_rng(0)
    means = d[rng.integers(0, n, size=(BOOTSTRAP_DRAWS, n))].mean(axis=1)
    low, high = (float(v) for v in np.percentile(means, [2.5, 97.5]))
    wins, losses = int((d > 0).sum()), int((d < 0).sum())
    verdict = _verdict(baseline, challenger, n, mean, se, t, p, wins, losses)
    return Paired(
        baseline,
        challenger,
        tuple(float(v) for v in d),
        mean,
        sd,
        se,
        t,
        p,
        low,
        high,
        wins,
        losses,
        corrected,
        verdict,
    )


def _verdict(
    a: str, b: str, n: int, mean: float, se: float, t: float, p: float, wins: int, losses: int
) -> str:
    see = f"(see compete theory {THEORY})"
    if mean == 0 and wins == losses == 0:
        return f"{b} and {a} score the same on every fold {see}."
    size = "∞" if math.isinf(t) else f"{abs(t):.1f}"
    if p < SIGNIFICANT_P:
        how = (
            f"better on {wins} of {n} folds; the gain"
            if mean > 0
            else f"worse on {losses} of {n} folds; the loss"
        )
        return f"{b} is {how} is {size} standard errors (p = {p:.2g}) {see}."
    return (
        f"inside the noise: {b} is better than {a} on {wins} of {n} folds, by {mean:+.4g} ± {se:.2g} "
        f"({size} standard errors, p = {p:.2g}) {see}."
    )
