"""`compete compare A B [C ...]`: kernels, or one kernel with other params, or kept runs, on the same folds.

An entry is one of
    titanic/lgbm-features                      the kernel, cross-validated now with its PARAMS
    titanic/lgbm-features@{"num_leaves": 16}   the kernel with params changed (or @num_leaves=16,reg_lambda=2)
    run:titanic/lgbm-features                  the last kept run of the kernel (its fold scores), or
    run:lgbm-features-20261201T101500000000Z   one kept run by name (`.compete/<slug>/runs/oof/`)

Every later entry is compared with the first, fold by fold (`harness.analysis.paired`). With
`repeats` R > 1 the cross-validation runs R times with fold seeds `seed, seed + 1, ...` (the first is
the card's own); kept runs cannot be repeated, so they are refused there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from harness.analysis.paired import THEORY, Paired, paired
from harness.errors import AnalysisError, KernelError
from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.competition import Card
    from harness.folds import Fold

RUN_PREFIX = "run:"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Entry:
    """One compared entry and its scores, fold by fold (repeat by repeat)."""

    label: str
    kernel: str
    params: Mapping[str, Any]
    source: str  # "cv" (cross-validated now) or "run" (a kept run)
    fold_scores: tuple[float, ...]
    mean: float
    std: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["params"] = dict(self.params)
        out["fold_scores"] = list(self.fold_scores)
        return out


@dataclass(frozen=True)
class Comparison:
    """Every entry's fold scores side by side, and each later entry against the first."""

    competition: str
    metric: str
    greater_is_better: bool
    scheme: str
    k: int
    repeats: int
    folds: tuple[str, ...]  # "3" for fold 3, or "2.3" for repeat 2, fold 3
    entries: tuple[Entry, ...]
    pairs: tuple[Paired, ...]
    theory: str = field(default=THEORY)

    def as_dict(self) -> dict[str, Any]:
        return {
            "competition": self.competition,
            "metric": self.metric,
            "greater_is_better": self.greater_is_better,
            "scheme": self.scheme,
            "k": self.k,
            "repeats": self.repeats,
            "folds": list(self.folds),
            "entries": [e.as_dict() for e in self.entries],
            "pairs": [p.as_dict() for p in self.pairs],
            "theory": self.theory,
        }


@dataclass(frozen=True)
class _Spec:
    label: str
    kernel: str | None = None  # a kernel name or path, cross-validated now
    params: Mapping[str, Any] = field(default_factory=dict)
    run: str | None = None  # a kept run's reference


def parse_entry(text: str) -> _Spec:
    """`kernel`, `kernel@{json}`, `kernel@key=value,key=value` or `run:ref` as an entry to compare."""
    from harness.overrides import parse_overrides

    if text.startswith(RUN_PREFIX):
        ref = text.removeprefix(RUN_PREFIX)
        if not ref:
            raise AnalysisError(f"{text!r} names no run; write run:titanic/baseline or run:<run name>.")
        return _Spec(text, run=ref)
    kernel, sep, rest = text.partition("@")
    if not sep:
        return _Spec(text, kernel=text)
    rest = rest.strip()
    if rest.startswith("{"):
        params = parse_overrides(rest)
    else:
        params = parse_overrides(None, [p for p in rest.split(",") if p.strip()] or [rest])
    return _Spec(text, kernel=kernel, params=params)


def compare(
    ws: Workspace,
    entries: Sequence[str],
    *,
    folds: int | None = None,
    repeats: int = 1,
    progress: Progress | None = None,
) -> Comparison:
    """Score every entry on the same folds and compare each later one with the first.

    Raises AnalysisError for fewer than two entries, `repeats` below 1, entries of different
    competitions, repeats with kept runs or time-ordered folds, a run kept on other folds, and a run
    that was never kept; KernelError and UnknownName for a kernel that cannot be loaded.
    """
    from harness.competition import load_card
    from harness.kernels import load_public
    from harness.metrics import get as get_metric

    if len(entries) < 2:
        raise AnalysisError(
            "compare needs at least two entries, such as titanic/baseline titanic/lgbm-features."
        )
    if repeats < 1:
        raise AnalysisError(
            f"--repeats {repeats}: repeat the cross-validation at least once (--repeats 1 or more)."
        )
    specs = [parse_entry(text) for text in entries]
    slug = _one_competition(ws, specs)
    card = load_card(ws, slug)
    if repeats > 1 and any(s.run for s in specs):
        raise AnalysisError(
            "--repeats needs kernels, not kept runs: a kept run has the scores of one set of folds only; "
            "name the kernels instead of run:..."
        )
    if repeats > 1 and card.cv.scheme == "time":
        raise AnalysisError(
            f"{slug}'s folds are time-ordered: they have no seed, so --repeats would repeat the same folds; "
            "leave --repeats out."
        )
    train, _ = load_public(ws, card)
    k = folds or card.cv.k
    plans = [_plan(card, train, k, repeat) for repeat in range(repeats)]
    steps = len(specs) * repeats
    scored: list[Entry] = []
    for i, spec in enumerate(specs):
        if progress:
            progress(spec.label, i * repeats, steps)
        scored.append(_score(ws, card, spec, plans, k, progress, i * repeats, steps))
    if progress:
        progress("done", steps, steps)

    metric = get_metric(card.metric)
    fold_labels = tuple(
        str(f.number) if repeats == 1 else f"{r + 1}.{f.number}" for r, plan in enumerate(plans) for f in plan
    )
    n_train = sum(len(f.train_rows) for f in plans[0])
    n_valid = sum(len(f.valid_rows) for f in plans[0])
    pairs = tuple(
        paired(
            scored[0].label,
            other.label,
            scored[0].fold_scores,
            other.fold_scores,
            greater_is_better=metric.greater_is_better,
            repeats=repeats,
            valid_over_train=n_valid / n_train,
        )
        for other in scored[1:]
    )
    return Comparison(
        competition=slug,
        metric=card.metric,
        greater_is_better=metric.greater_is_better,
        scheme=card.cv.scheme,
        k=k,
        repeats=repeats,
        folds=fold_labels,
        entries=tuple(scored),
        pairs=pairs,
    )


def _one_competition(ws: Workspace, specs: Sequence[_Spec]) -> str:
    """The competition every entry belongs to; AnalysisError naming them when they differ."""
    from harness.kernels import load_kernel

    found: dict[str, str] = {}
    for spec in specs:
        if spec.kernel is not None:
            found[spec.label] = load_kernel(ws, spec.kernel).info.competition
        else:
            assert spec.run is not None
            found[spec.label] = spec.run.partition("/")[0] if "/" in spec.run else _slug_of_run(ws, spec.run)
    slugs = sorted(set(found.values()))
    if len(slugs) > 1:
        shown = ", ".join(f"{label} ({slug})" for label, slug in found.items())
        raise AnalysisError(
            f"these entries belong to different competitions: {shown}; compare entries of one competition, "
            "whose folds and metric they share."
        )
    return slugs[0]


def _slug_of_run(ws: Workspace, name: str) -> str:
    from harness.competition import competition_names
    from harness.oof import stored_runs

    for slug in competition_names(ws):
        if any(r.name == name for r in stored_runs(ws, slug)):
            return slug
    raise AnalysisError(
        f"no kept run is named {name!r}; name a kernel's last run as run:<competition>/<kernel>, or run "
        "`compete run <competition>/<kernel>` to keep one."
    )


def _plan(card: Card, train: Any, k: int, repeat: int) -> list[Fold]:
    from harness.folds import make_folds

    if repeat == 0:
        return make_folds(card, train, k)
    reseeded = card._replace(cv=card.cv._replace(seed=card.cv.seed + repeat))
    return make_folds(reseeded, train, k)


def _score(
    ws: Workspace,
    card: Card,
    spec: _Spec,
    plans: list[list[Fold]],
    k: int,
    progress: Progress | None,
    done: int,
    steps: int,
) -> Entry:
    import numpy as np

    from harness.kernels import cross_validate, load_kernel
    from harness.overrides import check_overrides

    if spec.run is not None:
        scores, kernel, params = _kept_scores(ws, card, spec.run, plans[0], k)
    else:
        assert spec.kernel is not None
        loaded = load_kernel(ws, spec.kernel)
        check_overrides(loaded.name, loaded.info.params, spec.params)
        scores = []
        for r, plan in enumerate(plans):
            if progress:
                progress(spec.label, done + r, steps)
            try:
                result = cross_validate(ws, loaded, params=spec.params, plan=plan)
            except KernelError as exc:
                raise KernelError(f"{spec.label}: {exc}") from None
            scores.extend(result.fold_scores)
        kernel, params = loaded.name, {**loaded.info.params, **spec.params}
    values = np.asarray(scores, dtype=float)
    return Entry(
        label=spec.label,
        kernel=kernel,
        params=params,
        source="run" if spec.run else "cv",
        fold_scores=tuple(float(v) for v in values),
        mean=float(values.mean()),
        std=float(values.std(ddof=0)),
    )


def _kept_scores(
    ws: Workspace, card: Card, ref: str, plan: list[Fold], k: int
) -> tuple[list[float], str, dict]:
    """A kept run's fold scores, once its folds are checked to be these folds."""
    from harness.kernels import load_public
    from harness.oof import FOLD, SET, find_run, read

    run = find_run(ws, card.slug, ref)
    rows = read(run)
    kept = rows[rows[SET] == "train"]
    train, _ = load_public(ws, card)
    expected = {}
    for fold in plan:
        for position in fold.valid_rows:
            expected[str(train[card.id_column].iloc[position])] = fold.number
    got = dict(zip(kept[card.id_column].astype(str), kept[FOLD].astype(int), strict=True))
    if run.k != k or got != expected:
        raise AnalysisError(
            f"run {run.name} of {run.kernel} was kept on other folds ({run.k} {run.scheme} folds, seed "
            f"{run.seed}, or another train.csv) than these {k}; compare needs the same folds: run "
            f"`compete run {run.kernel}{'' if k == card.cv.k else f' --folds {k}'}` again."
        )
    return list(run.fold_scores), run.kernel, dict(json.loads(json.dumps(run.params)))
