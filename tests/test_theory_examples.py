"""The worked examples in the metric notes: each is recomputed with the harness's own metric SQL."""

from __future__ import annotations

import pytest

from harness import theory
from harness.metrics import metric_names
from harness.workspace import Workspace
from tests import declared
from tests.conftest import REPO

WS = Workspace(REPO)
NOTES = [theory.load_note(WS, topic) for topic in declared.NOTES]  # the project's own
EXAMPLES = [(note.topic, i, ex) for note in NOTES for i, ex in enumerate(note.examples)]


def test_every_metric_a_note_covers_has_a_worked_example() -> None:
    missing = []
    for note in NOTES:
        shown = {ex.metric for ex in note.examples}
        missing += [f"{note.topic}: {m}" for m in note.covers if m in theory.METRIC_NAMES and m not in shown]
    assert not missing, f"metric notes without a worked example: {missing}"


def test_every_example_is_small_and_states_four_decimals() -> None:
    for topic, _, example in EXAMPLES:
        assert 3 <= len(example.rows) <= 8, f"{topic}: {len(example.rows)} rows"
        assert example.decimals >= 4, f"{topic}: score stated to {example.decimals} decimals"
        assert all(len(row) == len(example.columns) for row in example.rows), topic


@pytest.mark.parametrize(("topic", "index", "example"), EXAMPLES, ids=[f"{t}-{i}" for t, i, _ in EXAMPLES])
def test_the_worked_example_gives_the_stated_score(
    topic: str, index: int, example: theory.WorkedExample
) -> None:
    from harness.contracts import example_score

    assert example.metric in metric_names(), f"{topic}: no metric {example.metric!r} in the registry"
    score = example_score(example)
    assert round(score, example.decimals) == pytest.approx(example.score, abs=0.5 * 10**-example.decimals), (
        f"{topic}: {example.metric} of the worked example is {score:.6f}, the note says {example.score}"
    )


# ---- numbers stated in the prose --------------------------------------------------------------------


def _prose(topic: str) -> str:
    return " ".join(theory.load_note(WS, topic).body.split())


def test_the_kappa_example_states_its_own_sums() -> None:
    """Counts, ΣwO and ΣwE of the QWK worked example, from its rows (E_ij = row i × column j / n)."""
    from fractions import Fraction

    (example,) = theory.load_note(WS, "quadratic-weighted-kappa").examples
    ratings = [int(c) for c in example.classes]
    pairs = [(int(y), int(p)) for y, p in example.rows]
    n, top = len(pairs), (len(ratings) - 1) ** 2
    observed = sum(Fraction((y - p) ** 2, top) for y, p in pairs)
    rows = {i: sum(y == i for y, _ in pairs) for i in ratings}
    columns = {j: sum(p == j for _, p in pairs) for j in ratings}
    expected = sum(Fraction((i - j) ** 2 * rows[i] * columns[j], top * n) for i in ratings for j in ratings)
    exact = sum(y == p for y, p in pairs)
    off_by_one = sum(abs(y - p) == 1 for y, p in pairs)
    assert (exact, off_by_one, observed, expected) == (4, 4, Fraction(4, 9), Fraction(20, 9))
    text = _prose("quadratic-weighted-kappa")
    assert "four exact, four off by one" in text
    assert f"\\sum w O = {observed.numerator}/{observed.denominator}" in text
    assert f"{expected.numerator}/{expected.denominator}$" in text
    assert 1 - observed / expected == Fraction(4, 5) and "0.8" in text


def _expected_maximum_of_normals(draws: int) -> float:
    import numpy as np
    from scipy import integrate, stats

    def density(z: float) -> float:
        return float(z * draws * stats.norm.pdf(z) * stats.norm.cdf(z) ** (draws - 1))

    return float(integrate.quad(density, -np.inf, np.inf)[0])


def test_the_best_of_50_draws_is_about_2_25_sigma_below_the_bound() -> None:
    import math

    expected, bound = _expected_maximum_of_normals(50), math.sqrt(2 * math.log(50))
    assert f"{expected:.2f}" == "2.25" and f"{bound:.2f}" == "2.80"
    leaderboard = _prose("public-private-leaderboard")
    assert "about $2.25$ (the bound says $2.80$)" in leaderboard
    assert f"about ${0.02 * expected:.3f}$" in leaderboard  # the gain at sigma = 0.02
    tuning = _prose("hyperparameter-tuning")
    assert "about $2.25\\sigma$ for 50 trials, where the bound gives $2.80\\sigma$" in tuning


def _fold_row(text: str, label: str) -> list[float]:
    cells = text.split(f"| {label} |", 1)[1].split("|")
    return [float(c) for c in cells[:5]]


def test_the_paired_comparison_in_cross_validation_adds_up() -> None:
    import numpy as np

    text = theory.load_note(WS, "cross-validation").body
    baseline, rule = np.array(_fold_row(text, "B: baseline")), np.array(_fold_row(text, "A: rule"))
    d = rule - baseline
    assert np.allclose(d, _fold_row(text, "$d_j$"), atol=1e-4)
    t = d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))
    prose = " ".join(text.split())
    assert f"$s = {baseline.std(ddof=1):.4f}$ and ${rule.std(ddof=1):.4f}$" in prose
    assert f"$s_d = {d.std(ddof=1):.4f}$" in prose
    assert f"/ \\sqrt 5) = {t:.2f}$" in prose
    assert (d > 0).all()  # "the rule wins every fold"


@pytest.mark.slow
def test_the_paired_comparison_uses_the_kernels_real_fold_scores(prepared_workspace: Workspace) -> None:
    from harness.kernels import cross_validate, load_kernel

    text = theory.load_note(WS, "cross-validation").body
    for label, name in [("B: baseline", "titanic/baseline"), ("A: rule", "titanic/rule-women-children")]:
        scores = cross_validate(prepared_workspace, load_kernel(prepared_workspace, name)).fold_scores
        assert _fold_row(text, label) == pytest.approx(scores, abs=5e-5), name
