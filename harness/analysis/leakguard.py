"""The leak guard: a kernel's prediction for a test row must not depend on which other test rows it sees.

A kernel that learns from `test`'s rows (a scaler, a vocabulary, a median over train and test) gets
cross-validation numbers that no real test set would give: in each fold it learns from the very rows
it is scored on. The guard fits the kernel on train, predicts the test rows all at once, then in two
halves, and requires the same predictions. A kernel whose KERNEL says `"uses_test_features": True`
(counts over train and test, said in a markdown cell) is exempt, and the guard names the declaration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import AnalysisError, KernelError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.kernels import Kernel

DECLARATION = "uses_test_features"
GUARD_TRAIN_ROWS = 400  # enough to fit any kernel; the guard tests how test rows are used, not the fit
THEORY = "leakage"


@dataclass(frozen=True)
class LeakGuard:
    """The guard's finding for one kernel."""

    kernel: str
    ok: bool
    exempt: bool
    changed_rows: int
    test_rows: int
    example: dict[str, Any] | None  # a row whose prediction changed: id, all at once, in halves
    message: str
    skipped: bool = False  # the kernel reads kept runs that are not there yet, so it could not be guarded

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def declares_test_features(kernel: Kernel) -> bool:
    """Whether the kernel's KERNEL says it uses test features on purpose."""
    meta = getattr(kernel.module, "KERNEL", {})
    return bool(isinstance(meta, dict) and meta.get(DECLARATION) is True)


def guard(ws: Workspace, kernel: Kernel, *, train_rows: int | None = GUARD_TRAIN_ROWS) -> LeakGuard:
    """Fit `kernel` on (the first `train_rows` of) train and compare its test predictions made all at
    once with those made in two halves. Raises KernelError when the kernel itself fails."""
    from harness.competition import load_card
    from harness.kernels import load_public
    from harness.predictions import normalize_predictions

    name = kernel.name
    if declares_test_features(kernel):
        return LeakGuard(
            name,
            True,
            True,
            0,
            0,
            None,
            f"{name} is exempt: its KERNEL declares {DECLARATION!r}: True (it learns from test's features "
            "on purpose; say so in a markdown cell).",
        )
    card = load_card(ws, kernel.info.competition)
    train, test = load_public(ws, card)
    if train_rows is not None:
        train = train.iloc[:train_rows].reset_index(drop=True)
    params = dict(kernel.info.params)
    half = len(test) // 2
    parts = [test.iloc[:half].reset_index(drop=True), test.iloc[half:].reset_index(drop=True)]

    def predict(frames: list[pd.DataFrame], step: str) -> list[pd.DataFrame]:
        try:
            if kernel.separable:
                model = kernel.fit(train, params)
                raw = [kernel.predict(model, f.copy()) for f in frames]
            else:
                raw = [kernel.fit_predict(train, f.copy(), params) for f in frames]
        except AnalysisError:
            raise
        except Exception as exc:
            raise KernelError(
                f"kernel {name!r} raised in the leak guard ({step}): {type(exc).__name__}: {exc}"
            ) from exc
        return [normalize_predictions(name, step, card, r, f) for r, f in zip(raw, frames, strict=True)]

    import pandas as pd

    try:
        [whole] = predict([test], "the whole test set")
    except AnalysisError as exc:  # a blend whose members' runs are not kept yet
        return LeakGuard(name, True, False, 0, len(test), None, f"{name} not guarded: {exc}", skipped=True)
    halves = pd.concat(predict(parts, "test in two halves"), ignore_index=True)
    changed = _changed(whole, halves)
    if not changed:
        return LeakGuard(
            name,
            True,
            False,
            0,
            len(test),
            None,
            f"{name}: the same predictions for the test rows at once and in halves",
        )
    first = changed[0]
    example = {
        card.id_column: _plain(test[card.id_column].iloc[first]),
        "all at once": {c: _plain(whole[c].iloc[first]) for c in whole.columns},
        "in two halves": {c: _plain(halves[c].iloc[first]) for c in halves.columns},
    }
    return LeakGuard(
        name,
        False,
        False,
        len(changed),
        len(test),
        example,
        f"{name} learns from the test rows it predicts: {len(changed)} of {len(test)} predictions change "
        f"when test is predicted in two halves (e.g. {card.id_column} {example[card.id_column]}: "
        f"{_short(example['all at once'])} at once, {_short(example['in two halves'])} in halves); learn "
        f"only from train inside fit_predict, or declare KERNEL[{DECLARATION!r}] = True if it is on purpose "
        f"(see compete theory {THEORY}).",
    )


def _changed(a: pd.DataFrame, b: pd.DataFrame) -> list[int]:
    import numpy as np

    differs = np.zeros(len(a), dtype=bool)
    for column in a.columns:
        x, y = a[column].to_numpy(), b[column].to_numpy()
        if x.dtype.kind == "f" and y.dtype.kind == "f":
            differs |= ~np.isclose(x, y, rtol=1e-9, atol=1e-12)
        else:
            differs |= x.astype(str) != y.astype(str)
    return [int(i) for i in np.flatnonzero(differs)]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _short(values: dict[str, Any]) -> str:
    shown = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in values.values()]
    return shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"


def guard_competition(ws: Workspace, slug: str) -> list[LeakGuard]:
    """The leak guard over every kernel of `slug` in `kernels/`."""
    from harness.kernels import kernel_names, load_kernel

    return [guard(ws, load_kernel(ws, name)) for name in kernel_names(ws, slug)]
