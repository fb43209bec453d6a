"""Ablations for `compete explain --drop/--each`: the CV again without some raw columns, compared
fold by fold with the kernel's own."""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.analysis.paired import Paired, paired
from harness.errors import AnalysisError, KernelError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card
    from harness.kernels import Kernel


@dataclass(frozen=True)
class Ablation:
    """The CV without some raw columns, against the kernel with them."""

    dropped: tuple[str, ...]
    how: str  # "removed", or "blanked" (a constant) for a kernel that reads the column by name
    fold_scores: tuple[float, ...]
    mean: float
    paired: Paired

    def as_dict(self) -> dict[str, Any]:
        return {
            "dropped": list(self.dropped),
            "how": self.how,
            "fold_scores": list(self.fold_scores),
            "mean": self.mean,
            "paired": self.paired.as_dict(),
        }


def ablation_groups(
    card: Card, train: pd.DataFrame, columns: list[str], drop: Sequence[str], each: bool
) -> list[tuple[str, ...]]:
    protected = {card.id_column, *card.target_columns}
    for column in drop:
        if column in protected:
            role = "id" if column == card.id_column else "target"
            raise AnalysisError(
                f"--drop {column}: {column!r} is the {role} column, which every kernel needs; drop feature "
                f"columns only ({', '.join(columns)})."
            )
        if column not in train.columns:
            raise AnalysisError(
                f"--drop {column}: train.csv of {card.slug} has no column {column!r}; its feature columns: "
                f"{', '.join(columns)}."
            )
    groups = [tuple(dict.fromkeys(drop))] if drop else []
    if each:
        groups += [(c,) for c in columns if (c,) not in groups]
    return groups


def ablate(
    ws: Workspace,
    kernel: Kernel,
    card: Card,
    plan: Sequence[Any],
    params: dict[str, Any],
    dropped: tuple[str, ...],
    base: Sequence[float],
    greater: bool,
) -> Ablation:
    """The CV without `dropped`; a kernel that reads a dropped column by name gets it blanked instead."""
    from harness.kernels import cross_validate

    how = "removed"
    try:
        result = cross_validate(ws, _without(kernel, dropped, blank=False), params=params, plan=plan)
    except KernelError as exc:
        if not isinstance(exc.__cause__, KeyError):
            raise
        how = "blanked"
        result = cross_validate(ws, _without(kernel, dropped, blank=True), params=params, plan=plan)
    label = f"without {', '.join(dropped)}"
    return Ablation(
        dropped=dropped,
        how=how,
        fold_scores=result.fold_scores,
        mean=result.mean,
        paired=paired(kernel.name, label, base, result.fold_scores, greater_is_better=greater),
    )


def _without(kernel: Kernel, dropped: tuple[str, ...], *, blank: bool) -> Kernel:
    """The kernel seeing its frames without `dropped` (or with each a constant, when `blank`)."""
    import pandas as pd

    from harness.kernels import Kernel

    def strip(frame: pd.DataFrame) -> pd.DataFrame:
        present = [c for c in dropped if c in frame.columns]
        if not blank:
            return frame.drop(columns=present)
        out = frame.copy()
        for column in present:  # a constant holds no information: missing for numbers, "" for text
            numeric = pd.api.types.is_numeric_dtype(out[column])
            out[column] = pd.Series(float("nan") if numeric else "", index=out.index, dtype=out[column].dtype)
        return out

    module = types.ModuleType(f"{kernel.module.__name__}_ablation")
    module.KERNEL = getattr(kernel.module, "KERNEL", {})  # type: ignore[attr-defined]
    if kernel.separable:
        module.fit = lambda train, params: kernel.fit(strip(train), params)  # type: ignore[attr-defined]
        module.predict = lambda model, test: kernel.predict(model, strip(test))  # type: ignore[attr-defined]
    else:
        module.fit_predict = lambda train, test, params: kernel.fit_predict(  # type: ignore[attr-defined]
            strip(train), strip(test), params
        )
    return Kernel(kernel.info, module)
