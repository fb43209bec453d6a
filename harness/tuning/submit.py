"""`compete study submit`: refit a trial's parameters on all of train, predict the test set, submit.

The refit runs through `harness.kernels.cross_validate`, as `compete run` does, so the folds are
scored again on the way (the trial's CV score is reproduced, which the outcome reports) and the
kernel's final fit is the same code path as every other submission's. The ledger records the kernel,
the trial's CV score with its number of folds, and the study as `<study>#<trial number>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.errors import TuningError
from harness.workspace import Workspace


@dataclass(frozen=True)
class StudySubmission:
    """A trial submitted: which one, its CV score in the study (over `cv_folds` folds) and again now,
    and the ledger's outcome."""

    study: str
    trial: int
    params: dict[str, Any]
    cv_score: float
    cv_folds: int
    cv_again: float
    participant: str
    submission: Any  # harness.ledger.SubmitOutcome

    @property
    def study_id(self) -> str:
        return study_id(self.study, self.trial)

    def as_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "trial": self.trial,
            "study_id": self.study_id,
            "params": self.params,
            "cv_score": self.cv_score,
            "cv_folds": self.cv_folds,
            "cv_again": self.cv_again,
            "participant": self.participant,
            "submission": self.submission.as_dict(),
        }


def study_id(study: str, trial: int) -> str:
    """How the ledger names a study's trial."""
    return f"{study}#{trial}"


def submit_trial(
    ws: Workspace,
    name: str,
    *,
    trial: int | None = None,
    message: str | None = None,
    participant: str | None = None,
    storage_url: str | None = None,
    accept_changes: bool = False,
) -> StudySubmission:
    """Submit the best (or the given) complete trial of study `name`.

    Raises UnknownName (study), TuningError (no such trial, not complete, the kernel file changed
    since the study ran), and whatever `compete submit` raises (daily limit, rejection).
    """
    from optuna.trial import TrialState

    from harness.kernels import cross_validate, load_kernel
    from harness.ledger import submit
    from harness.runs import participant_for
    from harness.tuning.study import file_sha256, find, kernel_ref

    study, identity = find(ws, name, storage_url)
    if trial is None:
        try:
            chosen = study.best_trial
        except ValueError:
            raise TuningError(f"study {name!r} has no complete trial to submit; tune it first.") from None
    else:
        numbers = {t.number: t for t in study.get_trials(deepcopy=False)}
        if trial not in numbers:
            raise TuningError(
                f"study {name!r} has no trial {trial}; "
                f"its trials are numbered 0 to {max(numbers, default=-1)}."
            )
        chosen = numbers[trial]
        if chosen.state != TrialState.COMPLETE:
            raise TuningError(
                f"trial {trial} of study {name!r} is {chosen.state.name.lower()}, so it has no CV score; "
                "submit a complete trial (`compete study show` lists them)."
            )
    kernel = load_kernel(ws, kernel_ref(study, identity))
    if file_sha256(kernel.info.path) != identity.kernel_sha256 and not accept_changes:
        raise TuningError(
            f"the kernel file {identity.kernel} changed since study {name!r} ran, so trial {chosen.number}'s "
            "CV score may not be its score now; pass --accept-changes to submit regardless."
        )
    assert chosen.value is not None
    result = cross_validate(ws, kernel, folds=identity.folds, params=chosen.params, predict_test=True)
    assert result.predictions_path is not None
    who = participant or participant_for(kernel.info)
    outcome = submit(
        ws,
        identity.competition,
        result.predictions_path,
        participant=who,
        message=message,
        cv_score=chosen.value,
        cv_folds=identity.folds,
        kernel=identity.kernel,
        study_id=study_id(name, chosen.number),
    )
    outcome.raise_if_rejected()
    return StudySubmission(
        study=name,
        trial=chosen.number,
        params=dict(chosen.params),
        cv_score=chosen.value,
        cv_folds=identity.folds,
        cv_again=result.mean,
        participant=who,
        submission=outcome,
    )
