"""The learning curve (bias or variance?) and adversarial validation (do train and test differ?)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import CompeteError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card
    from harness.kernels import Kernel

FRACTIONS = (0.1, 0.25, 0.5, 1.0)
SHIFT_FOLDS = 5


@dataclass(frozen=True)
class CurvePoint:
    """The scores at one share of each fold's training rows (fit: on those rows; valid: held out)."""

    fraction: float
    rows: int  # training rows per fold, on average
    fit_mean: float
    fit_std: float
    valid_mean: float
    valid_std: float


@dataclass(frozen=True)
class LearningCurve:
    points: tuple[CurvePoint, ...]
    skipped: tuple[str, ...]  # shares the kernel could not be fitted on, and why
    reading: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "points": [asdict(p) for p in self.points],
            "skipped": list(self.skipped),
            "reading": self.reading,
        }


@dataclass(frozen=True)
class Shift:
    """Adversarial validation: how well a classifier tells train rows from test rows, and on what."""

    auc: float
    auc_std: float
    features: tuple[tuple[str, float], ...]  # (column, share of the split gain), largest first
    reading: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "auc": self.auc,
            "auc_std": self.auc_std,
            "features": [{"column": c, "gain_share": g} for c, g in self.features],
            "reading": self.reading,
        }


def learning_curve(
    kernel: Kernel,
    card: Card,
    train: pd.DataFrame,
    plan: Sequence[Any],
    params: dict[str, Any],
    mode: str,
    greater: bool,
    fractions: Sequence[float] = FRACTIONS,
) -> LearningCurve:
    """Fit each fold on a random share of its training rows; score those rows and the held-out ones."""
    import numpy as np

    from harness.analysis.explain import predict_frames
    from harness.predictions import score_fold

    rng = np.random.default_rng(0)
    points, skipped = [], []
    for fraction in fractions:
        fit_scores, valid_scores, sizes = [], [], []
        try:
            for fold in plan:
                size = max(2, math.ceil(fraction * len(fold.train_rows)))
                chosen = np.sort(rng.choice(fold.train_rows, size=size, replace=False))
                fit = train.iloc[chosen].reset_index(drop=True)
                valid = train.iloc[fold.valid_rows].reset_index(drop=True)
                step = f"learning curve at {fraction:.0%}, fold {fold.number}"
                targets = list(card.target_columns)
                frames = [valid.drop(columns=targets), fit.drop(columns=targets)]
                held, own = predict_frames(kernel, card, step, fit, frames, params, mode)
                valid_scores.append(score_fold(card, valid[card.target], held))
                fit_scores.append(score_fold(card, fit[card.target], own))
                sizes.append(size)
        except CompeteError as exc:
            skipped.append(f"{fraction:.0%}: {exc}")
            continue
        points.append(
            CurvePoint(
                fraction,
                int(np.mean(sizes)),
                float(np.mean(fit_scores)),
                float(np.std(fit_scores, ddof=1)),
                float(np.mean(valid_scores)),
                float(np.std(valid_scores, ddof=1)),
            )
        )
    return LearningCurve(tuple(points), tuple(skipped), _reading(points, greater, len(plan)))


def _reading(points: list[CurvePoint], greater: bool, k: int) -> str:
    """The bias–variance reading of the curve's last two points."""
    if len(points) < 2:
        return "too few points to read the curve."
    sign = 1.0 if greater else -1.0
    last, before = points[-1], points[-2]
    noise = max(last.valid_std / math.sqrt(k), 1e-12)
    rise = sign * (last.valid_mean - before.valid_mean)
    gap = sign * (last.fit_mean - last.valid_mean)
    see = "(see compete theory bias-variance)"
    if rise > 2 * noise:
        return (
            f"the validation score still rises from {before.fraction:.0%} to 100% of the rows ({rise:+.4g}, "
            f"{rise / noise:.1f} standard errors): more data is the lever; the model has not used up what "
            f"the rows can teach {see}."
        )
    if gap > 4 * noise:
        return (
            f"the validation score has flattened but the fit score is {gap:.4g} better than it: variance; "
            f"regularise (smaller trees, fewer rounds, stronger penalties) or add diverse rows {see}."
        )
    return (
        f"fit and validation scores are close ({gap:+.4g}) and flat: bias; more data will not help, more "
        f"capacity will (new features, a more flexible model, weaker regularisation) {see}."
    )


def adversarial(ws: Workspace, card: Card) -> Shift:
    """Cross-validated ROC AUC of a LightGBM classifier telling train rows from test rows (the id and
    the target left out), and the columns its splits use most."""
    import lightgbm as lgb
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from harness.analysis.explain import feature_columns
    from harness.kernels import load_public

    train, test = load_public(ws, card)
    columns = feature_columns(card, train)
    both = pd.concat([train[columns], test[columns]], ignore_index=True)
    for column in columns:
        if not pd.api.types.is_numeric_dtype(both[column]):
            both[column] = both[column].astype("category")
    is_test = np.r_[np.zeros(len(train), dtype=int), np.ones(len(test), dtype=int)]
    options: dict[str, Any] = {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15, "verbose": -1}
    options |= {"n_jobs": 1, "random_state": 0}
    aucs: list[float] = []
    for fit, held in StratifiedKFold(SHIFT_FOLDS, shuffle=True, random_state=0).split(both, is_test):
        model = lgb.LGBMClassifier(**options).fit(both.iloc[fit], is_test[fit])
        scores = np.asarray(model.predict_proba(both.iloc[held]))[:, 1]
        aucs.append(float(roc_auc_score(is_test[held], scores)))
    model = lgb.LGBMClassifier(**options, importance_type="gain").fit(both, is_test)
    gains = np.asarray(model.feature_importances_, dtype=float)
    shares = gains / gains.sum() if gains.sum() > 0 else gains
    ranked = sorted(zip(columns, (float(s) for s in shares), strict=True), key=lambda cs: -cs[1])
    auc = float(np.mean(aucs))
    top = ", ".join(c for c, share in ranked[:3] if share > 0) or "none"
    see = "(see compete theory adversarial-validation)"
    if auc < 0.6:
        reading = f"train and test look alike (AUC {auc:.3f}): the folds stand for the test set {see}."
    elif auc < 0.75:
        reading = f"a mild shift (AUC {auc:.3f}), mostly in {top}: check how those columns differ {see}."
    else:
        reading = (
            f"train and test differ (AUC {auc:.3f}), mostly in {top}: the CV score may not carry over; "
            f"validate on the train rows most like test, or drop what drifts {see}."
        )
    return Shift(auc, float(np.std(aucs, ddof=1)), tuple(ranked), reading)
