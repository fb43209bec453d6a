"""`compete studies` and `compete study show`: what each study found, and how much of it is noise.

The best trial's gain over the kernel's default PARAMS (the study's first trial runs them) is set
beside the spread of the best trial's fold scores: a gain smaller than the standard deviation over
folds is within the noise of the folds themselves, and the report says so.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.tuning.study import DEFAULTS_ATTR, ERROR_ATTR, FOLD_SCORES_ATTR, Identity
from harness.workspace import Workspace

if TYPE_CHECKING:
    import optuna

THEORY_NOTE = "hyperparameter-tuning"
TOP = 10


@dataclass(frozen=True)
class StudySummary:
    """One row of `compete studies`."""

    name: str
    competition: str
    kernel: str
    metric: str
    direction: str
    trials: int  # complete
    pruned: int
    failed: int
    best_value: float | None
    best_trial: int | None
    best_params: dict[str, Any]
    last_run: datetime | None
    storage: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TrialRow:
    """A trial as `study show` lists it."""

    number: int
    state: str
    value: float | None
    fold_scores: tuple[float, ...]
    fold_std: float | None
    params: dict[str, Any]
    defaults: bool
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["fold_scores"] = list(self.fold_scores)
        return out


@dataclass(frozen=True)
class Gain:
    """The best trial against the kernel's defaults, in the metric's units (positive: better)."""

    defaults_value: float
    best_value: float
    gain: float
    fold_std: float  # of the best trial's fold scores
    paired_std: float | None  # of the per-fold differences, best minus defaults
    within_noise: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StudyDetail:
    """`compete study show`: the summary, the top trials, importances, the gain over the defaults."""

    summary: StudySummary
    identity: Identity
    top: tuple[TrialRow, ...]
    importances: dict[str, float]
    importances_note: str | None
    gain: Gain | None
    gain_note: str | None
    theory: str
    plots: dict[str, str] = field(default_factory=dict)  # name -> path
    page: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary.as_dict(),
            "identity": asdict(self.identity),
            "top_trials": [t.as_dict() for t in self.top],
            "importances": self.importances,
            "importances_note": self.importances_note,
            "gain": self.gain.as_dict() if self.gain else None,
            "gain_note": self.gain_note,
            "theory": self.theory,
            "plots": self.plots,
            "page": self.page,
        }


def list_studies(
    ws: Workspace, slug: str | None = None, storage_url: str | None = None
) -> list[StudySummary]:
    """Every study compete made: in `storage_url`, or else in each competition's local journal
    (only `slug`'s when given). Raises UnknownName for an unknown slug, StorageError."""
    import optuna

    from harness.competition import competition_names, load_card
    from harness.tuning.storage import default_path, describe, open_storage

    if slug is not None:
        load_card(ws, slug)
    places: list[tuple[Any, str]] = []
    if storage_url is not None:
        places.append((open_storage(storage_url, ws, ""), describe(storage_url, ws, "")))
    else:
        for name in competition_names(ws):
            if (slug is None or name == slug) and default_path(ws, name).is_file():
                places.append((open_storage(None, ws, name), describe(None, ws, name)))
    rows = []
    for storage, where in places:
        for frozen in storage.get_all_studies():
            identity = Identity.from_attrs(frozen.user_attrs)
            if identity is None or (slug is not None and identity.competition != slug):
                continue
            study = optuna.load_study(study_name=frozen.study_name, storage=storage)
            rows.append(summarize(study, identity, where))
    return sorted(rows, key=lambda r: (r.competition, r.name))


def summarize(study: optuna.Study, identity: Identity, where: str) -> StudySummary:
    from harness.tuning.run import counts

    now = counts(study)
    trials = study.get_trials(deepcopy=False)
    best = _best(study)
    ends = [when for t in trials if (when := t.datetime_complete or t.datetime_start) is not None]
    return StudySummary(
        name=study.study_name,
        competition=identity.competition,
        kernel=identity.kernel,
        metric=identity.metric,
        direction=identity.direction,
        trials=now.complete,
        pruned=now.pruned,
        failed=now.failed,
        best_value=best.value if best else None,
        best_trial=best.number if best else None,
        best_params=dict(best.params) if best else {},
        last_run=max(ends) if ends else None,
        storage=where,
    )


def show_study(
    ws: Workspace, name: str, storage_url: str | None = None, *, plots: bool = True
) -> StudyDetail:
    """The study `name` in detail; with `plots`, its plots are written under
    `reports/<slug>/studies/<name>/` (PNG files and one HTML page). Raises UnknownName, StorageError."""
    from harness.tuning.storage import describe
    from harness.tuning.study import find

    study, identity = find(ws, name, storage_url)
    summary = summarize(study, identity, describe(storage_url, ws, identity.competition))
    complete = _complete(study)
    maximize = identity.direction == "maximize"
    ranked = sorted(complete, key=lambda t: t.value if t.value is not None else 0.0, reverse=maximize)
    top = tuple(_row(t) for t in ranked[:TOP])
    importances, note = _importances(study, len(complete))
    gain, gain_note = _gain(study, maximize)
    detail = StudyDetail(summary, identity, top, importances, note, gain, gain_note, THEORY_NOTE)
    if not plots:
        return detail
    from harness.tuning.plots import write_plots

    return write_plots(ws, study, detail)


def report_dir(ws: Workspace, slug: str, name: str) -> Path:
    """Where a study's plots and page go: `reports/<slug>/studies/<name>/` (`/` in a name becomes `--`)."""
    return ws.reports_dir(slug) / "studies" / name.replace("/", "--")


def _complete(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    from optuna.trial import TrialState

    return [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]


def _best(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    complete = _complete(study)
    if not complete:
        return None
    pick = max if study.direction.name == "MAXIMIZE" else min
    return pick(complete, key=lambda t: float(t.value))  # type: ignore[arg-type]


def _row(trial: optuna.trial.FrozenTrial) -> TrialRow:
    scores = tuple(float(s) for s in trial.user_attrs.get(FOLD_SCORES_ATTR, ()))
    return TrialRow(
        number=trial.number,
        state=trial.state.name.lower(),
        value=trial.value,
        fold_scores=scores,
        fold_std=statistics.pstdev(scores) if len(scores) > 1 else None,
        params=dict(trial.params),
        defaults=bool(trial.user_attrs.get(DEFAULTS_ATTR)),
        error=trial.user_attrs.get(ERROR_ATTR),
    )


def _importances(study: optuna.Study, complete: int) -> tuple[dict[str, float], str | None]:
    import warnings

    import optuna

    if complete < 2:
        return {}, "needs at least 2 complete trials"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError) as exc:
        return {}, f"not computed: {exc}"
    return {k: float(v) for k, v in found.items()}, None


def _gain(study: optuna.Study, maximize: bool) -> tuple[Gain | None, str | None]:
    complete = _complete(study)
    defaults = next((t for t in complete if t.user_attrs.get(DEFAULTS_ATTR)), None)
    best = _best(study)
    if best is None:
        return None, "no complete trial yet"
    if defaults is None:
        return (
            None,
            "the trial of the kernel's default PARAMS did not complete, so there is nothing to compare",
        )
    assert best.value is not None and defaults.value is not None
    sign = 1.0 if maximize else -1.0
    gain = sign * (best.value - defaults.value)
    best_scores = [float(s) for s in best.user_attrs.get(FOLD_SCORES_ATTR, ())]
    default_scores = [float(s) for s in defaults.user_attrs.get(FOLD_SCORES_ATTR, ())]
    fold_std = statistics.pstdev(best_scores) if len(best_scores) > 1 else 0.0
    paired = None
    if len(best_scores) == len(default_scores) > 1:
        paired = statistics.stdev(b - d for b, d in zip(best_scores, default_scores, strict=True))
    within = gain <= fold_std
    return Gain(defaults.value, best.value, gain, fold_std, paired, within), None
