"""`compete run`: a kernel's cross-validation and test predictions, remembered for `kernels list`,
and submitted with their CV score (`--submit`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.competition import load_card
from harness.workspace import Workspace

if TYPE_CHECKING:
    pass
from harness.kernels import RUNS_DIR, CVResult, Kernel, KernelInfo, Progress, cross_validate, load_kernel


def run_kernel(
    ws: Workspace,
    name_or_path: str | Path | Kernel,
    *,
    folds: int | None = None,
    params: Mapping[str, Any] | None = None,
    rows: int | None = None,
    progress: Progress | None = None,
) -> CVResult:
    """`compete run`: load a kernel (unless given one), cross-validate it, fit on all of train and
    write its submission.

    The result of a full run (all rows, the card's folds) of a kernel in `kernels/` is remembered for
    `kernels list`; a run on other folds (`--folds 3`) leaves the remembered one as it is.
    """
    kernel = name_or_path if isinstance(name_or_path, Kernel) else load_kernel(ws, name_or_path)
    result = cross_validate(
        ws, kernel, folds=folds, params=params, rows=rows, progress=progress, predict_test=True
    )
    if remembers(ws, kernel.info, folds, rows) and not params:  # overridden params are not the kernel's
        _save_run(ws, kernel.info, result)
    if kernel.info.in_workspace and rows is None:  # kept on any folds: compare checks that they match
        from harness import oof

        oof.save(ws, load_card(ws, kernel.info.competition), kernel.info, result, result.test_predictions)
    return result


def remembers(ws: Workspace, info: KernelInfo, folds: int | None, rows: int | None) -> bool:
    """Whether a run of `info` with these options is the one remembered for `kernels list`: a kernel in
    `kernels/`, on all rows and the card's own folds."""
    official = folds is None or folds == load_card(ws, info.competition).cv.k
    return info.in_workspace and rows is None and official


@dataclass(frozen=True)
class RunOutcome:
    """A `compete run`: its cross-validation and, with --submit, the recorded submission."""

    cv: CVResult
    participant: str
    submission: Any = None  # harness.ledger.SubmitOutcome
    # Kept for `kernels list` (a kernel in kernels/, on the card's folds); None outside kernels/.
    remembered: bool | None = None
    changed_files: tuple[str, ...] = ()  # public files changed since prepare (see harness.freshness)
    notes: tuple[str, ...] = ()  # what the predictions are told besides their score (harness.advice)
    oof_path: Path | None = None  # where --oof wrote the out-of-fold predictions

    def as_dict(self) -> dict[str, Any]:
        submitted = self.submission.as_dict() if self.submission is not None else None
        oof_path = str(self.oof_path) if self.oof_path is not None else None
        return {
            **self.cv.as_dict(),
            "participant": self.participant,
            "submission": submitted,
            "remembered": self.remembered,
            "changed_files": list(self.changed_files),
            "notes": list(self.notes),
            "oof_path": oof_path,
        }


def run_and_submit(
    ws: Workspace,
    name_or_path: str | Path,
    *,
    folds: int | None = None,
    submit: bool = False,
    message: str | None = None,
    participant: str | None = None,
    progress: Progress | None = None,
    params: Mapping[str, Any] | None = None,
    oof_path: Path | None = None,
) -> RunOutcome:
    """`compete run [--submit]`: run the kernel, then (with `submit`) submit its predictions file as
    `participant` (default: `participant_for(info)`), recording the CV score and the kernel's name
    beside the public score. `params` override the kernel's PARAMS for this run; `oof_path` also
    writes the out-of-fold predictions there as CSV (id, fold, prediction columns)."""
    from harness import oof
    from harness.freshness import changed_since_prepare
    from harness.overrides import check_overrides

    kernel = load_kernel(ws, name_or_path)
    check_overrides(kernel.name, kernel.info.params, params or {})
    if oof_path is not None:
        oof_path = oof.check_csv_path(oof_path)
    changed = changed_since_prepare(ws, kernel.info.competition)
    result = run_kernel(ws, kernel, folds=folds, params=params, progress=progress)
    if oof_path is not None:
        assert result.oof is not None
        oof.write_csv(result.oof, oof_path)
    who = participant or participant_for(kernel.info)
    remembered = (
        (remembers(ws, kernel.info, folds, None) and not params) if kernel.info.in_workspace else None
    )
    submitted = _submit(ws, kernel.info, result, who, message) if submit else None
    notes = submitted.notes if submitted is not None else _prediction_notes(ws, kernel.info, result)
    return RunOutcome(result, who, submitted, remembered, changed, notes, oof_path)


def _prediction_notes(ws: Workspace, info: KernelInfo, result: CVResult) -> tuple[str, ...]:
    from harness.advice import prediction_notes

    assert result.predictions_path is not None
    return prediction_notes(load_card(ws, info.competition), result.predictions_path)


def _submit(ws: Workspace, info: KernelInfo, result: CVResult, who: str, message: str | None) -> Any:
    from harness.ledger import submit

    assert result.predictions_path is not None
    outcome = submit(
        ws,
        info.competition,
        result.predictions_path,
        participant=who,
        message=message,
        cv_score=result.mean,
        cv_folds=result.folds,
        kernel=info.name,
    )
    outcome.raise_if_rejected()
    return outcome


def _runs_file(ws: Workspace, info: KernelInfo) -> Path:
    return ws.private_dir(info.competition) / RUNS_DIR / f"{info.path.stem}.json"


def _save_run(ws: Workspace, info: KernelInfo, result: CVResult) -> None:
    path = _runs_file(ws, info)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


def last_run(ws: Workspace, info: KernelInfo) -> dict[str, Any] | None:
    """The summary of the last full `compete run` of a kernel in `kernels/`, or None."""
    if not info.in_workspace:
        return None
    path = _runs_file(ws, info)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def participant_for(info: KernelInfo) -> str:
    """Who a run's submission is recorded for: `reference/<kernel>` for a reference kernel (one in
    `kernels/` that declares `KERNEL["reference"] = True`), else the OS user."""
    from harness.ledger import REFERENCE_PREFIX, default_participant

    return f"{REFERENCE_PREFIX}{info.name}" if info.reference else default_participant()
