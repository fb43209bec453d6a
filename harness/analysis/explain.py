"""`compete explain KERNEL`: what a kernel relies on, on the competition's own folds.

- Permutation importance: each feature column the kernel receives is shuffled inside each validation
  fold and the fold is scored again; the metric's loss is the column's importance, fold by fold. A
  kernel that defines `fit` and `predict` is fitted once per fold and its models predict the shuffled
  copies; a kernel with only `fit_predict` is refitted: once per fold with every shuffled copy
  stacked under the validation rows when it passes the leak guard's contract (its predictions of a
  row do not depend on the other rows), else once per shuffled copy.
- Ablations (`drop`, `each`): `harness.analysis.ablation`.
- Worst rows: `harness.analysis.worst_rows`.
- Learning curve and adversarial validation: `harness.analysis.curves`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.analysis.ablation import Ablation, ablate, ablation_groups
from harness.analysis.worst_rows import worst_oof_rows
from harness.errors import KernelError, MetricError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.analysis.curves import LearningCurve, Shift
    from harness.competition import Card
    from harness.kernels import Kernel

Progress = Callable[[str, int, int], None]
SHUFFLES = 3
WORST_ROWS = 10
THEORY = {
    "importance": "feature-importance",
    "ablation": "comparing-models",
    "learning_curve": "bias-variance",
    "worst_rows": "error-analysis",
    "shift": "adversarial-validation",
}


@dataclass(frozen=True)
class Importance:
    """A column's permutation importance: the metric's loss when it is shuffled, fold by fold."""

    column: str
    mean: float
    std: float
    folds: tuple[float, ...]

    @property
    def above_noise(self) -> bool:
        """The mean loss is more than two standard errors of the folds above zero."""
        n = len(self.folds)
        return self.mean > 0 and (self.std == 0 or self.mean > 2 * self.std / n**0.5)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "folds": list(self.folds), "above_noise": self.above_noise}


@dataclass(frozen=True)
class Explanation:
    """Everything `compete explain` found about one kernel."""

    kernel: str
    competition: str
    id_column: str
    target_columns: tuple[str, ...]
    metric: str
    greater_is_better: bool
    k: int
    fold_scores: tuple[float, ...]
    mean: float
    refits: str  # how the shuffled copies were predicted
    importances: tuple[Importance, ...]
    ablations: tuple[Ablation, ...]
    worst_rows: tuple[dict[str, Any], ...]
    loss: str  # what a row's loss is
    wrong_rows: int | None  # rows with a loss above zero, for a label metric
    curve: LearningCurve | None = None
    shift: Shift | None = None
    report: Path | None = None
    theory: Mapping[str, str] = field(default_factory=lambda: dict(THEORY))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kernel": self.kernel,
            "competition": self.competition,
            "id_column": self.id_column,
            "target_columns": list(self.target_columns),
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "k": self.k,
            "fold_scores": list(self.fold_scores),
            "mean": self.mean,
            "refits": self.refits,
            "importances": [i.as_dict() for i in self.importances],
            "ablations": [a.as_dict() for a in self.ablations],
            "worst_rows": list(self.worst_rows),
            "loss": self.loss,
            "wrong_rows": self.wrong_rows,
            "learning_curve": self.curve.as_dict() if self.curve else None,
            "shift": self.shift.as_dict() if self.shift else None,
            "report": str(self.report) if self.report else None,
            "theory": dict(self.theory),
        }


def explain(
    ws: Workspace,
    name_or_path: str | Path,
    *,
    folds: int | None = None,
    params: Mapping[str, Any] | None = None,
    drop: Sequence[str] = (),
    each: bool = False,
    learning_curve: bool = False,
    shift: bool = False,
    worst: int = WORST_ROWS,
    shuffles: int = SHUFFLES,
    report: bool = True,
    progress: Progress | None = None,
) -> Explanation:
    """Permutation importance and worst rows of a kernel (and, when asked, ablations, a learning curve,
    adversarial validation); with `report`, plots and an HTML page under reports/<slug>/explain/.

    Raises AnalysisError for a dropped column that is not there or is the id or the target, KernelError
    for a kernel that fails.
    """
    import numpy as np

    from harness.competition import load_card
    from harness.folds import make_folds
    from harness.kernels import load_kernel, load_public
    from harness.metrics import get as get_metric
    from harness.overrides import check_overrides

    kernel = load_kernel(ws, name_or_path)
    check_overrides(kernel.name, kernel.info.params, params or {})
    card = load_card(ws, kernel.info.competition)
    train, _ = load_public(ws, card)
    columns = feature_columns(card, train)
    groups = ablation_groups(card, train, columns, drop, each)
    merged = {**kernel.info.params, **(params or {})}
    plan = make_folds(card, train, folds)
    greater = get_metric(card.metric).greater_is_better
    sign = 1.0 if greater else -1.0

    mode = _mode(kernel)
    copies = shuffles if mode != "refit" else 1
    rng = np.random.default_rng(0)
    base: list[float] = []
    losses: dict[str, list[float]] = {c: [] for c in columns}
    oof_parts: list[pd.DataFrame] = []
    steps = len(plan) + len(groups) + (1 if learning_curve else 0) + (1 if shift else 0)
    for fold in plan:
        label = f"fold {fold.number}/{len(plan)}"
        if progress:
            progress(f"importance, {label}", fold.number - 1, steps)
        fit = train.iloc[fold.train_rows].reset_index(drop=True)
        valid = train.iloc[fold.valid_rows].reset_index(drop=True)
        features = valid.drop(columns=list(card.target_columns))
        frames = [features]
        for column in columns:
            for _ in range(copies):
                shuffled = features.copy()
                shuffled[column] = features[column].to_numpy()[rng.permutation(len(features))]
                frames.append(shuffled)
        predictions = predict_frames(kernel, card, label, fit, frames, merged, mode)
        scores = [_score(kernel, card, label, valid, p) for p in predictions]
        base.append(scores[0])
        part = predictions[0].copy()
        part.index = fold.valid_rows
        oof_parts.append(part)
        for i, column in enumerate(columns):
            mine = scores[1 + i * copies : 1 + (i + 1) * copies]
            losses[column].append(float(np.mean([sign * (scores[0] - s) for s in mine])))

    importances = sorted(
        (Importance(c, float(np.mean(v)), float(np.std(v, ddof=1)), tuple(v)) for c, v in losses.items()),
        key=lambda imp: -imp.mean,
    )
    import pandas as pd

    oof = pd.concat(oof_parts).sort_index()
    worst_rows, loss_name, wrong = worst_oof_rows(card, train, oof, plan, worst)

    ablations = []
    for i, group in enumerate(groups):
        if progress:
            progress(f"without {', '.join(group)}", len(plan) + i, steps)
        ablations.append(ablate(ws, kernel, card, plan, merged, group, base, greater))

    curve = shifted = None
    done = len(plan) + len(groups)
    if learning_curve:
        from harness.analysis.curves import learning_curve as make_curve

        if progress:
            progress("learning curve", done, steps)
        curve = make_curve(kernel, card, train, plan, merged, mode, greater)
        done += 1
    if shift:
        from harness.analysis.curves import adversarial

        if progress:
            progress("train against test", done, steps)
        shifted = adversarial(ws, card)
    if progress:
        progress("done", steps, steps)

    result = Explanation(
        kernel=kernel.name,
        competition=card.slug,
        id_column=card.id_column,
        target_columns=tuple(card.target_columns),
        metric=card.metric,
        greater_is_better=greater,
        k=len(plan),
        fold_scores=tuple(base),
        mean=float(np.mean(base)),
        refits=_refits_note(mode, len(plan), copies),
        importances=tuple(importances),
        ablations=tuple(ablations),
        worst_rows=tuple(worst_rows),
        loss=loss_name,
        wrong_rows=wrong,
        curve=curve,
        shift=shifted,
    )
    if report:
        from dataclasses import replace

        from harness.analysis.report import write_report

        result = replace(result, report=write_report(ws, kernel.info, result))
    return result


def feature_columns(card: Card, train: pd.DataFrame) -> list[str]:
    """The raw columns a kernel receives as features: all of train's but the id and the target."""
    skip = {card.id_column, *card.target_columns}
    return [str(c) for c in train.columns if c not in skip]


def _mode(kernel: Kernel) -> str:
    """How shuffled copies are predicted: "models" (fit and predict), "stacked" or "refit"."""
    from harness.analysis.leakguard import declares_test_features

    if kernel.separable:
        return "models"
    return "refit" if declares_test_features(kernel) else "stacked"


def _refits_note(mode: str, k: int, copies: int) -> str:
    if mode == "models":
        return (
            f"each fold's model predicted the shuffled copies ({k} fits in all, {copies} shuffles a column)"
        )
    if mode == "stacked":
        return (
            f"the kernel has no fit and predict, so it was refitted once per fold with every shuffled copy "
            f"stacked under the validation rows ({k} fits, {copies} shuffles a column); define fit(train, "
            "params) and predict(model, test) to reuse the models"
        )
    return (
        f"the kernel has no fit and predict and declares that it uses test features, so it was "
        f"refitted for every shuffled column ({copies} shuffle a column)"
    )


def predict_frames(
    kernel: Kernel,
    card: Card,
    step: str,
    fit: pd.DataFrame,
    frames: Sequence[pd.DataFrame],
    params: dict[str, Any],
    mode: str,
) -> list[pd.DataFrame]:
    """The kernel fitted on `fit`, predicting each of `frames` (as the submission's columns)."""
    import pandas as pd

    from harness.predictions import normalize_predictions

    def guarded(call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except Exception as exc:
            raise KernelError(
                f"kernel {kernel.name!r} raised in {step}: {type(exc).__name__}: {exc}"
            ) from exc

    if mode == "models":
        model = guarded(kernel.fit, fit, params)
        raw = [guarded(kernel.predict, model, f.copy()) for f in frames]
    elif mode == "stacked" and len(frames) > 1:
        stacked = pd.concat(frames, ignore_index=True)
        together = normalize_predictions(
            kernel.name, step, card, guarded(kernel.fit_predict, fit, stacked, params), stacked
        )
        out, start = [], 0
        for f in frames:
            out.append(together.iloc[start : start + len(f)].reset_index(drop=True))
            start += len(f)
        return out
    else:
        raw = [guarded(kernel.fit_predict, fit, f.copy(), params) for f in frames]
    return [normalize_predictions(kernel.name, step, card, r, f) for r, f in zip(raw, frames, strict=True)]


def _score(kernel: Kernel, card: Card, step: str, valid: pd.DataFrame, predictions: pd.DataFrame) -> float:
    from harness.predictions import score_fold

    try:
        return score_fold(card, valid[card.target], predictions)
    except MetricError as exc:
        raise KernelError(f"kernel {kernel.name!r}, {step}: {exc}") from None
