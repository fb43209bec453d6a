"""The post-mortem of one participant in a closed competition, as a value (`Postmortem`).

It answers, from the ledger, the labels, the test features and the kept submission files: the
shake-up; how much of the public gain held on the private rows, with a bootstrap interval per
public score and the submissions tied with the best public one; the cost of the final selection;
CV against the boards; the metric on slices of the test set and the calibration of the final
submission; the mistakes found; the studies behind the submissions; and, for a competition that keeps
Kaggle's final board (an MLE-bench import), the medal each private score would have won there.

A competition of several targets (one prediction column per target, scored column by column) has no
single value per row: the bootstrap, the slices and the calibration are left out, and `skipped`
says why.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness import medals
from harness.errors import RuleViolation
from harness.metrics import Prediction
from harness.reports import mistakes, slices, stats
from harness.reports.history import Entry, History, load_predictions, read_history, rules_for
from harness.reports.rows import PublicRows, public_rows
from harness.reports.studies import StudyReport, study_reports
from harness.workspace import Workspace


@dataclass(frozen=True)
class Row:
    """One submission in the shake-up; reference kernels appear as comparison rows."""

    ref: str
    participant: str
    kind: str
    message: str | None
    kernel: str | None
    public_score: float
    private_score: float | None
    cv_score: float | None
    cv_folds: int | None
    public_rank: int
    private_rank: int | None
    final: bool
    public_low: float | None
    public_high: float | None
    tied_with_best: bool  # with the participant's best public submission (False for that one itself)
    best_public: bool
    kaggle: dict[str, Any] | None = None  # medals.Standing of the private score on Kaggle's final board

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Postmortem:
    competition: str
    participant: str
    metric: str
    greater_is_better: bool
    public_rows: int
    private_rows: int
    rows: tuple[Row, ...]
    board: tuple[dict[str, Any], ...]
    overfitting: dict[str, Any]
    selection: dict[str, Any]
    cv: dict[str, Any]
    slices: tuple[slices.Slice, ...]
    final_ref: str | None
    calibration: stats.Calibration | None
    mistakes: tuple[mistakes.Finding, ...]
    studies: tuple[StudyReport, ...]
    method: str
    kaggle_board: dict[str, Any] | None = None  # medals.KaggleBoard, and the score placed on it
    skipped: dict[str, str] | None = None  # section -> why it does not apply to this competition

    def as_dict(self) -> dict[str, Any]:
        out = dict(asdict(self).items())
        out["rows"] = [r.as_dict() for r in self.rows]
        out["slices"] = [s.as_dict() for s in self.slices]
        out["calibration"] = self.calibration.as_dict() if self.calibration else None
        out["mistakes"] = [m.as_dict() for m in self.mistakes]
        out["studies"] = [s.as_dict() for s in self.studies]
        return out


METHOD = (
    "Bootstrap: the public rows resampled with replacement ({reps} times, seed {seed}), the same "
    "draws for every submission, so differences are paired; 95% percentile intervals. Two "
    "submissions are tied when the interval of their paired difference holds 0. {how}"
)


def build(ws: Workspace, slug: str, participant: str, storage_url: str | None = None) -> Postmortem:
    """The post-mortem of `participant` in `slug` (its studies read from the local journals, and from
    `storage_url` when given). Raises RuleViolation while the competition is open or when the
    participant has no scored submission, NotPrepared before `compete prepare`."""
    history = read_history(ws, slug)
    try:
        if not history.closed:
            raise RuleViolation(
                f"the post-mortem needs the private labels, and {slug} is still open; "
                f"`compete close {slug}` ends it and reveals them, then run `compete postmortem {slug}`."
            )
        own = history.of(participant)
        if not own:
            who = sorted({e.participant for e in history.entries if not e.reference})
            raise RuleViolation(
                f"{participant!r} has no scored submission to {slug}; "
                + (f"give one of {', '.join(who)} with --as NAME." if who else "submit first.")
            )
        return _build(history, participant, own, storage_url)
    finally:
        history.close()


def _build(history: History, participant: str, own: list[Entry], storage_url: str | None) -> Postmortem:
    metric = history.metric
    sign = history.sign
    refs_rows = own + history.references()
    rules = rules_for(history.ws, history.card)
    skipped = _skipped(history)
    # Every submission's public rows (the bootstrap), and every row of the final (slices, calibration).
    public = PublicRows((), None, frozenset()) if skipped else public_rows(history, refs_rows, rules)
    loaded = set(public.refs)
    reps = stats.replicates(history, list(public.refs), values=public.values)
    intervals = {ref: iv for ref, v in reps.items() if (iv := stats.interval(v)) is not None}
    best_public = min(own, key=lambda e: (sign * e.public_score, e.seq))
    finals = history.finals(participant)
    final = min(finals, key=lambda e: (sign * (e.private_score or 0.0), e.seq))
    if final.ref in loaded:
        load_predictions(history, [final], rules)
    public_rank = _ranks(refs_rows, lambda e: e.public_score, sign)
    private_rank = _ranks(refs_rows, lambda e: e.private_score or 0.0, sign)
    kaggle = medals.kaggle_board(history.card)
    rows = tuple(
        Row(
            ref=e.ref,
            participant=e.participant,
            kind="reference" if e.reference else "participant",
            message=e.message,
            kernel=e.kernel,
            public_score=e.public_score,
            private_score=e.private_score,
            cv_score=e.cv_score,
            cv_folds=e.cv_folds,
            public_rank=public_rank[e.ref],
            private_rank=private_rank[e.ref],
            final=e in finals,
            public_low=intervals[e.ref].low if e.ref in intervals else None,
            public_high=intervals[e.ref].high if e.ref in intervals else None,
            tied_with_best=(
                e.participant == participant
                and e.ref != best_public.ref
                and e.ref in reps
                and best_public.ref in reps
                and stats.tied(reps[e.ref], reps[best_public.ref])
            ),
            best_public=e.ref == best_public.ref,
            kaggle=(
                medals.standing(kaggle, e.private_score).as_dict()
                if kaggle is not None and e.private_score is not None
                else None
            ),
        )
        for e in refs_rows
    )
    from harness import ledger

    board = ledger.leaderboard(history.ws, history.card.slug, private=True)
    hard = sorted(ref for ref in public.hard if ref in {e.ref for e in own})
    calibration = stats.calibration(history, final.ref) if final.ref in loaded else None
    evidence = mistakes.Evidence(
        metric=metric.name,
        greater_is_better=metric.greater_is_better,
        own=tuple(own),
        finals=tuple(finals),
        intervals=intervals,
        public_rows=history.public_rows,
        private_rows=history.private_rows,
        probabilities=history.kind.value in ("probability", "class_probabilities"),
        hard_predictions=tuple(hard),
        calibration=calibration,
        final=final,
    )
    how = (
        f"{metric.name} is a mean over rows: each row's value comes from its SQL over that row, and the "
        "resampled means from the draw counts."
        if stats.decomposable(metric)
        else f"{metric.name} is not a mean over rows: each replicate is scored by its SQL over its rows."
    )
    n_reps = len(next(iter(reps.values()))) if reps else 0
    return Postmortem(
        competition=history.card.slug,
        participant=participant,
        metric=metric.name,
        greater_is_better=metric.greater_is_better,
        public_rows=history.public_rows,
        private_rows=history.private_rows,
        rows=rows,
        board=tuple(r.as_dict() for r in board.rows),
        overfitting=_overfitting(own, best_public, history),
        selection=_selection(own, finals, final, board, history),
        cv=_cv(own, history),
        slices=tuple(slices.slice_scores(history, final.ref)) if final.ref in loaded else (),
        final_ref=final.ref,
        calibration=calibration,
        mistakes=tuple(mistakes.find_mistakes(evidence)),
        studies=study_reports(history.ws, own, storage_url),
        method=METHOD.format(reps=n_reps, seed=stats.SEED, how=how),
        kaggle_board=(
            kaggle.as_dict() | {"scored_on": "private" if history.private_rows else "whole test"}
            if kaggle is not None
            else None
        ),
        skipped=skipped or None,
    )


SEVERAL_TARGETS = (Prediction.VALUES, Prediction.PROBABILITIES)


def _skipped(history: History) -> dict[str, str]:
    """The sections that do not apply to this competition, each with the reason."""
    if history.kind not in SEVERAL_TARGETS:
        return {}
    targets = len(history.card.target_columns)
    why = (
        f"{history.metric.name} scores each of the {targets} target columns over all rows and "
        "averages the columns, so a row has no value of its own"
    )
    return {
        "bootstrap": f"No bootstrap intervals or ties: {why}.",
        "slices": f"No error slices: {why}.",
        "calibration": f"No reliability curve: {why}; each target would need its own.",
    }


def _ranks(entries: list[Entry], key: Any, sign: float) -> dict[str, int]:
    ordered = sorted(entries, key=lambda e: (sign * key(e), e.seq))
    return {e.ref: i for i, e in enumerate(ordered, start=1)}


def _gain(history: History, new: float, old: float) -> float:
    return new - old if history.metric.greater_is_better else old - new


def _overfitting(own: list[Entry], best_public: Entry, history: History) -> dict[str, Any]:
    first = own[0]
    public_gain = _gain(history, best_public.public_score, first.public_score)
    private_gain = _gain(history, best_public.private_score or 0.0, first.private_score or 0.0)
    return {
        "first_ref": first.ref,
        "best_public_ref": best_public.ref,
        "public_gain": public_gain,
        "private_gain": private_gain,
        "held": private_gain / public_gain if public_gain > 0 else None,
    }


def _selection(
    own: list[Entry], finals: list[Entry], final: Entry, board: Any, history: History
) -> dict[str, Any]:
    sign = history.sign
    best_private = min(own, key=lambda e: (sign * (e.private_score or 0.0), e.seq))
    others = [r.score for r in board.rows if r.participant != final.participant]

    def rank(score: float) -> int:
        return 1 + sum(1 for s in others if history.metric.better(s, score))

    return {
        "finals": [e.ref for e in finals],
        "chosen_by": "selection" if any(e.selected for e in finals) else "best public",
        "final_ref": final.ref,
        "final_private": final.private_score,
        "best_private_ref": best_private.ref,
        "best_private": best_private.private_score,
        "score_cost": _gain(history, best_private.private_score or 0.0, final.private_score or 0.0),
        "rank_with_finals": rank(final.private_score or 0.0),
        "rank_with_best": rank(best_private.private_score or 0.0),
    }


def _cv(own: list[Entry], history: History) -> dict[str, Any]:
    with_cv = [e for e in own if e.cv_score is not None]
    cvs = [float(e.cv_score or 0.0) for e in with_cv]
    out: dict[str, Any] = {
        "submissions": len(with_cv),
        "spearman_public": stats.spearman(cvs, [e.public_score for e in with_cv]),
        "spearman_private": stats.spearman(cvs, [e.private_score or 0.0 for e in with_cv]),
        "points": [
            {"ref": e.ref, "cv": e.cv_score, "public": e.public_score, "private": e.private_score}
            for e in with_cv
        ],
        "disagreements": [],
    }
    if len(with_cv) >= 2:
        sign = history.sign
        cv_rank = _ranks(with_cv, lambda e: e.cv_score, sign)
        private_rank = _ranks(with_cv, lambda e: e.private_score or 0.0, sign)
        worst = sorted(with_cv, key=lambda e: -abs(cv_rank[e.ref] - private_rank[e.ref]))[:3]
        out["disagreements"] = [
            {"ref": e.ref, "cv_rank": cv_rank[e.ref], "private_rank": private_rank[e.ref]}
            for e in worst
            if cv_rank[e.ref] != private_rank[e.ref]
        ]
    return out


def folder_name(participant: str) -> str:
    """A participant's name as one folder name (`reference/x` → `reference_x`)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", participant).strip("._") or "participant"


SECTIONS = (
    "shakeup",
    "overfitting",
    "selection",
    "medals",
    "cv",
    "slices",
    "calibration",
    "mistakes",
    "studies",
)
NOTES = ("public-private-leaderboard", "final-submission-selection", "cross-validation", "calibration")
SLICES_SHOWN = 20


@dataclass(frozen=True)
class Written:
    """Where a report was written, and what it found (for the command's short summary)."""

    markdown: Path
    html: Path
    figures: tuple[Path, ...]
    report: Postmortem

    def as_dict(self) -> dict[str, Any]:
        return {
            "markdown": str(self.markdown),
            "html": str(self.html),
            "figures": [str(f) for f in self.figures],
            "postmortem": self.report.as_dict(),
        }


def write(ws: Workspace, pm: Postmortem) -> Written:
    """Write `reports/<slug>/<participant>/postmortem.md` and `.html` (and its figures beside them)."""
    from harness.reports import plots, render

    folder = ws.reports_dir(pm.competition) / folder_name(pm.participant)
    folder.mkdir(parents=True, exist_ok=True)
    figures = {"shakeup": plots.shakeup(pm.rows, pm.metric)}
    if pm.cv["points"]:
        figures["cv"] = plots.cv_against_boards(pm.cv["points"], pm.metric)
    if pm.calibration is not None:
        figures["reliability"] = plots.reliability(pm.calibration)
    files = render.write_figures(folder, figures, prefix="postmortem-")
    topics = {*NOTES, *(m.note for m in pm.mistakes), *(st.theory for st in pm.studies)}
    links = {
        "notes": {t: render.note_link(ws, folder, t) for t in topics},
        "kernels": {
            r.ref: link for r in pm.rows if (link := render.kernel_link(ws, folder, r.kernel)) is not None
        },
    }
    values = {"pm": pm, "links": links, "limit": SLICES_SHOWN}
    markdown = folder / "postmortem.md"
    markdown.write_text(render.render("postmortem.md.j2", files=_all(files), **values), encoding="utf-8")
    images = {name: render.data_uri(png) for name, png in figures.items()}
    html = folder / "postmortem.html"
    html.write_text(render.render("postmortem.html.j2", images=_all(images), **values), encoding="utf-8")
    return Written(markdown, html, tuple(folder / f for f in files.values()), pm)


def _all(found: dict[str, str]) -> dict[str, str | None]:
    return {name: found.get(name) for name in ("shakeup", "cv", "reliability")}
