"""Theory notes: their shape, the links both ways (kernels, cards, metrics, other notes), and the commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness import theory
from harness.cli import app
from harness.competition import competition_names, load_card
from harness.errors import UnknownName
from harness.workspace import Workspace
from tests import declared
from tests.conftest import REPO

runner = CliRunner()
WS = Workspace(REPO)
# The project's own notes and kernels (tests/declared.toml); a learner's own are checked on demand by
# `compete theory TOPIC --check` and `compete kernels check NAME`, never here.
NOTES = [theory.load_note(WS, topic) for topic in declared.NOTES]
TOPICS = [n.topic for n in NOTES]
COVERED = {name for n in NOTES for name in (n.topic, *n.covers)}


def _kernel_names() -> list[str]:
    return declared.KERNELS


def test_every_declared_note_is_a_note_in_theory() -> None:
    assert set(TOPICS) <= set(theory.topic_names(WS))
    assert all(n.path.parent == WS.theory_dir for n in NOTES)


@pytest.mark.parametrize("note", NOTES, ids=TOPICS)
def test_a_note_meets_the_contract_a_learner_checks_with_theory_check(note: theory.Note) -> None:
    from harness.contracts import check_note

    failed = [r for r in check_note(WS, note.topic) if not r.ok]
    assert not failed, failed


def test_there_are_enough_notes_and_each_parses() -> None:
    assert len(NOTES) >= 25
    for note in NOTES:
        assert note.title and note.title != note.topic, f"{note.topic}: no title in the front matter"
        assert note.tags, f"{note.topic}: no tags"
        assert not note.extra, f"{note.topic}: unknown front-matter keys {sorted(note.extra)}"


@pytest.mark.parametrize("note", NOTES, ids=TOPICS)
def test_a_note_has_every_section_in_order(note: theory.Note) -> None:
    assert not note.missing_sections, f"{note.path} lacks sections {note.missing_sections}"
    order = [name for name, _ in note.sections if name in theory.SECTIONS]
    assert order == list(theory.SECTIONS), f"{note.path}: sections out of order: {order}"
    for name in theory.SECTIONS:
        assert note.section(name).strip(), f"{note.path}: section {name!r} is empty"
    assert "$$" in note.section("Key formulas"), f"{note.path}: Key formulas holds no $$ formula"


@pytest.mark.parametrize("note", NOTES, ids=TOPICS)
def test_a_note_links_only_to_notes_kernels_and_competitions_that_exist(note: theory.Note) -> None:
    bad_notes = [t for t in note.linked_notes if t not in TOPICS]
    assert not bad_notes, f"{note.path} links to missing notes {bad_notes}"
    assert note.topic not in note.linked_notes, f"{note.path} links to itself"
    missing_kernels = [k for k in note.linked_kernels if not theory.kernel_path(WS, k).is_file()]
    assert not missing_kernels, f"{note.path} links to missing kernels {missing_kernels}"
    slugs = competition_names(WS)
    missing_competitions = [c for c in note.linked_competitions if c not in slugs]
    assert not missing_competitions, f"{note.path} names missing competitions {missing_competitions}"


def test_a_note_covers_only_known_tags_and_metrics() -> None:
    known = set(theory.TECHNIQUES) | set(theory.METRIC_NAMES)
    unknown = {n.topic: [c for c in n.covers if c not in known] for n in NOTES}
    assert not {k: v for k, v in unknown.items() if v}, unknown


def test_every_technique_tag_has_a_note() -> None:
    missing = [tag for tag in theory.TECHNIQUES if tag not in COVERED]
    assert not missing, f"technique tags without a note: {missing}"


def test_every_metric_has_a_note() -> None:
    from harness.metrics import metric_names

    names = set(metric_names()) | set(theory.METRIC_NAMES)
    missing = sorted(name for name in names if name not in COVERED)
    assert not missing, f"metrics without a note: {missing}"


@pytest.mark.parametrize("kernel", _kernel_names())
def test_every_technique_a_kernel_names_has_a_note(kernel: str) -> None:
    techniques = theory.kernel_techniques(WS)[kernel]
    assert techniques, f"kernels/{kernel}.py: no literal KERNEL['techniques'] found"
    missing = [t for t in techniques if t not in COVERED]
    assert not missing, f"kernels/{kernel}.py names techniques without a note: {missing}"


@pytest.mark.parametrize("slug", competition_names(WS))
def test_every_card_metric_and_cv_scheme_has_a_note(slug: str) -> None:
    card = load_card(WS, slug)
    assert card.metric in COVERED, f"{slug}: metric {card.metric} has no note"
    scheme_topic = theory.CV_SCHEME_TOPICS[card.cv.scheme]
    assert scheme_topic in TOPICS, f"{slug}: cv scheme {card.cv.scheme} has no note ({scheme_topic})"
    linked = theory.notes_for_competition(WS, card)
    assert scheme_topic in linked and theory.LEADERBOARD_TOPIC in linked
    assert any(card.metric in theory.load_note(WS, t).covers for t in linked)


def test_every_note_is_linked_by_something() -> None:
    links = theory.used_by(WS)
    orphans = [topic for topic in TOPICS if not links[topic].anything]
    assert not orphans, f"notes nothing links to (no kernel, card or other note): {orphans}"


def test_every_kernel_is_reachable_from_a_note() -> None:
    reached = {k for topic, used in theory.used_by(WS).items() if topic in TOPICS for k in used.kernels}
    assert set(_kernel_names()) <= reached


# ---- the library ------------------------------------------------------------------------------------


def test_front_matter_and_sections_parse_without_a_yaml_library(tmp_path: Path) -> None:
    path = tmp_path / "some-topic.md"
    path.write_text(
        "---\ntitle: A: title with a colon\ntags: [a, b]\ncovers: []\n"
        "prerequisites: [x]\nrelated: [y, z]\n---\n"
        "\n## Intuition\n\ntext\n\n```\n## not a section\n```\n\n## Key formulas\n\n$$a$$\n",
        encoding="utf-8",
    )
    note = theory.parse_note(path)
    assert note.title == "A: title with a colon"
    assert note.tags == ("a", "b") and note.covers == () and note.related == ("y", "z")
    assert [name for name, _ in note.sections] == ["Intuition", "Key formulas"]
    assert "## not a section" in note.section("Intuition")
    assert note.linked_notes == ["x", "y", "z"]


def test_load_note_by_topic_by_metric_name_and_by_tag() -> None:
    assert theory.load_note(WS, "roc-auc").topic == "roc-auc"
    assert theory.load_note(WS, "roc_auc").topic == "roc-auc"
    assert theory.load_note(WS, "target-encoding").topic == "categorical-encoding"
    assert theory.load_note(WS, "balanced_accuracy").topic == "accuracy"


def test_an_unknown_topic_suggests_close_ones() -> None:
    with pytest.raises(UnknownName) as caught:
        theory.load_note(WS, "gradient-bosting")
    assert "gradient-boosting" in str(caught.value)
    assert "Did you mean" in str(caught.value)


def test_notes_for_a_competition_and_for_a_kernel() -> None:
    card = load_card(WS, "titanic")
    linked = theory.notes_for_competition(WS, card)
    assert {"accuracy", "stratified-folds", "public-private-leaderboard"} <= set(linked)
    assert theory.notes_for_kernel(WS, ["gradient-boosting", "target-encoding"]) == [
        "gradient-boosting",
        "categorical-encoding",
    ]
    assert theory.notes_for_kernel(WS, {"techniques": ["baseline"]}) == ["baseline"]


def test_kernels_are_read_without_being_imported(tmp_path: Path) -> None:
    path = tmp_path / "k.py"
    path.write_text('import nothing_here\nKERNEL = {"techniques": ["baseline"], "title": "t"}\n')
    assert theory.read_kernel_dict(path) == {"techniques": ["baseline"], "title": "t"}
    path.write_text("KERNEL = dict(techniques=['baseline'])\n")
    assert theory.read_kernel_dict(path) is None


def test_the_theory_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, harness.theory, harness.cli.theory; "
        "heavy = {'pandas', 'numpy', 'sklearn', 'lightgbm', 'optuna', 'duckdb', 'scipy', 'matplotlib'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


# ---- the commands -----------------------------------------------------------------------------------


def test_theory_lists_every_note_as_json(workspace: Workspace) -> None:
    result = runner.invoke(app, ["theory", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert set(TOPICS) <= {r["topic"] for r in rows}
    for row in rows:
        assert {"topic", "title", "covers", "used_by"} <= set(row)
    by_topic = {r["topic"]: r for r in rows}
    assert "titanic" in by_topic["accuracy"]["used_by"]
    assert "roc_auc" in by_topic["roc-auc"]["covers"]


def test_theory_lists_notes_as_a_table_and_csv(workspace: Workspace) -> None:
    result = runner.invoke(app, ["theory"])
    assert result.exit_code == 0, result.output
    assert "gradient-boosting" in result.output
    csv_out = runner.invoke(app, ["theory", "-f", "csv"]).stdout.splitlines()
    assert csv_out[0] == "topic,title,tags,used_by"
    assert len(csv_out) == len(theory.topic_names(WS)) + 1


def test_theory_topic_renders_the_note(workspace: Workspace) -> None:
    result = runner.invoke(app, ["theory", "log-loss"])
    assert result.exit_code == 0, result.output
    assert "Log loss" in result.output and "Intuition" in result.output
    assert "penguins" in result.output


def test_theory_topic_as_json(workspace: Workspace) -> None:
    result = runner.invoke(app, ["theory", "roc_auc", "--format", "json"])
    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)
    assert note["topic"] == "roc-auc"
    assert list(note["sections"]) == list(theory.SECTIONS)
    assert "spam" in note["used_by"]["competitions"]


def test_theory_unknown_topic_fails_cleanly_with_suggestions(workspace: Workspace) -> None:
    result = runner.invoke(app, ["theory", "cross-validaton"])
    assert result.exit_code != 0
    assert "cross-validation" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, UnknownName)  # caught and reported, not raised


def test_latex_is_shown_in_unicode_and_examples_keep_their_labels() -> None:
    from harness.cli.theory import terminal_markdown

    body = (
        "Inline $a\\,b_{ij}$ and\n\n$$\n\\text{roc\\_auc} = \\frac{1}{n}\n$$\n\n"
        "```example metric=rmse\ny,p\n```\n"
    )
    out = terminal_markdown(body)
    assert "`a bᵢⱼ`" in out
    assert "```text\nroc_auc = 1/n\n```" in out
    assert "**example** `metric=rmse`\n\n```example metric=rmse\ny,p\n```" in out


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\epsilon = 10^{-15}", "ε = 10⁻¹⁵"),
        (r"\sqrt{\frac{1}{n} \sum_{i=1}^{n} (y_i - \hat y_i)^2}", "√(1/n Σᵢ₌₁ⁿ (yᵢ - ŷᵢ)²)"),
        (r"\hat w = (X^\top X + \lambda I)^{-1} X^\top y", "ŵ = (Xᵀ X + λ I)⁻¹ Xᵀ y"),
        (r"\tilde p_{ik} \le 1 - \epsilon", "p̃ᵢₖ ≤ 1 - ε"),
        (r"\frac{a + b}{\min(c, d)}", "(a + b)/(min(c, d))"),
    ],
)
def test_formulas_read_as_unicode(latex: str, shown: str) -> None:
    from harness.latex import to_unicode

    assert to_unicode(latex) == shown


def test_every_note_renders_without_raw_latex(workspace: Workspace) -> None:
    for topic in TOPICS:
        result = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["theory", topic])
        assert result.exit_code == 0, result.output
        for raw in ("$$", "\\frac", "\\sum", "\\text", "\\hat"):
            assert raw not in result.stdout, (topic, raw)
    accuracy = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["theory", "accuracy"]).stdout
    assert "metric=accuracy" in accuracy and "metric=balanced_accuracy" in accuracy


def test_the_readme_indexes_every_note() -> None:
    readme = (WS.theory_dir / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([a-z0-9-]+)\.md\)", readme))
    assert linked == set(TOPICS), {"not indexed": set(TOPICS) - linked, "no such note": linked - set(TOPICS)}
