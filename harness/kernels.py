"""The kernel contract: discover kernels, load one, cross-validate it, predict the test set.

A kernel is a Python file in the percent notebook format (`kernels/<slug>/<name>.py`, named
`<slug>/<name>` everywhere) that defines at module level:

    KERNEL = {"competition": "titanic", "title": "...", "techniques": ["gradient-boosting", ...]}
    PARAMS = {...}                                   # default parameters (optional, may be empty)
    def search_space(trial) -> dict: ...             # optional: an Optuna search space
    def fit_predict(train, test, params): ...        # fit on train (features + target), predict test

or, instead of (or beside) `fit_predict`, the pair `fit(train, params) -> model` and
`predict(model, test) -> predictions`: the harness can then keep each fold's model (`compete explain`
predicts with it again on shuffled columns instead of refitting). A kernel defining all three must make
`fit_predict(train, test, params)` equal `predict(fit(train, params), test)`.

`fit_predict` may take a fourth parameter, `fold` (see `harness.fold_context`): the fold's validation
rows with their target, and callbacks for pruning a tuning trial by boosting round.

`fit_predict` returns predictions in the order of `test`'s rows: a 1-D array or Series for label,
probability and value metrics; a 2-D array (n, K) in the card's class order, or a DataFrame with one
column per class, for class-probability metrics. The harness adds the ids, checks the shape, scores
each fold with the competition's own metric SQL (the same SQL `compete submit` runs) and writes the
test predictions as a submission file `submissions/<slug>/runs/<name>-<UTC time>.csv`. The summary of
the last full run of each kernel in `kernels/` is kept in `.compete/<slug>/runs/<name>.json`.

Kernels only ever see public data (`data/<slug>/train.csv` and `test.csv`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from harness.competition import Card, competition_names, load_card
from harness.errors import KernelError, MetricError, NotPrepared, UnknownName
from harness.fold_context import Fold as FoldContext
from harness.fold_context import accepts_fold
from harness.predictions import normalize_predictions, score_fold
from harness.workspace import Workspace, find_workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.folds import Fold
    from harness.public import PublicData

TECHNIQUES = (
    "feature-engineering",
    "one-hot-encoding",
    "target-encoding",
    "missing-values",
    "log-transform",
    "text-features",
    "lag-features",
    "gradient-boosting",
    "decision-tree",
    "random-forest",
    "logistic-regression",
    "linear-regression",
    "regularization",
    "k-nearest-neighbors",
    "naive-bayes",
    "gradient-descent",
    "early-stopping",
    "from-scratch",
    "class-imbalance",
    "calibration",
    "ensembling",
    "hyperparameter-tuning",
    "cross-validation",
    "stratified-folds",
    "grouped-folds",
    "time-series-folds",
    "leakage",
    "baseline",
)
"""The technique tags a kernel (and a theory note) may declare."""

KERNEL_KEYS = ("competition", "title", "techniques")
TEMPLATE_FILE = "_template.py"
RUNS_DIR = "runs"
FINAL_FIT = "final fit"

# Called after each step of a run: (step label, steps done, steps in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class KernelInfo:
    """What a kernel declares, and where it lives."""

    name: str
    path: Path
    competition: str
    title: str
    techniques: tuple[str, ...]
    params: Mapping[str, Any]
    tunable: bool
    in_workspace: bool  # the file lies in kernels/<slug>/: named <slug>/<stem>, its last run remembered
    reference: bool  # a reference solution: in kernels/ and declaring KERNEL["reference"] = True

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["path"] = str(self.path)
        out["params"] = dict(self.params)
        out["techniques"] = list(self.techniques)
        return out


@dataclass(frozen=True)
class Kernel:
    """A loaded kernel: its declarations and its module (which holds `fit_predict`)."""

    info: KernelInfo
    module: ModuleType

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def separable(self) -> bool:
        """Whether the kernel defines `fit` and `predict`, so a fitted model can predict again."""
        return callable(getattr(self.module, "fit", None)) and callable(getattr(self.module, "predict", None))

    @property
    def has_fit_predict(self) -> bool:
        return callable(getattr(self.module, "fit_predict", None))

    def fit_predict(
        self,
        train: pd.DataFrame,
        test: pd.DataFrame,
        params: Mapping[str, Any],
        fold: FoldContext | None = None,
    ) -> Any:
        if self.has_fit_predict:
            if fold is not None and accepts_fold(self.module.fit_predict):
                return self.module.fit_predict(train, test, dict(params), fold=fold)
            return self.module.fit_predict(train, test, dict(params))
        return self.predict(self.fit(train, params), test)

    def fit(self, train: pd.DataFrame, params: Mapping[str, Any]) -> Any:
        return self.module.fit(train, dict(params))

    def predict(self, model: Any, test: pd.DataFrame) -> Any:
        return self.module.predict(model, test)

    def search_space(self, trial: Any) -> dict[str, Any]:
        """The kernel's Optuna search space for `trial`; KernelError if it declares none."""
        space = getattr(self.module, "search_space", None)
        if space is None:
            raise KernelError(f"kernel {self.name!r} defines no search_space(trial), so it cannot be tuned.")
        params = space(trial)
        if not isinstance(params, dict):
            raise KernelError(f"kernel {self.name!r}: search_space(trial) must return a dict of parameters.")
        return params


@dataclass(frozen=True)
class CVResult:
    """The cross-validated score of a kernel on its competition's folds, and its test predictions."""

    kernel: str
    competition: str
    metric: str
    greater_is_better: bool
    scheme: str
    fold_scores: tuple[float, ...]
    mean: float
    std: float
    train_rows: int
    params: Mapping[str, Any]
    seconds: float
    ran_at: datetime
    predictions_path: Path | None = None
    test_rows: int = 0
    fold_seconds: tuple[float, ...] = field(default=())
    # Kept in memory, not in as_dict: one row per train row (id, fold, prediction columns) in the
    # train file's order, and each fold's fitted model (with `keep_models`, for a separable kernel).
    oof: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    models: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    test_predictions: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def folds(self) -> int:
        return len(self.fold_scores)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(replace(self, oof=None, models=(), test_predictions=None))
        del out["oof"], out["models"], out["test_predictions"]
        out["fold_scores"] = list(self.fold_scores)
        out["fold_seconds"] = list(self.fold_seconds)
        out["params"] = dict(self.params)
        out["folds"] = self.folds
        out["ran_at"] = self.ran_at.isoformat()
        out["predictions_path"] = str(self.predictions_path) if self.predictions_path else None
        return out


# --- discovery and loading ------------------------------------------------------------------------


def kernel_names(ws: Workspace, slug: str | None = None) -> list[str]:
    """Every kernel in `kernels/` as `<slug>/<name>`, sorted; files starting with `_` are skipped."""
    root = ws.kernels_dir
    if not root.is_dir():
        return []
    names = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if slug is not None and folder.name != slug:
            continue
        names += [
            f"{folder.name}/{f.stem}" for f in sorted(folder.glob("*.py")) if not f.name.startswith("_")
        ]
    return names


def kernel_path(ws: Workspace, name_or_path: str | Path) -> Path:
    """The file of a kernel given as `<slug>/<name>` or as a path to a `.py` file.

    Raises UnknownName for a name that is not in `kernels/`, KernelError for a missing file.
    """
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if text.endswith(".py") or candidate.is_file():
        if not candidate.is_file():
            raise KernelError(
                f"no kernel file {text}; give a path to a .py file or a name such as titanic/baseline."
            )
        return candidate.resolve()
    path = ws.kernels_dir / f"{text}.py"
    if not path.is_file() or Path(text).name.startswith("_"):
        raise UnknownName(
            "kernel",
            text,
            kernel_names(ws),
            hint="Give a name as <competition>/<kernel> or a path to a .py file.",
        )
    return path.resolve()


def load_kernel(ws: Workspace, name_or_path: str | Path) -> Kernel:
    """Import a kernel by name or path and check its declarations.

    Raises KernelError for a file that fails to import or declares its metadata wrongly.
    """
    path = kernel_path(ws, name_or_path)
    module = _import(path)
    info = _check(ws, path, module)
    return Kernel(info, module)


def _import(path: Path) -> ModuleType:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"compete_kernels.{stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise KernelError(f"{path}: cannot be imported as a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling inside the kernel need it
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise KernelError(
            f"kernel {path} failed to load: {type(exc).__name__}: {exc}. "
            "Module-level code must only define things; run `python` on the file to see the traceback."
        ) from exc
    return module


def _check(ws: Workspace, path: Path, module: ModuleType) -> KernelInfo:
    where = str(path)
    meta = getattr(module, "KERNEL", None)
    if not isinstance(meta, dict):
        raise KernelError(
            f"{where}: defines no KERNEL dict; add KERNEL = {{'competition': ..., 'title': ..., "
            "'techniques': [...]} at module level (see kernels/README.md)."
        )
    missing = [key for key in KERNEL_KEYS if key not in meta]
    if missing:
        raise KernelError(f"{where}: KERNEL lacks {', '.join(map(repr, missing))}; see kernels/README.md.")
    competition, title, techniques = meta["competition"], meta["title"], meta["techniques"]
    known = competition_names(ws)
    if competition not in known:
        raise KernelError(
            f"{where}: KERNEL['competition'] is {competition!r}, which is not a competition here; "
            f"valid: {', '.join(known)}."
        )
    if not isinstance(title, str) or not title.strip():
        raise KernelError(f"{where}: KERNEL['title'] must be a non-empty string.")
    if not isinstance(techniques, list | tuple) or not techniques:
        raise KernelError(f"{where}: KERNEL['techniques'] must be a non-empty list of technique tags.")
    unknown = [t for t in techniques if t not in TECHNIQUES]
    if unknown:
        raise KernelError(
            f"{where}: unknown technique tag(s) {', '.join(map(repr, unknown))}; "
            f"use tags from: {', '.join(TECHNIQUES)}."
        )
    separable = callable(getattr(module, "fit", None)) and callable(getattr(module, "predict", None))
    if not callable(getattr(module, "fit_predict", None)) and not separable:
        raise KernelError(
            f"{where}: defines no fit_predict(train, test, params) function "
            "(nor the pair fit(train, params) and predict(model, test))."
        )
    params = getattr(module, "PARAMS", {})
    if not isinstance(params, dict):
        raise KernelError(f"{where}: PARAMS must be a dict of default parameters.")
    space = getattr(module, "search_space", None)
    if space is not None and not callable(space):
        raise KernelError(f"{where}: search_space must be a function search_space(trial) -> dict.")

    declared_reference = meta.get("reference", False)
    if not isinstance(declared_reference, bool):
        raise KernelError(f"{where}: KERNEL['reference'] must be True or False (leave it out for your own).")
    kernels_root = ws.kernels_dir.resolve()
    in_workspace = path.is_relative_to(kernels_root)
    if in_workspace:
        relative = path.relative_to(kernels_root)
        folder = relative.parts[0] if len(relative.parts) > 1 else None
        if folder != competition:
            raise KernelError(
                f"{where}: KERNEL['competition'] is {competition!r} but the file lies in "
                f"kernels/{folder or ''}; move it to kernels/{competition}/ or fix the competition."
            )
    return KernelInfo(
        name=f"{competition}/{path.stem}",
        path=path,
        competition=competition,
        title=title.strip(),
        techniques=tuple(techniques),
        params=dict(params),
        tunable=space is not None,
        in_workspace=in_workspace,
        reference=in_workspace and declared_reference,
    )


# --- data -----------------------------------------------------------------------------------------


def load_public(ws: Workspace, card: Card) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The competition's public `train.csv` and `test.csv`; NotPrepared when they are absent.

    Read after passing through the door, which keeps the hidden labels out of `data/` while open.
    """
    import pandas as pd

    from harness.session import open_competition

    with open_competition(ws, card.slug, prepared=False, card=card):
        pass
    folder = ws.data_dir(card.slug)
    if not (folder / "train.csv").is_file() or not (folder / "test.csv").is_file():
        raise NotPrepared(card.slug)
    return pd.read_csv(folder / "train.csv"), pd.read_csv(folder / "test.csv")


# --- cross-validation -----------------------------------------------------------------------------


def cross_validate(
    ws: Workspace,
    kernel: Kernel,
    *,
    folds: int | None = None,
    params: Mapping[str, Any] | None = None,
    rows: int | None = None,
    progress: Progress | None = None,
    on_score: Callable[[int, float], None] | None = None,
    predict_test: bool = False,
    keep_models: bool = False,
    plan: Sequence[Fold] | None = None,
    fold_context: Callable[[int, int, pd.DataFrame | None], FoldContext] = FoldContext,
    data: PublicData | None = None,
) -> CVResult:
    """Score `kernel` on its competition's folds; with `predict_test`, also fit on all of train and
    write the test predictions as a submission file.

    `folds` overrides the card's number of folds, `params` the kernel's PARAMS (merged over them),
    `rows` keeps only the first rows of train (quick checks). `on_score(fold_number, score)` is called
    after each fold; an exception it raises (such as Optuna's TrialPruned) stops the run as it is.
    The result holds the out-of-fold predictions (`oof`); with `keep_models`, a kernel that defines
    `fit` and `predict` also hands back each fold's model. `plan` replaces the card's folds (repeated
    CV with other seeds); the card's folds stay the official ones.
    `fold_context(number, folds, valid)` makes the `fold` argument a kernel may take (a tuning trial
    passes one that knows the trial). `data` is the competition's public data already read
    (`harness.public.read_public`), so that many runs on it (a tuning study) read it once.
    Raises KernelError naming the kernel and the fold when the kernel raises or returns predictions of
    the wrong shape, NaN or unknown labels.
    """
    import numpy as np
    import pandas as pd

    from harness.folds import make_folds
    from harness.metrics import get as get_metric

    if data is not None and data.card.slug != kernel.info.competition:
        raise ValueError(f"data of {data.card.slug!r} given for a kernel of {kernel.info.competition!r}")
    card = data.card if data is not None else load_card(ws, kernel.info.competition)
    metric = get_metric(card.metric)
    train, test = (data.train, data.test) if data is not None else load_public(ws, card)
    if rows is not None:
        train = train.iloc[:rows].reset_index(drop=True)
    merged = {**kernel.info.params, **(params or {})}
    plan = list(plan) if plan is not None else make_folds(card, train, folds)
    steps = len(plan) + (1 if predict_test else 0)
    started, ran_at = time.perf_counter(), _utc_now()

    scores: list[float] = []
    seconds: list[float] = []
    out_of_fold: list[pd.DataFrame] = []
    models: list[Any] = []
    for fold in plan:
        label = f"fold {fold.number}/{len(plan)}"
        if progress:
            progress(label, fold.number - 1, steps)
        tic = time.perf_counter()
        fit = train.iloc[fold.train_rows].reset_index(drop=True)
        valid = train.iloc[fold.valid_rows].reset_index(drop=True)
        features = valid.drop(columns=list(card.target_columns))
        # fit_predict stays the path of a plain run when the kernel defines it (options the harness
        # passes to it keep working); fit and predict serve kernels without it and kept models.
        context = fold_context(fold.number, len(plan), valid.copy())  # the kernel may change it
        if kernel.separable and (keep_models or not kernel.has_fit_predict):
            model = _fit(kernel, label, fit, merged)
            predicted = _predict(kernel, label, model, features)
            if keep_models:
                models.append(model)
        else:
            predicted = _call(kernel, label, fit, features, merged, context)
        frame = normalize_predictions(kernel.name, label, card, predicted, features)
        out_of_fold.append(_oof_rows(card, fold, valid, frame))
        try:
            scores.append(score_fold(card, valid[card.target], frame))
        except MetricError as exc:
            raise KernelError(f"kernel {kernel.name!r}, {label}: {exc}") from None
        seconds.append(time.perf_counter() - tic)
        if on_score:
            on_score(fold.number, scores[-1])

    path = tested = None
    if predict_test:
        if progress:
            progress(FINAL_FIT, len(plan), steps)
        predicted = _call(kernel, FINAL_FIT, train, test.copy(), merged, fold_context(0, len(plan), None))
        frame = normalize_predictions(kernel.name, FINAL_FIT, card, predicted, test)
        path = write_submission(ws, card, kernel.info, test, frame, ran_at)
        tested = frame.copy()
        tested.insert(0, card.id_column, test[card.id_column].to_numpy())
    if progress:
        progress("done", steps, steps)

    values = np.asarray(scores, dtype=float)
    return CVResult(
        kernel=kernel.name,
        competition=card.slug,
        metric=card.metric,
        greater_is_better=metric.greater_is_better,
        scheme=card.cv.scheme,
        fold_scores=tuple(float(v) for v in values),
        mean=float(values.mean()),
        std=float(values.std(ddof=0)),
        train_rows=len(train),
        params=merged,
        seconds=time.perf_counter() - started,
        ran_at=ran_at,
        predictions_path=path,
        test_rows=len(test) if predict_test else 0,
        fold_seconds=tuple(seconds),
        oof=pd.concat(out_of_fold).sort_index(kind="stable").reset_index(drop=True),
        models=tuple(models),
        test_predictions=tested,
    )


def _oof_rows(card: Card, fold: Fold, valid: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A fold's predictions with the id and the fold, indexed by the rows' positions in train."""
    import numpy as np
    import pandas as pd

    # built in one go from the columns' arrays (their dtypes kept): inserting columns into a copy
    # costs several times more, once per fold of every tuning trial
    columns = {card.id_column: valid[card.id_column].array, "fold": np.full(len(frame), fold.number)}
    columns.update({column: frame[column].array for column in frame.columns})
    return pd.DataFrame(columns, index=fold.valid_rows)


def _fit(kernel: Kernel, step: str, train: pd.DataFrame, params: dict[str, Any]) -> Any:
    try:
        return kernel.fit(train, params)
    except Exception as exc:
        raise KernelError(f"kernel {kernel.name!r} raised in {step}: {type(exc).__name__}: {exc}") from exc


def _predict(kernel: Kernel, step: str, model: Any, test: pd.DataFrame) -> Any:
    try:
        return kernel.predict(model, test)
    except Exception as exc:
        raise KernelError(f"kernel {kernel.name!r} raised in {step}: {type(exc).__name__}: {exc}") from exc


def _call(
    kernel: Kernel,
    step: str,
    train: pd.DataFrame,
    test: pd.DataFrame,
    params: dict[str, Any],
    fold: FoldContext,
) -> Any:
    try:
        return kernel.fit_predict(train, test, params, fold)
    except Exception as exc:
        if type(exc).__name__ == "TrialPruned":  # a pruning callback stopped a tuning trial: not a failure
            raise
        from harness.tracebacks import own_frames

        raise KernelError(
            f"kernel {kernel.name!r} raised in {step}: {type(exc).__name__}: {exc}"
            + own_frames(exc, kernel.info.path)
        ) from exc


# --- outputs --------------------------------------------------------------------------------------


def write_submission(
    ws: Workspace, card: Card, info: KernelInfo, test: pd.DataFrame, predictions: pd.DataFrame, when: datetime
) -> Path:
    """Write the id column and the prediction columns to `submissions/<slug>/runs/<name>-<time>.csv`."""
    frame = predictions.copy()
    frame.insert(0, card.id_column, test[card.id_column].to_numpy())
    folder = ws.submissions_dir(card.slug) / RUNS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = info.path.stem if info.in_workspace else f"{info.path.stem}-own"
    path = folder / f"{stem}-{when.strftime('%Y%m%dT%H%M%S%fZ')}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


# --- study ----------------------------------------------------------------------------------------


# --- authoring ------------------------------------------------------------------------------------


# --- running a kernel file as a script -------------------------------------------------------------


def main(path: str | Path) -> None:
    """Run the kernel at `path` through the harness and print its CV score (for `python kernel.py`).

    The workspace is the kernel's own (the file lies in the project), else the one `compete run`
    finds from the current directory (a kernel kept elsewhere, run from inside the project).
    """
    import sys

    from harness.errors import NoWorkspace, ending
    from harness.runs import run_kernel

    file = Path(path).resolve()
    try:
        try:
            ws = find_workspace(file.parent)
        except NoWorkspace:
            ws = find_workspace()
        result = run_kernel(ws, file)
    except BaseException as exc:  # said as `compete run` says it, without the harness's traceback
        end = ending(exc)
        if end is None:
            raise
        print(end[0], file=sys.stderr)
        raise SystemExit(end[1]) from None
    folds = ", ".join(f"{s:.5f}" for s in result.fold_scores)
    print(f"{result.kernel}: {result.metric} {result.mean:.5f} ± {result.std:.5f} over folds [{folds}]")
    print(f"test predictions: {result.predictions_path}")


def _optional_module(name: str) -> ModuleType | None:
    """A harness module that a newer version provides, or None while it is absent."""
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def _utc_now() -> datetime:
    from harness.store import utc_now

    return utc_now()
