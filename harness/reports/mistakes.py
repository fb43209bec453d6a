"""The mistakes a post-mortem names: each pattern is a small function over the evidence, returning a
`Finding` (what was seen, the numbers and submissions behind it, what to do next time and the theory
note that explains it) or None when the history does not show it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from harness.reports.history import Entry
from harness.reports.render import cv_with_folds
from harness.reports.stats import Calibration, Interval


@dataclass(frozen=True)
class Finding:
    name: str
    title: str
    evidence: str
    refs: tuple[str, ...]
    numbers: dict[str, float | int | None]
    next_time: str
    note: str  # a theory note's topic

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """What the patterns look at: one participant's on-time submissions and what was measured on them."""

    metric: str
    greater_is_better: bool
    own: tuple[Entry, ...]
    finals: tuple[Entry, ...]
    intervals: dict[str, Interval]  # public bootstrap intervals, by ref
    public_rows: int
    private_rows: int
    probabilities: bool  # the metric scores probabilities
    hard_predictions: tuple[str, ...] = ()  # refs whose probabilities are all 0 or 1
    calibration: Calibration | None = None
    final: Entry | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def gain(self, new: float, old: float) -> float:
        """How much better `new` is than `old`, in the metric's direction."""
        return new - old if self.greater_is_better else old - new

    def noise(self, ref: str) -> float | None:
        found = self.intervals.get(ref)
        return found.half_width if found else None


CHASE_MIN_STEPS = 3  # new public bests each within the noise
ECE_LIMIT = 0.1
GAP_Z = 2.58  # a public/private gap beyond 99% of what the split's sampling allows
LEAK_NOISES = 3.0


def chasing_public_board(ev: Evidence) -> Finding | None:
    """Many small public gains, little CV recorded, and the private score not following."""
    steps: list[tuple[Entry, float]] = []
    best: Entry | None = None
    for entry in ev.own:
        if best is None or ev.gain(entry.public_score, best.public_score) > 0:
            if best is not None:
                steps.append((entry, ev.gain(entry.public_score, best.public_score)))
            best = entry
    noise = [ev.noise(e.ref) for e, _ in steps]
    small = [(e, g) for (e, g), n in zip(steps, noise, strict=True) if n is not None and g < n]
    with_cv = sum(e.cv_score is not None for e in ev.own) / max(len(ev.own), 1)
    if len(small) < CHASE_MIN_STEPS or with_cv >= 0.5 or best is None:
        return None
    first = small[0][0]
    before = next(e for e in ev.own if e.seq < first.seq) if any(e.seq < first.seq for e in ev.own) else first
    if before.private_score is None or best.private_score is None:
        return None
    public_gain = ev.gain(best.public_score, before.public_score)
    private_gain = ev.gain(best.private_score, before.private_score)
    if private_gain > public_gain / 2:
        return None
    return Finding(
        name="chasing-public-board",
        title="Chasing the public board",
        evidence=(
            f"{len(small)} new public bests each gained less than the public score's own noise "
            f"(the bootstrap half-width, about {noise[0] or 0:.4g}); {with_cv:.0%} of the submissions "
            f"recorded a CV score. Public gain over the chain {public_gain:+.4g}, private gain "
            f"{private_gain:+.4g}."
        ),
        refs=tuple(e.ref for e, _ in small),
        numbers={
            "small_steps": len(small),
            "cv_share": with_cv,
            "public_gain": public_gain,
            "private_gain": private_gain,
        },
        next_time=(
            "Decide by cross-validation, which sees every training row; submit to check, not to steer. "
            "A public gain inside the bootstrap interval is noise."
        ),
        note="public-private-leaderboard",
    )


def no_validation(ev: Evidence) -> Finding | None:
    """Not one submission recorded a CV score."""
    if not ev.own or any(e.cv_score is not None for e in ev.own):
        return None
    return Finding(
        name="no-validation",
        title="No validation recorded",
        evidence=f"None of the {len(ev.own)} submissions carries a CV score.",
        refs=tuple(e.ref for e in ev.own),
        numbers={"submissions": len(ev.own)},
        next_time=(
            "Cross-validate before submitting (`compete run KERNEL --submit` records the CV score, or "
            "`compete submit … --cv SCORE`); choose by CV, confirm on the board."
        ),
        note="cross-validation",
    )


def finals_against_cv(ev: Evidence) -> Finding | None:
    """The finals were picked by public score where the CV scores disagreed."""
    scored = [e for e in ev.own if e.cv_score is not None]
    final_cv = [e for e in ev.finals if e.cv_score is not None]
    if len(scored) < 2 or not final_cv:
        return None
    best_cv = max(scored, key=lambda e: ev.gain(e.cv_score or 0.0, 0.0))
    if best_cv in ev.finals:
        return None
    cv_gap = min(ev.gain(best_cv.cv_score or 0.0, f.cv_score or 0.0) for f in final_cv)
    picked_by_public = all(ev.gain(f.public_score, best_cv.public_score) > 0 for f in ev.finals)
    if cv_gap <= 0 or not picked_by_public:
        return None
    best_final = max(ev.finals, key=lambda e: ev.gain(e.private_score or 0.0, 0.0))
    cost = (
        ev.gain(best_cv.private_score, best_final.private_score)
        if best_cv.private_score is not None and best_final.private_score is not None
        else None
    )
    return Finding(
        name="finals-by-public-against-cv",
        title="Finals picked by public score where CV disagreed",
        evidence=(
            f"{best_cv.ref} had the best CV ({cv_with_folds(best_cv.cv_score, best_cv.cv_folds)}) "
            "but a lower public score "
            f"({best_cv.public_score:.4g}) than the finals {', '.join(f.ref for f in ev.finals)}; "
            + (
                f"on the private rows it scored {cost:+.4g} against the best final."
                if cost is not None
                else ""
            )
        ),
        refs=(best_cv.ref, *(f.ref for f in ev.finals)),
        numbers={"cv_gap": cv_gap, "private_cost": cost},
        next_time=(
            "Spend one final on the best CV and one on a robust alternative; the public board is a "
            "small sample, the CV sees every training row."
        ),
        note="final-submission-selection",
    )


def suspected_leakage(ev: Evidence) -> Finding | None:
    """CV far better than both boards."""
    hits = []
    for e in ev.own:
        noise = ev.noise(e.ref)
        if e.cv_score is None or e.private_score is None or not noise:
            continue
        over_public = ev.gain(e.cv_score, e.public_score)
        over_private = ev.gain(e.cv_score, e.private_score)
        if min(over_public, over_private) > LEAK_NOISES * noise:
            hits.append((e, over_public, over_private, noise))
    if not hits:
        return None
    e, over_public, over_private, noise = max(hits, key=lambda h: h[1])
    return Finding(
        name="suspected-leakage",
        title="Suspected leakage: CV far better than both boards",
        evidence=(
            f"{len(hits)} submission(s) with a CV score more than {LEAK_NOISES:g} bootstrap half-widths "
            f"better than both boards; e.g. {e.ref}: CV {cv_with_folds(e.cv_score, e.cv_folds)}, "
            f"public {e.public_score:.4g}, "
            f"private {e.private_score:.4g} (noise about {noise:.4g})."
        ),
        refs=tuple(h[0].ref for h in hits),
        numbers={"cv_over_public": over_public, "cv_over_private": over_private, "noise": noise},
        next_time=(
            "Look for information the test rows cannot have: a feature computed on all rows with the "
            "target, a fold split that puts one group (or the future) on both sides."
        ),
        note="leakage",
    )


def objective_mismatch(ev: Evidence) -> Finding | None:
    """Labels submitted where probabilities are scored, or probabilities left uncalibrated under log loss."""
    if not ev.probabilities:
        return None
    if ev.hard_predictions:
        return Finding(
            name="objective-mismatch",
            title="Labels submitted where probabilities are scored",
            evidence=(
                f"{len(ev.hard_predictions)} submission(s) hold only 0 and 1 where {ev.metric} scores "
                "probabilities: every ordering within a class is lost"
                + (" and each wrong row costs the log loss's clip." if ev.metric == "log_loss" else ".")
            ),
            refs=ev.hard_predictions,
            numbers={"submissions": len(ev.hard_predictions)},
            next_time="Submit `predict_proba`'s column for the positive class, not `predict`'s labels.",
            note="log-loss" if ev.metric == "log_loss" else "calibration",
        )
    cal = ev.calibration
    if ev.metric == "log_loss" and cal is not None and ev.final is not None and cal.ece > ECE_LIMIT:
        return Finding(
            name="objective-mismatch",
            title="Probabilities left uncalibrated under log loss",
            evidence=(
                f"The final {ev.final.ref} has an expected calibration error of {cal.ece:.3f} "
                f"(over {ECE_LIMIT:g}): its probabilities do not match how often they come true."
            ),
            refs=(ev.final.ref,),
            numbers={"ece": cal.ece},
            next_time=(
                "Calibrate on out-of-fold predictions (Platt scaling or isotonic regression) and check "
                "the reliability curve before submitting."
            ),
            note="calibration",
        )
    return None


def gap_beyond_noise(ev: Evidence) -> Finding | None:
    """A public/private gap larger than the bootstrap allows."""
    hits = []
    for e in {*ev.finals, *([ev.final] if ev.final else [])}:
        noise = ev.intervals.get(e.ref)
        if e.private_score is None or noise is None or not ev.private_rows:
            continue
        sd_public = noise.half_width / 1.96
        sd_gap = sd_public * (1 + ev.public_rows / ev.private_rows) ** 0.5
        gap = e.public_score - e.private_score
        if sd_gap > 0 and abs(gap) > GAP_Z * sd_gap:
            hits.append((e, gap, abs(gap) / sd_gap))
    if not hits:
        return None
    e, gap, z = max(hits, key=lambda h: h[2])
    return Finding(
        name="gap-beyond-noise",
        title="A public/private gap larger than the bootstrap allows",
        evidence=(
            f"{e.ref}: public {e.public_score:.4g}, private {e.private_score:.4g}, a gap of {gap:+.4g}, "
            f"{z:.1f} standard errors (the split's sampling allows about {GAP_Z:g})."
        ),
        refs=tuple(h[0].ref for h in hits),
        numbers={"gap": gap, "z": z},
        next_time=(
            "Something differs between the parts, or the public part was fitted: trust CV, check "
            "the model on slices, and treat a public score as one noisy sample."
        ),
        note="public-private-leaderboard",
    )


PATTERNS: tuple[Callable[[Evidence], Finding | None], ...] = (
    chasing_public_board,
    no_validation,
    finals_against_cv,
    suspected_leakage,
    objective_mismatch,
    gap_beyond_noise,
)


def find_mistakes(ev: Evidence) -> list[Finding]:
    """Every pattern the evidence shows, in `PATTERNS` order."""
    return [f for f in (pattern(ev) for pattern in PATTERNS) if f is not None]
