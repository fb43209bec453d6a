"""`compete check SLUG`: lint a competition folder against the contract every competition meets.

The checks, in order (a failed early check skips the ones that depend on it):

    card          competition.toml loads; a wrong field is named
    files         schema.py, prepare.py and description.md exist
    schema        schema.py defines the pandera models Train, Test and Submission
    metric        the card's metric fits its task
    prepare       the competition prepares (or, if already prepared, its files still match the record)
    schemas       train.csv, test.csv and sample_submission.csv pass Train, Test and Submission
    folds         the training set splits into the card's cross-validation folds
    test-target   test.csv holds the id but no target column
    labels        the hidden labels cover every test id, with Public and Private rows
    sample-score  the sample submission is accepted and scores (public and private)
    perfect-score the hidden labels, submitted as predictions, get the metric's best score
    sample-formula the sample's scores are what the metric's reference formula gives (scorer_check.py)
    leak-guard    each kernel in kernels/<slug>/ predicts the test rows alike all at once and in two
                  halves (it learns nothing from test's rows), unless its KERNEL declares it does
    description   description.md names the metric, the source and the licence; TODOs left are reported

Each check gives a `CheckResult`; nothing is printed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import CompeteError
from harness.scorer_check import ScorerMismatch
from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.competition import Card


@dataclass(frozen=True)
class CheckResult:
    """One check: its name, whether it passed, and what it found."""

    name: str
    ok: bool
    message: str
    todo: bool = False  # passed, with placeholders left to fill in (shown as such, not as ok)


def check_competition(ws: Workspace, slug: str) -> list[CheckResult]:
    """Run every check on competition `slug`; prepares it first if it was never prepared.

    Raises UnknownName for a slug with no folder; every other problem is a failed CheckResult.
    """
    from harness.competition import CARD_FILE, competition_names, load_card
    from harness.errors import UnknownName

    if not (ws.competition_dir(slug) / CARD_FILE).is_file():
        raise UnknownName("competition", slug, competition_names(ws))
    results: list[CheckResult] = []

    def run(name: str, step: Callable[[], str]) -> bool:
        try:
            results.append(CheckResult(name, True, step()))
            return True
        except _ToDo as exc:
            results.append(CheckResult(name, True, str(exc), todo=True))
            return True
        except _Failed as exc:
            results.append(CheckResult(name, False, str(exc)))
        except ScorerMismatch as exc:
            results.append(CheckResult(name, False, str(exc)))
        except CompeteError as exc:
            results.append(CheckResult(name, False, str(exc)))
        except Exception as exc:  # a learner's prepare.py or schema.py may raise anything
            results.append(CheckResult(name, False, f"{type(exc).__name__}: {exc}"))
        return False

    cards: list[Card] = []

    def card_step() -> str:
        cards.append(load_card(ws, slug))
        return f"{CARD_FILE} loads: {cards[0].task}, metric {cards[0].metric}, {cards[0].cv.scheme} folds"

    if not run("card", card_step):
        return results
    card = cards[0]
    files_ok = run("files", lambda: _files(card))
    schema_ok = files_ok and run("schema", lambda: _schema(card))
    run("metric", lambda: _metric(card))
    if not (schema_ok and run("prepare", lambda: _prepare(ws, card))):
        run("description", lambda: _description(card))
        return results
    run("schemas", lambda: _schemas(ws, card))
    run("folds", lambda: _folds(ws, card))
    run("test-target", lambda: _test_target(ws, card))
    run("labels", lambda: _labels(ws, card))
    if card.classes:
        run("classes", lambda: _classes(ws, card))
    if run("sample-score", lambda: _sample_score(ws, card)):
        from harness import scorer_check

        run("perfect-score", lambda: scorer_check.check_perfect(ws, card.slug))
        run("sample-formula", lambda: scorer_check.check_sample(ws, card.slug))
    run("leak-guard", lambda: _leak_guard(ws, card))
    run("description", lambda: _description(card))
    return results


class _Failed(Exception):
    """A check that found a problem; the message says what and what to do."""


class _ToDo(Exception):
    """A check that passed but found placeholders left to fill in."""


def _files(card: Card) -> str:
    missing = [n for n in ("schema.py", "prepare.py", "description.md") if not (card.folder / n).is_file()]
    if missing:
        raise _Failed(f"{card.folder} lacks {', '.join(missing)}; every competition folder needs them.")
    return "schema.py, prepare.py and description.md are there"


def _schema(card: Card) -> str:
    from harness import schemas

    models = schemas.load_models(card)
    return f"schema.py defines {', '.join(models)}"


def _metric(card: Card) -> str:
    from harness import metrics

    metric = metrics.get(card.metric)
    if card.base_task not in metric.tasks:
        fitting = ", ".join(metrics.names_for_task(card.base_task))
        raise _Failed(f"{card.metric} does not fit task {card.task}; metrics that do: {fitting}.")
    direction = "higher" if metric.greater_is_better else "lower"
    return f"{card.metric} fits {card.task} ({direction} is better)"


def _prepare(ws: Workspace, card: Card) -> str:
    from harness.prepare import file_checksums, prepare
    from harness.session import open_competition

    with open_competition(ws, card.slug, prepared=False, card=card) as session:
        record = session.preparation
    if record is None:
        done = prepare(ws, card.slug)
        return (
            f"prepared: {done.train_rows} train rows, {done.test_rows} test rows "
            f"({done.public_rows} on the public board)"
        )
    current = file_checksums(ws.data_dir(card.slug))
    changed = sorted(name for name, digest in record.checksums.items() if current.get(name) != digest)
    if changed:
        raise _Failed(
            f"{', '.join(changed)} in {ws.data_dir(card.slug)} changed (or vanished) since the last prepare; "
            f"run `compete prepare {card.slug} --force` to rebuild them."
        )
    return f"already prepared; {len(current)} public files match their recorded checksums"


def _read(ws: Workspace, card: Card, name: str) -> Any:
    import pandas as pd

    return pd.read_csv(ws.data_dir(card.slug) / name)


def _schemas(ws: Workspace, card: Card) -> str:
    from harness import schemas

    models = schemas.load_models(card)
    pairs = (("Train", "train.csv"), ("Test", "test.csv"), ("Submission", "sample_submission.csv"))
    for model, name in pairs:
        schemas.validate(models[model], _read(ws, card, name), f"{card.slug} {name}")
    return "train.csv, test.csv and sample_submission.csv pass Train, Test and Submission"


def _folds(ws: Workspace, card: Card) -> str:
    from harness.folds import check_foldable, make_folds

    train = _read(ws, card, "train.csv")
    smallest = check_foldable(card, train)  # without scikit-learn, except for group folds' sizes
    if smallest is None:
        smallest = min(len(f.valid_rows) for f in make_folds(card, train))
    return f"{card.cv.k} {card.cv.scheme} folds of {len(train)} training rows (smallest: {smallest} rows)"


def _test_target(ws: Workspace, card: Card) -> str:
    import pandas as pd

    header = [str(c) for c in pd.read_csv(ws.data_dir(card.slug) / "test.csv", nrows=0).columns]
    leaked = [c for c in card.target_columns if c in header]
    if leaked:
        raise _Failed(f"test.csv holds the target {', '.join(leaked)}: the public test file must not.")
    if card.id_column not in header:
        raise _Failed(f"test.csv has no id column {card.id_column!r}.")
    return f"test.csv has {card.id_column} and no target"


def _labels(ws: Workspace, card: Card) -> str:
    from harness import vault
    from harness.session import open_competition

    with open_competition(ws, card.slug, card=card) as session:
        labels = vault.labels_frame(session.store)
    test_ids = set(_read(ws, card, "test.csv")[card.id_column].astype(str))
    label_ids = set(labels[card.id_column].astype(str))
    if test_ids != label_ids:
        raise _Failed(
            f"the hidden labels and test.csv disagree: {len(test_ids - label_ids)} test ids have no label, "
            f"{len(label_ids - test_ids)} labels no test row; run `compete prepare {card.slug} --force`."
        )
    usage = labels["usage"].value_counts()
    if card.split.public_fraction == 1 and set(usage.index) == {vault.PUBLIC}:
        return f"{len(labels)} test labels, all on the one board (public_fraction = 1)"
    if not {vault.PUBLIC, vault.PRIVATE} <= set(usage.index):
        raise _Failed(f"the test set needs Public and Private rows; it has {dict(usage)}.")
    return f"{len(labels)} test labels: {usage[vault.PUBLIC]} public, {usage[vault.PRIVATE]} private"


def _classes(ws: Workspace, card: Card) -> str:
    """The card's `classes` hold every target value of the data (train.csv and the hidden labels)."""
    from harness import vault
    from harness.session import open_competition

    with open_competition(ws, card.slug, card=card) as session:
        labels = vault.labels_frame(session.store)
    values = [*_read(ws, card, "train.csv")[card.target], *labels[card.target]]
    seen = {_as_label(v) for v in values}
    unknown = sorted(seen - set(card.classes or ()))
    if unknown:
        shown = ", ".join(map(repr, unknown[:5]))
        raise _Failed(
            f"the data's target holds {len(unknown)} value{'s' if len(unknown) != 1 else ''} that the card's "
            f"classes lack: {shown}; the card says {list(card.classes or ())}. List the target's own values "
            "in `classes`, so that predictions of them are accepted."
        )
    return f"every target value is one of the card's {len(card.classes or ())} classes"


def _as_label(value: Any) -> str:
    """A target value as the card's classes write it: 1 and 1.0 are '1'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sample_score(ws: Workspace, card: Card) -> str:
    from harness import scoring
    from harness.session import open_competition

    path = ws.data_dir(card.slug) / "sample_submission.csv"
    with open_competition(ws, card.slug, write=True, card=card) as session:
        score = scoring.score_file(session.store, card, path)
    for name, value in (("public", score.public), ("private", score.private)):
        if value != value:
            raise _Failed(f"the sample submission's {name} score is not a number.")
    return (
        f"sample_submission.csv scores {score.public:.6g} public, {score.private:.6g} private ({card.metric})"
    )


def _leak_guard(ws: Workspace, card: Card) -> str:
    from harness.analysis.leakguard import guard_competition

    found = guard_competition(ws, card.slug)
    if not found:
        return f"no kernels in kernels/{card.slug}/ to guard"
    leaking = [g for g in found if not g.ok]
    if leaking:
        raise _Failed(" ".join(g.message for g in leaking))
    exempt = [g.kernel for g in found if g.exempt]
    skipped = [g.message for g in found if g.skipped]
    note = f"; exempt by their KERNEL declaration: {', '.join(exempt)}" if exempt else ""
    note += "".join(f"; {message}" for message in skipped)
    guarded = len(found) - len(exempt) - len(skipped)
    return f"{guarded} kernel(s) predict test alike at once and in halves{note}"


def _description(card: Card) -> str:
    path = card.folder / "description.md"
    if not path.is_file():
        raise _Failed(f"{path} is missing; write the story, metric, data dictionary, source and licence.")
    text = path.read_text(encoding="utf-8")
    lowered = text.lower()
    missing = []
    if card.metric not in text and card.metric.replace("_", " ") not in lowered:
        missing.append(f"the metric ({card.metric})")
    missing += [word for word in ("source", "licence") if word not in lowered]
    if missing:
        raise _Failed(f"description.md does not name {', '.join(missing)}; add a section for each.")
    todos = len(re.findall(r"\bTODO\b", text))
    card_todos = len(re.findall(r"\bTODO\b", card.path.read_text(encoding="utf-8")))
    if todos or card_todos:
        raise _ToDo(
            f"names metric, source and licence; TODO placeholders left: {todos} in description.md, "
            f"{card_todos} in {card.path.name}; replace them with the story, the source and its licence"
        )
    return "names the metric, the source and the licence"
