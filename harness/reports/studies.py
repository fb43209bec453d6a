"""The tuning studies behind a participant's submissions, as the post-mortem and the writeup show them.

The ledger names a submitted trial `<study>#<trial>` (`compete study submit`); the study itself lives
in Optuna storage, by default the competition's journal `.compete/<slug>/studies.journal`. What
`compete study show` computes (trial counts, the best trial and its params, the best trial's gain
over the kernel's default PARAMS against the spread of its fold scores) is read through
`harness.tuning.summary.show_study`, so both say the same. A study whose storage cannot be read now
(a database that was used then and is not reachable, or not named with `--storage`) is reported as
such, with what the ledger alone knows: the submitted trials and their CV scores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from harness.errors import StorageError, TuningError, UnknownName
from harness.reports.history import Entry
from harness.workspace import Workspace

THEORY_NOTE = "hyperparameter-tuning"


@dataclass(frozen=True)
class Submitted:
    """One submission made from a study's trial."""

    ref: str
    trial: int | None
    cv_score: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StudyReport:
    """A study behind some of the participant's submissions; `reachable` False when its storage
    could not be read, `note` then says why and what to do."""

    study: str
    submitted: tuple[Submitted, ...]
    reachable: bool
    note: str | None
    storage: str | None = None
    kernel: str | None = None
    trials: int | None = None  # complete
    pruned: int | None = None
    failed: int | None = None
    best_trial: int | None = None
    best_cv: float | None = None
    best_params: dict[str, Any] | None = None
    defaults_cv: float | None = None
    gain: float | None = None  # best over the defaults, in the metric's units, positive: better
    fold_std: float | None = None  # of the best trial's fold scores
    noise_ratio: float | None = None  # gain / fold_std: below 1, the gain lay inside the fold noise
    within_noise: bool | None = None
    gain_note: str | None = None
    theory: str = THEORY_NOTE

    @property
    def submitted_best(self) -> bool:
        return self.best_trial is not None and any(s.trial == self.best_trial for s in self.submitted)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["submitted"] = [s.as_dict() for s in self.submitted]
        out["submitted_best"] = self.submitted_best
        return out


def split_study_id(study_id: str) -> tuple[str, int | None]:
    """`titanic/fast#3` → (`titanic/fast`, 3); an id without a trial number keeps its whole text."""
    name, sep, number = study_id.rpartition("#")
    if sep and number.isdigit():
        return name, int(number)
    return study_id, None


def study_reports(ws: Workspace, own: list[Entry], storage_url: str | None = None) -> tuple[StudyReport, ...]:
    """One report per study named in `own`'s ledger rows, in the order first submitted.

    Each study is looked for in the competitions' local journals, then in `storage_url` when given.
    Never raises for a study that cannot be read: its report says so instead.
    """
    by_study: dict[str, list[Submitted]] = {}
    for e in own:
        if e.study_id:
            name, trial = split_study_id(e.study_id)
            by_study.setdefault(name, []).append(Submitted(e.ref, trial, e.cv_score))
    return tuple(_report(ws, name, tuple(done), storage_url) for name, done in by_study.items())


def _report(
    ws: Workspace, name: str, submitted: tuple[Submitted, ...], storage_url: str | None
) -> StudyReport:
    from harness.tuning.summary import show_study

    places: list[str | None] = [None] if storage_url is None else [None, storage_url]
    reasons: list[str] = []
    for url in places:
        try:
            detail = show_study(ws, name, url, plots=False)
        except UnknownName:
            reasons.append(_not_found(ws, url))
            continue
        except (StorageError, TuningError) as exc:
            reasons.append(str(exc))
            continue
        s, g = detail.summary, detail.gain
        return StudyReport(
            study=name,
            submitted=submitted,
            reachable=True,
            note=None,
            storage=s.storage,
            kernel=s.kernel,
            trials=s.trials,
            pruned=s.pruned,
            failed=s.failed,
            best_trial=s.best_trial,
            best_cv=s.best_value,
            best_params=s.best_params,
            defaults_cv=g.defaults_value if g else None,
            gain=g.gain if g else None,
            fold_std=g.fold_std if g else None,
            noise_ratio=g.gain / g.fold_std if g and g.fold_std > 0 else None,
            within_noise=g.within_noise if g else None,
            gain_note=detail.gain_note,
        )
    if storage_url is None:
        reasons.append(
            "if it was kept in a database, give that storage with --storage URL "
            "(the ledger records the study's name, not where it lived)"
        )
    return StudyReport(
        study=name, submitted=submitted, reachable=False, note="; ".join(r.rstrip(".") for r in reasons) + "."
    )


def _not_found(ws: Workspace, url: str | None) -> str:
    if url is None:
        return "the study is not in any competition's local journal (.compete/<slug>/studies.journal)"
    from harness.tuning.storage import describe

    return f"the study is not in {describe(url, ws, '')}"
