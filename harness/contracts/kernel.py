"""The kernel contract as checks: what every kernel, the project's or a learner's, must do.

loads            the file imports and declares KERNEL (competition, title, known techniques),
                 PARAMS, fit_predict and, optionally, search_space
notebook         a percent notebook: markdown cells, fit_predict in a code cell, runs as a script
theory           every technique it names has a theory note; every `compete theory NAME` it cites exists
search-space     a tunable kernel's search_space gives a non-empty dict of parameters
cross-validates  on a sample of its competition (two folds), every fold scores to a finite number
predicts-test    fitted on that sample, it predicts every test row, in the submission's columns
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from harness.checks import CheckResult
from harness.contracts._steps import Failed, Steps
from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.kernels import Kernel

SAMPLE_ROWS, SAMPLE_FOLDS = 300, 2
_CITED_NOTE = re.compile(r"compete theory ([a-z0-9]+(?:-[a-z0-9]+)*)")


def check_kernel(
    ws: Workspace, name_or_path: str | Path, *, rows: int | None = SAMPLE_ROWS, folds: int = SAMPLE_FOLDS
) -> list[CheckResult]:
    """Run every kernel check on `name_or_path` (`<slug>/<name>` or a .py file); the competition must be
    prepared for the last two. Raises UnknownName for a name that is no kernel; every other problem is a
    failed CheckResult.
    """
    from harness.kernels import kernel_path, load_kernel

    kernel_path(ws, name_or_path)  # an unknown name is the caller's mistake, not a failed check
    steps = Steps()
    loaded: list[Kernel] = []

    def load() -> str:
        loaded.append(load_kernel(ws, name_or_path))
        info = loaded[0].info
        return f"{info.name}: {info.title!r}, techniques {', '.join(info.techniques)}"

    if not steps.run("loads", load):
        return steps.results
    kernel = loaded[0]
    steps.run("notebook", lambda: _notebook(kernel))
    steps.run("theory", lambda: _theory(ws, kernel))
    if kernel.info.tunable:
        steps.run("search-space", lambda: _search_space(kernel))
    if steps.run("cross-validates", lambda: _cross_validates(ws, kernel, rows, folds)):
        steps.run("predicts-test", lambda: _predicts_test(ws, kernel, rows))
    return steps.results


def _notebook(kernel: Kernel) -> str:
    from harness.kernel_study import kernel_cells

    source = kernel.info.path.read_text(encoding="utf-8")
    cells = kernel_cells(source)
    markdown = [c for c in cells if c.kind == "markdown"]
    if not markdown:
        raise Failed("no markdown cell; say in `# %% [markdown]` cells what the data showed and why.")
    if not any("def fit_predict" in c.source for c in cells if c.kind == "code"):
        raise Failed("fit_predict is not defined in a `# %%` code cell.")
    if 'if __name__ == "__main__"' not in source:
        raise Failed(
            'it does not run as a script; end with `if __name__ == "__main__":` calling '
            "harness.kernels.main(__file__) (see kernels/_template.py)."
        )
    return f"{len(cells)} cells, {len(markdown)} of them markdown"


def _theory(ws: Workspace, kernel: Kernel) -> str:
    from harness import theory

    notes = theory.all_notes(ws)
    covered = {name for n in notes for name in (n.topic, *n.covers)}
    missing = [t for t in kernel.info.techniques if t not in covered]
    if missing:
        raise Failed(f"no theory note covers the technique(s) {', '.join(missing)}; see `compete theory`.")
    cited = sorted(set(_CITED_NOTE.findall(kernel.info.path.read_text(encoding="utf-8"))))
    unknown = [c for c in cited if c not in covered]
    if unknown:
        raise Failed(f"cites notes that do not exist: {', '.join(unknown)}; `compete theory` lists them.")
    linked = theory.notes_for_kernel(ws, list(kernel.info.techniques))
    return f"explained by {', '.join(linked)}" + (f"; cites {', '.join(cited)}" if cited else "")


def _search_space(kernel: Kernel) -> str:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = kernel.search_space(optuna.create_study().ask())
    if not isinstance(params, dict) or not params:
        raise Failed("search_space(trial) must return a non-empty dict of parameters.")
    return f"proposes {', '.join(sorted(params))}"


def _cross_validates(ws: Workspace, kernel: Kernel, rows: int | None, folds: int) -> str:
    from harness.kernels import cross_validate

    result = cross_validate(ws, kernel, folds=folds, rows=rows)
    if len(result.fold_scores) != folds or not all(math.isfinite(s) for s in result.fold_scores):
        raise Failed(f"fold scores {list(result.fold_scores)}: each must be a finite number.")
    scores = ", ".join(f"{s:.4f}" for s in result.fold_scores)
    return f"{result.metric} on {result.train_rows} rows, {folds} folds: {scores}"


def _predicts_test(ws: Workspace, kernel: Kernel, rows: int | None) -> str:
    from harness.competition import load_card
    from harness.kernels import load_public
    from harness.predictions import normalize_predictions
    from harness.prepare import submission_columns

    card = load_card(ws, kernel.info.competition)
    train, test = load_public(ws, card)
    if rows is not None:
        train = train.iloc[:rows].reset_index(drop=True)
    predicted = kernel.fit_predict(train, test.copy(), dict(kernel.info.params))
    frame = normalize_predictions(kernel.name, "test", card, predicted, test)
    sample = ws.data_dir(card.slug) / "sample_submission.csv"
    header = sample.read_text(encoding="utf-8").partition("\n")[0].strip().split(",")
    columns = [card.id_column, *submission_columns(card)]
    if [card.id_column, *frame.columns] != columns or header != columns or len(frame) != len(test):
        raise Failed(
            f"predicted columns {list(frame.columns)} for {len(frame)} rows; "
            f"sample_submission.csv has {header} for {len(test)} test rows."
        )
    if frame.isna().any().any():
        raise Failed("some test predictions are missing.")
    return f"{len(frame)} test rows, columns {', '.join(frame.columns)}"
