"""The theory-note contract as checks: what every note, the project's or a learner's, must do.

front-matter  a title that is not the topic, tags, and no unknown keys
sections      Intuition, Key formulas, Assumptions, How it fails..., Where it is used: all there, in
              order, none empty, and a $$ formula among the key formulas
covers        only technique tags and metric names the harness knows
links         linked notes, kernels and competitions exist (and the note does not link to itself)
examples      each worked example gives its stated score through the metric's own code
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.checks import CheckResult
from harness.contracts._steps import Failed, Steps
from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.theory import Note, WorkedExample


def check_note(ws: Workspace, topic_or_path: str | Path) -> list[CheckResult]:
    """Run every note check on a note given by topic (or a metric or tag it covers) or by a .md path.

    Raises UnknownName for a topic with no note; every other problem is a failed CheckResult.
    """
    from harness import theory

    path = Path(topic_or_path).expanduser()
    note = theory.parse_note(path) if path.suffix == ".md" else theory.load_note(ws, str(topic_or_path))
    steps = Steps()
    steps.run("front-matter", lambda: _front_matter(note))
    steps.run("sections", lambda: _sections(note))
    steps.run("covers", lambda: _covers(note))
    steps.run("links", lambda: _links(ws, note))
    if note.examples:
        steps.run("examples", lambda: _examples(note))
    return steps.results


def _front_matter(note: Note) -> str:
    if not note.title or note.title == note.topic:
        raise Failed(f"{note.path}: no title in the front matter (`title: ...` between the --- lines).")
    if not note.tags:
        raise Failed(f"{note.path}: no tags in the front matter (`tags: [a, b]`).")
    if note.extra:
        raise Failed(f"{note.path}: unknown front-matter keys {', '.join(sorted(note.extra))}.")
    return f"{note.title!r}, tags {', '.join(note.tags)}"


def _sections(note: Note) -> str:
    from harness.theory import SECTIONS

    if note.missing_sections:
        raise Failed(f"lacks the section(s) {', '.join(note.missing_sections)}; every note has {SECTIONS}.")
    order = [name for name, _ in note.sections if name in SECTIONS]
    if order != list(SECTIONS):
        raise Failed(f"sections out of order: {order}; the order is {list(SECTIONS)}.")
    empty = [name for name in SECTIONS if not note.section(name).strip()]
    if empty:
        raise Failed(f"empty section(s): {', '.join(empty)}.")
    if "$$" not in note.section("Key formulas"):
        raise Failed("Key formulas holds no $$ display formula.")
    return "every section, in order"


def _covers(note: Note) -> str:
    from harness.theory import METRIC_NAMES, TECHNIQUES

    unknown = [c for c in note.covers if c not in set(TECHNIQUES) | set(METRIC_NAMES)]
    if unknown:
        raise Failed(f"covers unknown tags or metrics: {', '.join(unknown)}; see kernels/README.md for tags.")
    return f"covers {', '.join(note.covers)}" if note.covers else "covers no tag or metric"


def _links(ws: Workspace, note: Note) -> str:
    from harness import theory
    from harness.competition import competition_names

    topics = theory.topic_names(ws)
    problems = [f"note {t}" for t in note.linked_notes if t not in topics]
    problems += ["itself"] if note.topic in note.linked_notes else []
    problems += [f"kernel {k}" for k in note.linked_kernels if not theory.kernel_path(ws, k).is_file()]
    slugs = competition_names(ws)
    problems += [f"competition {c}" for c in note.linked_competitions if c not in slugs]
    if problems:
        raise Failed(f"links to what does not exist: {', '.join(problems)}.")
    return (
        f"{len(note.linked_notes)} notes, {len(note.linked_kernels)} kernels, "
        f"{len(note.linked_competitions)} competitions"
    )


def _examples(note: Note) -> str:
    from harness.metrics import metric_names

    for example in note.examples:
        if example.metric not in metric_names():
            raise Failed(f"a worked example names metric {example.metric!r}, which the harness lacks.")
        score = example_score(example)
        if abs(score - example.score) > 0.5 * 10**-example.decimals:
            raise Failed(
                f"the worked example of {example.metric} scores {score:.6f}; the note says {example.score}."
            )
    return f"{len(note.examples)} worked example(s) give their stated scores"


def example_score(example: WorkedExample) -> float:
    """The score the harness's own metric code gives a worked example."""
    from harness.metrics import MetricContext, Prediction, get
    from harness.metrics._frame import score_predictions

    metric = get(example.metric)
    options: dict[str, Any] = {k: int(v) if v.isdigit() else v for k, v in example.options.items()}
    options.pop("classes", None)
    targets = sum(1 for c in example.columns if c.startswith("y_")) or 1  # y_j, p_j: several targets
    ctx = MetricContext(classes=example.classes, options=options, targets=targets)
    kind = metric.kind(ctx) if hasattr(metric, "kind") else metric.prediction
    column = {name: [row[i] for row in example.rows] for i, name in enumerate(example.columns)}
    if kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        rows = range(len(example.rows))
        truth: Any = [[column[f"y_{j}"][i] for j in range(targets)] for i in rows]
        if kind is Prediction.VALUES:
            truth = [[float(v) for v in row] for row in truth]
        guesses = [[float(column[f"p_{j}"][i]) for j in range(targets)] for i in rows]
        return float(score_predictions(metric, truth, guesses, ctx))
    y: list[Any] = list(column["y"])
    classes = ctx.classes or ("0", "1")
    pred: Any
    if kind is Prediction.CLASS_PROBABILITIES:
        if "p" in column:  # a binary example: p is the probability of the last class
            pred = [[1.0 - float(v), float(v)] for v in column["p"]]
        else:
            pred = [[float(column[f"p_{c}"][i]) for c in classes] for i in range(len(y))]
    elif kind is Prediction.PROBABILITY:
        pred = [float(v) for v in (column["p"] if "p" in column else column[f"p_{classes[-1]}"])]
    elif kind is Prediction.VALUE:
        y, pred = [float(v) for v in y], [float(v) for v in column["p"]]
    else:
        pred = column["p"]
    return float(score_predictions(metric, y, pred, ctx))
