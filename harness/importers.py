"""`compete import`: competitions from Kaggle's download layout and from MLE-bench's prepared layout.

Kaggle (`compete import kaggle DIR`): DIR holds `train.csv`, `test.csv`, `sample_submission.csv` and
the competition's published `solution.csv` (the test labels with a `Usage` column: Public, Private,
or Ignored for rows that are not scored). The test set and the public/private split are Kaggle's own:
the generated `prepare.py` defines `split(frame, card)` (the test rows are those of the solution) and
`usage(labels, card)` (the solution's Usage).

MLE-bench (`compete import mlebench DIR`): DIR holds `public/` (train.csv, test.csv,
sample_submission.csv, description.md), `private/` (test.csv or answers.csv: the test labels) and
perhaps `config.yaml` naming the grader. The test set is MLE-bench's; the public/private split is
drawn with the card's seeds, since MLE-bench has none.

In both layouts the id column is the first column of the sample submission. The target is each other
sample-submission column found in train.csv; when those columns are classes (one probability per
class), the target is the one column of train.csv that test.csv lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.authoring import (
    MAX_CLASSES,
    Authored,
    Draft,
    check_csv_header,
    check_ids,
    check_new_slug,
    class_labels,
    fill_task_and_metric,
    free_text_columns,
    prediction_kind,
    py_literal,
    ranking_sample_source,
    read_table,
    write_competition,
)
from harness.errors import AuthoringError
from harness.open_label import TASK as OPEN_LABEL
from harness.open_label import import_reason, with_missing_as_text
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

USAGE_COLUMN = "Usage"
SPLITS = ("public-private", "none")  # import mlebench --split
LEADERBOARD = "leaderboard.csv"  # MLE-bench's copy of a competition's final private leaderboard
# scikit-learn's log_loss (1.9): each probability clipped at float64's machine epsilon, rows not rescaled.
SKLEARN_LOG_LOSS: dict[str, Any] = {"clip": 2.220446049250313e-16, "rescale": False}
MLEBENCH_ROW_SUM_TOLERANCE = 1e-6  # MLE-bench's multiclass log-loss graders: rows sum to 1 within this
IGNORED = "Ignored"
# How Kaggle's solution files spell a row's board (lowercased, without spaces or underscores).
USAGE_SPELLINGS = {
    "public": "Public",
    "publictest": "Public",
    "private": "Private",
    "privatetest": "Private",
    "ignored": IGNORED,
    "ignore": IGNORED,
    "unused": IGNORED,
}
# Metric names used by Kaggle and MLE-bench graders (normalised: lowercase, '-' for '_' and spaces).
METRIC_ALIASES: dict[str, str] = {
    "auc": "roc_auc",
    "roc-auc": "roc_auc",
    "auc-roc": "roc_auc",
    "auroc": "roc_auc",
    "roc-auc-score": "roc_auc",
    "area-under-roc-curve": "roc_auc",
    "area-under-the-roc-curve": "roc_auc",
    "logloss": "log_loss",
    "log-loss": "log_loss",
    "logarithmic-loss": "log_loss",
    "binary-log-loss": "log_loss",
    "binary-cross-entropy": "log_loss",
    "multi-class-log-loss": "log_loss",
    "multiclass-log-loss": "log_loss",
    "multi-class-logloss": "log_loss",
    "mlogloss": "log_loss",
    "accuracy": "accuracy",
    "accuracy-score": "accuracy",
    "categorization-accuracy": "accuracy",
    "classification-accuracy": "accuracy",
    "multi-class-classification-accuracy": "accuracy",
    "multiclass-classification-accuracy": "accuracy",
    "multi-class-accuracy": "accuracy",
    "balanced-accuracy": "balanced_accuracy",
    "f1": "f1",
    "f1-score": "f1",
    "binary-f1": "f1",
    "f1-macro": "f1_macro",
    "macro-f1": "f1_macro",
    "macro-f1-score": "f1_macro",
    "f1-score-macro": "f1_macro",
    "macro-averaged-f1": "f1_macro",
    "rmse": "rmse",
    "root-mean-squared-error": "rmse",
    "root-mean-square-error": "rmse",
    "rmsle": "rmsle",
    "root-mean-squared-log-error": "rmsle",
    "root-mean-squared-logarithmic-error": "rmsle",
    "mae": "mae",
    "mean-absolute-error": "mae",
    "r2": "r2",
    "r2-score": "r2",
    "r-squared": "r2",
    "coefficient-of-determination": "r2",
    "qwk": "quadratic_weighted_kappa",
    "kappa": "quadratic_weighted_kappa",
    "quadratic-weighted-kappa": "quadratic_weighted_kappa",
    "quadratic-kappa": "quadratic_weighted_kappa",
    "cohen-kappa-quadratic": "quadratic_weighted_kappa",
    "map@k": "map_at_k",
    "mapk": "map_at_k",
    "pearson": "pearson",
    "pearson-correlation": "pearson",
    "pearson-correlation-coefficient": "pearson",
    "pearson-r": "pearson",
    "mcrmse": "mean_columnwise_rmse",
    "mean-column-wise-rmse": "mean_columnwise_rmse",
    "mean-columnwise-rmse": "mean_columnwise_rmse",
    "mean-column-wise-root-mean-squared-error": "mean_columnwise_rmse",
    "mean-column-wise-rmsle": "mean_columnwise_rmsle",
    "mean-columnwise-rmsle": "mean_columnwise_rmsle",
    "mean-column-wise-root-mean-squared-logarithmic-error": "mean_columnwise_rmsle",
    "column-wise-roc-auc": "mean_columnwise_roc_auc",
    "column-wise-auc": "mean_columnwise_roc_auc",
    "mean-column-wise-roc-auc": "mean_columnwise_roc_auc",
    "mean-columnwise-roc-auc": "mean_columnwise_roc_auc",
    "mean-column-wise-auc": "mean_columnwise_roc_auc",
}
_MAP_AT = re.compile(r"^(?:mean-average-precision|map)(?:@|-at-|-@-|)(\d+)$")


@dataclass(frozen=True)
class _Layout:
    """The files of an imported competition and what they say about its columns."""

    train: Path
    test: Path
    sample: Path
    labels: Path
    id_column: str
    target: str
    targets: tuple[str, ...]  # every target column (several when the sample predicts several)
    classes: tuple[str, ...] | None  # the sample's class columns, in order, for a probability layout
    label_columns: tuple[str, ...]  # the labels file's columns that give the target (one, or the classes)
    features: tuple[str, ...]
    dropped: tuple[str, ...]  # train.csv columns that test.csv lacks (besides the target)
    test_only: tuple[str, ...] = ()  # test.csv columns that train.csv lacks (dropped too)


def import_kaggle(
    ws: Workspace,
    folder: Path,
    *,
    slug: str | None = None,
    metric: str | None = None,
    target: str | None = None,
    task: str | None = None,
    labels_from_names: str | None = None,
    label_values: str | None = None,
) -> Authored:
    """Import a Kaggle download plus its solution file, keeping Kaggle's test set and public/private split.

    `labels_from_names` and `label_values` make the training table from the training files' names, as
    for `import_mlebench` (see import_names); the download's other files are then copied as they are.
    Raises AuthoringError when a file is missing (without solution.csv: what to do instead), when the
    columns do not line up, or for a slug or metric that cannot be used.
    """
    with _staging() as stage:
        return _import_kaggle(
            ws,
            Path(folder),
            stage,
            slug=slug,
            metric=metric,
            target=target,
            task=task,
            labels_from_names=labels_from_names,
            label_values=label_values,
        )


@contextmanager
def _staging() -> Iterator[Path]:
    """A folder for the tables an import makes readable as CSV (unzipped, or from JSON), removed after."""
    import shutil
    import tempfile

    stage = Path(tempfile.mkdtemp(prefix="compete-import-"))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _import_kaggle(
    ws: Workspace,
    folder: Path,
    stage: Path,
    *,
    slug: str | None,
    metric: str | None,
    target: str | None,
    task: str | None,
    labels_from_names: str | None = None,
    label_values: str | None = None,
) -> Authored:
    from harness import import_names

    slug = slug or slug_for(folder.name)
    check_new_slug(ws, slug)
    sample = _sample_file(folder, stage)
    train_file, test_file = _train_file(folder, stage), _test_file(folder, stage)
    import_names.require_training_table(
        folder, sample, train_file, labels_from_names, label_values, TRAIN_NAMES
    )
    needed = (sample,) if labels_from_names is not None else (train_file, sample)  # names make train.csv
    _require_files(folder, needed, "a Kaggle download")
    solution = folder / "solution.csv"
    if not solution.is_file():
        raise AuthoringError(
            f"{folder} has no solution.csv: Kaggle's test.csv comes without labels, so compete cannot score "
            "it. Put the competition's published solution file there (the test ids, the target and a "
            "Usage column of Public/Private), or make a competition from the training data alone with "
            f"`compete new {slug} --from {folder / 'train.csv'} --target COLUMN`, which carves its test "
            "set out of train.csv."
        )
    train_file, test_file, name_notes = import_names.training_tables(
        folder, sample, train_file, test_file, labels_from_names, label_values, solution, stage
    )
    layout = _layout(train_file, test_file, sample, solution, target)
    extra = {}  # the files the names' paths point to (never the solution)
    if labels_from_names is not None:
        extra = {k: p for k, p in _other_files(folder, layout).items() if p.name != solution.name}
    frame = read_table(solution)
    if USAGE_COLUMN not in frame.columns:
        raise AuthoringError(
            f"{solution} has no {USAGE_COLUMN!r} column; Kaggle's solution files mark each row Public, "
            f"Private or Ignored. Columns found: {', '.join(map(str, frame.columns))}."
        )
    spelled = frame[USAGE_COLUMN].dropna().astype(str)
    unknown = sorted(set(spelled[spelled.map(usage_of).isna()]))
    if unknown:
        raise AuthoringError(
            f"{solution}: column {USAGE_COLUMN!r} holds {unknown}; only Public, Private and Ignored "
            "(or Kaggle's PublicTest and PrivateTest) are understood."
        )
    frame[USAGE_COLUMN] = frame[USAGE_COLUMN].astype(str).map(usage_of)
    usage = set(frame[USAGE_COLUMN].dropna())
    if not {"Public", "Private"} <= usage:
        raise AuthoringError(
            f"{solution}: column {USAGE_COLUMN!r} needs both Public and Private rows, found {sorted(usage)}."
        )
    notes = [f"test set and public/private split: Kaggle's, from solution.csv ({_usage_counts(frame)})"]
    notes += _staged_notes(folder, (train_file, test_file, sample)) + name_notes
    counts = frame[USAGE_COLUMN].astype(str).value_counts()
    public_fraction = round(int(counts["Public"]) / int(counts["Public"] + counts["Private"]), 4)
    title = folder.name.replace("-", " ").replace("_", " ").strip().capitalize() or slug
    draft = Draft(
        slug=slug,
        title=title,
        summary=f"Predict {', '.join(layout.targets)} for the test rows of the Kaggle competition "
        f"{folder.name}.",
        id_column=layout.id_column,
        target_columns=layout.targets,
        source_name=f"Kaggle competition {folder.name}: train.csv, test.csv and the published solution.csv",
        source_url=f"https://www.kaggle.com/competitions/{folder.name}",
        source_licence="TODO: the competition's rules and data licence on Kaggle (often not shareable)",
        source_changes=_changes(layout, "solution.csv", ignored=IGNORED in usage),
        public_fraction=min(max(public_fraction, 0.0001), 0.9999),
        notes=notes,
    )
    text = _prepare_source(slug, layout, "solution.csv", kaggle_usage=True, origin="a Kaggle download")
    return _write(
        ws,
        draft,
        layout,
        "solution.csv",
        text,
        metric,
        metric_note="Kaggle's metric is not in the downloaded files",
        task=task,
        extra=extra,
    )


def import_mlebench(
    ws: Workspace,
    folder: Path,
    *,
    slug: str | None = None,
    metric: str | None = None,
    target: str | None = None,
    task: str | None = None,
    from_repo: Path | None = None,
    split: str = "public-private",
    id_from: str | None = None,
    labels_from_names: str | None = None,
    label_values: str | None = None,
) -> Authored:
    """Import a competition prepared by MLE-bench (`public/`, `private/`).

    `from_repo` is the competition's folder in MLE-bench's repository (`mlebench/competitions/<id>/`):
    its config.yaml names the grader, its leaderboard.csv (Kaggle's final board) is kept beside the
    card, its description.md is used when public/ has none. A config.yaml in `folder` is read too.
    The metric comes from `--metric`, else from the config's grader name; without either nothing is
    guessed: AuthoringError lists the metrics to choose from. A grader name compete does not know
    raises AuthoringError listing the ones it does. `split="none"` puts the whole test set on one board
    (`public_fraction = 1`), MLE-bench's own setting; the default draws a public and a private board.
    `id_from` makes the sample's id column in train.csv and test.csv from a template of their columns
    (`{sentence_id}_{token_id}`), for tables that have no id column of their own.
    `labels_from_names` (a regular expression with a group `label`) makes the training table from the
    names of the files it matches, for competitions that ship none; `label_values` (`cat=0,dog=1`)
    writes the label texts as the test labels spell them (see import_names).
    """
    if split not in SPLITS:
        raise AuthoringError(f"--split {split!r} is not a split; choose one of {', '.join(SPLITS)}.")
    with _staging() as stage:
        return _import_mlebench(
            ws,
            Path(folder),
            stage,
            slug=slug,
            metric=metric,
            target=target,
            task=task,
            from_repo=from_repo,
            split=split,
            id_from=id_from,
            labels_from_names=labels_from_names,
            label_values=label_values,
        )


def _import_mlebench(
    ws: Workspace,
    folder: Path,
    stage: Path,
    *,
    slug: str | None,
    metric: str | None,
    target: str | None,
    task: str | None,
    from_repo: Path | None,
    split: str,
    id_from: str | None,
    labels_from_names: str | None,
    label_values: str | None,
) -> Authored:
    from harness import import_names

    public, private = folder / "public", folder / "private"
    sample = _sample_file(public, stage)
    train_file, test_file = _train_file(public, stage), _test_file(public, stage)
    layout_notes: list[str] = []
    if labels_from_names is None and not train_file.is_file():  # labels as images or text files
        from harness.import_layouts import tables_from_layout

        made = tables_from_layout(public, sample, stage)
        if made is not None:
            train_file, test_file, layout_notes = made
    import_names.require_training_table(
        public, sample, train_file, labels_from_names, label_values, TRAIN_NAMES
    )
    needed = (sample,) if labels_from_names is not None else (train_file, sample)  # names make train.csv
    _require_files(public, needed, "MLE-bench's public/ folder")
    made_ids = layout_notes
    if id_from is not None:
        import pandas as pd

        from harness.import_tables import with_id

        id_column = str(pd.read_csv(sample, nrows=0).columns[0])
        train_file = with_id(train_file, id_column, id_from, stage)
        test_file = with_id(test_file, id_column, id_from, stage) if test_file is not None else None
        made_ids.append(f"ids: {id_column} is made as {id_from} in train.csv and test.csv (--id-from)")
    config = _read_config(folder)
    extra: dict[str, Path] = {}
    if from_repo is not None:
        from_repo = Path(from_repo)
        if not (from_repo / "config.yaml").is_file():
            raise AuthoringError(
                f"{from_repo} has no config.yaml: --from-repo takes the competition's folder of MLE-bench's "
                "repository, such as mle-bench/mlebench/competitions/spooky-author-identification."
            )
        config = {**config, **_read_config(from_repo)}
        if (from_repo / LEADERBOARD).is_file():
            extra[LEADERBOARD] = from_repo / LEADERBOARD
    slug = slug or slug_for(config.get("id") or folder.name)
    check_new_slug(ws, slug)
    answers_name = Path(config.get("dataset.answers", "")).name
    candidates = [n for n in (answers_name, "answers.csv", "test.csv") if n and (private / n).is_file()]
    if not candidates:
        raise AuthoringError(
            f"{private} holds no answers.csv or test.csv: MLE-bench keeps the test labels there. "
            "Run MLE-bench's prepare for this competition first (`mlebench prepare -c ID`)."
        )
    grader = config.get("grader.name")
    if metric is None and (not grader or grader == "auto"):
        raise AuthoringError(_no_grader_message(folder, from_repo))
    answers = private / candidates[0]
    train_file, test_file, name_notes = import_names.training_tables(
        public, sample, train_file, test_file, labels_from_names, label_values, answers, stage
    )
    made_ids += name_notes
    layout = _layout(train_file, test_file, sample, answers, target)
    extra.update(_other_files(public, layout))
    notes = [f"test set: MLE-bench's; public/private split drawn with the card's seeds (from {answers.name})"]
    notes += _staged_notes(public, (train_file, test_file, sample)) + made_ids
    options: dict[str, Any] = {}
    if metric is None:
        assert grader is not None
        metric = metric_from_grader(grader)
        notes.append(f"metric: {metric} (from config.yaml's grader {grader!r})")
        match = _MAP_AT.match(_grader_key(grader))
        if match:
            options["k"] = int(match.group(1))
    row_sum_tolerance = None
    if metric == "log_loss":  # MLE-bench's graders call scikit-learn's log_loss: its clip, no rescaling
        options.update(SKLEARN_LOG_LOSS)
        notes.append(
            f"log loss: clipped at {SKLEARN_LOG_LOSS['clip']!r} and not rescaled, as scikit-learn's "
            "log_loss in MLE-bench's graders (metric_options in the card)"
        )
        if layout.classes and len(layout.classes) > 2:  # the multiclass graders refuse other rows
            row_sum_tolerance = MLEBENCH_ROW_SUM_TOLERANCE
            notes.append(
                f"submission rule: each row's probabilities sum to 1 within {row_sum_tolerance:g}, as "
                "MLE-bench's multiclass log-loss graders require (rules.row_sum_tolerance in the card)"
            )
    if extra:
        notes.append(f"{LEADERBOARD}: Kaggle's final private board, kept beside the card for medals")
    description = public / "description.md"
    if not description.is_file() and from_repo is not None:
        description = from_repo / "description.md"
    name = config.get("name") or folder.name
    draft = Draft(
        slug=slug,
        title=name,
        summary=f"Predict {', '.join(layout.targets)} for the test rows of the MLE-bench competition {name}.",
        id_column=layout.id_column,
        target_columns=layout.targets,
        source_name=f"MLE-bench's preparation of the Kaggle competition {config.get('id') or folder.name}",
        source_url="https://github.com/openai/mle-bench",
        source_licence="TODO: the original competition's rules and data licence on Kaggle",
        source_changes=_changes(layout, answers.name, ignored=False),
        story=description.read_text(encoding="utf-8") if description.is_file() else "",
        metric_options=options,
        notes=notes,
        row_sum_tolerance=row_sum_tolerance,
    )
    if split == "none":
        draft.public_fraction = 1.0
        notes[0] = (
            f"test set: MLE-bench's, on one board (--split none), as MLE-bench scores it ({answers.name})"
        )
    text = _prepare_source(slug, layout, "answers.csv", kaggle_usage=False, origin="an MLE-bench preparation")
    return _write(ws, draft, layout, "answers.csv", text, metric, metric_note="", task=task, extra=extra)


def _no_grader_message(folder: Path, from_repo: Path | None) -> str:
    from harness import metrics

    configs = [folder / "config.yaml", *([from_repo / "config.yaml"] if from_repo else [])]
    found = [str(p) for p in configs if p.is_file()]
    where = f"{' and '.join(found)} name no grader" if found else f"{folder} has no config.yaml"
    return (
        f"no grader is named ({where}), and compete does not guess a metric. Give the "
        "competition's folder of MLE-bench's repository with --from-repo DIR (its config.yaml names the "
        f"grader), or choose one with --metric: {', '.join(metrics.metric_names())}."
    )


def _grader_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def metric_from_grader(name: str) -> str:
    """Our metric for a Kaggle or MLE-bench metric/grader name; unknown names list the supported ones."""
    from harness import metrics

    key = _grader_key(name)
    match = _MAP_AT.match(key)
    ours = "map_at_k" if match else METRIC_ALIASES.get(key, key.replace("-", "_"))
    if ours not in metrics.metric_names():
        known = sorted(k for k, v in METRIC_ALIASES.items() if v in metrics.metric_names())
        raise AuthoringError(
            f"grader {name!r} maps to no metric compete knows; supported grader names: {', '.join(known)}. "
            "Pass --metric NAME to choose one of compete's metrics: "
            f"{', '.join(metrics.metric_names())}."
        )
    return ours


def usage_of(spelling: str) -> str | None:
    """Public, Private or Ignored for a Usage value as Kaggle spells it (PublicTest ...), else None."""
    return USAGE_SPELLINGS.get(re.sub(r"[\s_]+", "", str(spelling).lower()))


def slug_for(name: str) -> str:
    """A kebab-case slug from a folder or competition name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --------------------------------------------------------------------------------------------------


SAMPLE_NAMES = ("sample_submission.csv", "sampleSubmission.csv", "sample_submission_null.csv")


def _sample_file(folder: Path, stage: Path) -> Path:
    """The sample submission, under the name Kaggle used for it (older competitions: sampleSubmission),
    as CSV (a zipped one is unzipped into `stage`)."""
    return _first_table(folder, SAMPLE_NAMES, stage)


def _first_table(folder: Path, names: tuple[str, ...], stage: Path) -> Path:
    """The first of `names` found in `folder` as CSV, or as a zipped CSV or JSON records (see
    import_tables); `folder/names[0]` (missing) when none is."""
    from harness.import_tables import find_named, find_table

    for find in (find_table, find_named):  # every plain name before any prefixed one
        for name in names:
            found = find(folder, name, stage)
            if found is not None:
                return found
    return folder / names[0]


TRAIN_NAMES = ("train.csv", "labels.csv", "train_labels.csv")
# Besides the tables read here, what MLE-bench's public/ holds (images, audio, JSON) is copied as it is.
READ_HERE = (*TRAIN_NAMES, "test.csv", "description.md")


def _train_file(folder: Path, stage: Path) -> Path:
    """The training labels: train.csv, or labels.csv / train_labels.csv beside folders of images."""
    return _first_table(folder, TRAIN_NAMES, stage)


def _test_file(folder: Path, stage: Path) -> Path | None:
    """test.csv, or None when the test ids are only in the sample submission."""
    from harness.import_tables import find_named

    return find_named(folder, "test.csv", stage)


def _staged_notes(folder: Path, tables: tuple[Path | None, ...]) -> list[str]:
    """A note for each table read from a zip archive or from JSON records."""
    from harness.import_tables import made_from

    notes = []
    for table, name in zip(tables, ("train.csv", "test.csv", "the sample submission"), strict=True):
        if table is not None and table.name not in (*READ_HERE, *SAMPLE_NAMES):
            notes.append(f"tables: {name} is {table.name}")
        original = made_from(table, folder) if table is not None else None
        if table is not None and original is not None:
            how = (
                "JSON records; lists and objects kept as JSON text"
                if original.endswith(".json")
                else "unzipped"
            )
            notes.append(
                f"tables: {table.name} is read from {original} ({how}); {original} is copied as it is"
            )
    return notes


def _other_files(public: Path, layout: _Layout) -> dict[str, Path]:
    """Every file and folder of `public` the import does not read, under `source/public/`."""
    read = {*READ_HERE, layout.sample.name}
    return {f"source/public/{p.name}": p for p in sorted(public.iterdir()) if p.name not in read}


def _require_files(folder: Path, paths: tuple[Path, ...], what: str) -> None:
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise AuthoringError(
            f"{folder} is not {what}: {', '.join(missing)} missing (expected "
            f"{', '.join(p.name for p in paths)}, each as CSV, as a zipped CSV (NAME.csv.zip) or as JSON "
            "records (NAME.json))."
        )


def _layout(
    train_path: Path, test_path: Path | None, sample_path: Path, labels_path: Path, target: str | None
) -> _Layout:
    import pandas as pd

    for path in (train_path, test_path, sample_path):
        if path is not None:
            check_csv_header(path)
    train_cols = [str(c) for c in pd.read_csv(train_path, nrows=0).columns]
    sample_cols = [str(c) for c in pd.read_csv(sample_path, nrows=0).columns]
    test_cols = [str(c) for c in pd.read_csv(test_path or sample_path, nrows=0).columns]
    label_cols = [str(c) for c in read_table(labels_path).columns]
    if len(sample_cols) < 2:
        raise AuthoringError(f"{sample_path} needs an id column and at least one prediction column.")
    # The id is the sample's column that every file shares and that names each row once (usually
    # the first); other columns the sample copies from the test file (a date) are not predictions.
    shared = [c for c in sample_cols if c in train_cols and c in label_cols and c in test_cols]
    unique = [c for c in shared if _unique_in(sample_path, c)]
    id_column = (unique or shared or sample_cols)[0]
    copied = [c for c in sample_cols if c != id_column and test_path is not None and c in test_cols]
    predictions = [c for c in sample_cols if c != id_column and c not in copied]
    if test_path is None:
        test_cols = [id_column]
    for path, cols in ((train_path, train_cols), (test_path, test_cols), (labels_path, label_cols)):
        if path is not None and id_column not in cols:
            raise AuthoringError(
                f"{path.name} has no column {id_column!r}, the id column of {sample_path.name}; "
                f"its columns are: {', '.join(cols)}."
            )
    only_train = [c for c in train_cols if c not in test_cols]
    classes: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    if target is None:
        in_train = [c for c in predictions if c in train_cols]
        if in_train == predictions:  # one target, or several scored column by column
            target, targets = predictions[0], tuple(predictions)
        elif len(only_train) == 1:
            target = only_train[0]
            if len(predictions) > 1:
                classes = tuple(predictions)
        else:
            raise AuthoringError(
                f"cannot tell the target: {sample_path.name} predicts {', '.join(predictions)}, and "
                f"{train_path.name} has {len(only_train)} columns that the test set lacks "
                f"({', '.join(only_train) or 'none'}). "
                f"Name the target column of {train_path.name} with --target."
            )
    elif target not in train_cols:
        raise AuthoringError(
            f"the target {target!r} is not a column of {train_path.name}; its columns are: "
            f"{', '.join(train_cols)}."
        )
    elif predictions != [target]:
        classes = tuple(predictions)
    if test_path is not None and target in test_cols:
        raise AuthoringError(f"test.csv holds the target {target!r}: it must not; check the files.")
    if targets and len(targets) > 1 and any(t in test_cols for t in targets):
        raise AuthoringError(f"test.csv holds target columns ({', '.join(targets)}): it must not.")
    targets = targets or (target,)
    if set(targets) <= set(label_cols):
        label_columns: tuple[str, ...] = targets
    elif classes and set(classes) <= set(label_cols):
        label_columns = classes
    else:
        raise AuthoringError(
            f"{labels_path.name} gives no labels for {target!r}: it needs a column {target!r}"
            + (f" or one column per class ({', '.join(classes)})" if classes else "")
            + f"; its columns are: {', '.join(label_cols)}."
        )
    features = tuple(c for c in train_cols if c in test_cols and c != id_column)
    dropped = tuple(c for c in only_train if c not in targets)
    return _Layout(
        train_path,
        test_path or sample_path,
        sample_path,
        labels_path,
        id_column,
        target,
        targets,
        classes,
        label_columns,
        features,
        dropped,
        tuple(c for c in test_cols if c not in train_cols),
    )


TRAIN_ID_PREFIX = "train-"


def _train_id_shift(layout: _Layout) -> int | str | None:
    """How the training ids change when the test file reuses them: whole numbers are shifted by a power
    of ten above every test id (numbers stay numbers), other ids get `TRAIN_ID_PREFIX`; None when no
    id is shared."""
    import pandas as pd

    if not _shared_ids(layout):
        return None
    train = pd.read_csv(layout.train, usecols=[layout.id_column])[layout.id_column]
    test = pd.read_csv(layout.test, usecols=[layout.id_column])[layout.id_column]
    if pd.api.types.is_integer_dtype(train) and pd.api.types.is_integer_dtype(test):
        top = int(max(test.max(), 0)) - int(min(train.min(), 0))
        return 10 ** len(str(top))
    return TRAIN_ID_PREFIX


def _shift_source(shift: int | str) -> list[str]:
    if isinstance(shift, int):
        return ["    train[ID] = train[ID] + TRAIN_ID_SHIFT"]
    return ["    train[ID] = TRAIN_ID_SHIFT + train[ID].astype(str)"]


def _shared_ids(layout: _Layout) -> set[str]:
    """The ids (as text) that both the training and the test file use."""
    import pandas as pd

    train = pd.read_csv(layout.train, usecols=[layout.id_column], dtype=str)[layout.id_column]
    test = pd.read_csv(layout.test, usecols=[layout.id_column], dtype=str)[layout.id_column]
    return set(train) & set(test)


def _unique_in(path: Path, column: str) -> bool:
    import pandas as pd

    values = pd.read_csv(path, usecols=[column], dtype=str)[column]
    return bool(values.notna().all() and values.is_unique)


def _changes(layout: _Layout, labels_name: str, ignored: bool) -> str:
    parts = [f"train.csv and test.csv are joined into one frame; the test labels come from {labels_name}"]
    if layout.classes and layout.label_columns == layout.classes:
        parts.append(f"its one column per class becomes the label column {layout.target!r}")
    if ignored:
        parts.append("rows marked Ignored (not scored on Kaggle) are dropped from the test set")
    if layout.dropped:
        parts.append(f"columns only in train.csv are dropped: {', '.join(layout.dropped)}")
    if layout.test_only:
        parts.append(f"columns only in test.csv are dropped: {', '.join(layout.test_only)}")
    return "; ".join(parts) + "."


def _usage_counts(frame: pd.DataFrame) -> str:
    counts = frame[USAGE_COLUMN].astype(str).value_counts()
    return ", ".join(f"{counts.get(k, 0)} {k}" for k in ("Public", "Private", IGNORED) if counts.get(k, 0))


def _prepare_source(slug: str, layout: _Layout, labels_name: str, *, kaggle_usage: bool, origin: str) -> str:
    columns = [layout.id_column, *layout.features, *layout.targets]
    shift = _train_id_shift(layout)
    lines = [
        f'"""Build `{slug}` from {origin}: the test set is the one of `source/{labels_name}`."""',
        "",
        "import io",
        "from pathlib import Path",
        "",
        "import pandas as pd",
        "",
        'SOURCE = Path(__file__).parent / "source"',
        f"ID = {py_literal(layout.id_column)}",
        f"TARGET = {py_literal(layout.target)}",
        f"TARGETS = {py_literal(list(layout.targets))}",
        f"COLUMNS = {py_literal(columns)}",
    ]
    if shift is not None:
        lines.append(f"TRAIN_ID_SHIFT = {py_literal(shift)}  # train and test number their rows alike")
    if kaggle_usage:
        lines.append(f"USAGE = {py_literal(USAGE_SPELLINGS)}  # Kaggle's spellings of a row's board")
    if layout.label_columns != layout.targets:
        lines.append(
            f"CLASS_COLUMNS = {py_literal(list(layout.label_columns))}  # one indicator column per class"
        )
    lines += [
        "",
        "",
        "def labels() -> pd.DataFrame:",
        f'    """The test labels{", without the rows Kaggle does not score" if kaggle_usage else ""}."""',
        f'    frame = pd.read_csv(SOURCE / "{labels_name}")',
    ]
    if kaggle_usage:
        lines += [
            f"    usage = frame[{py_literal(USAGE_COLUMN)}].astype(str).str.lower()",
            '    usage = usage.str.replace(r"[\\s_]+", "", regex=True).map(USAGE)',
            f"    frame = frame.assign(**{{{py_literal(USAGE_COLUMN)}: usage}})",
            f'    frame = frame[frame["{USAGE_COLUMN}"] != "{IGNORED}"]',
        ]
    if layout.label_columns != layout.targets:
        lines.append("    frame[TARGET] = frame[CLASS_COLUMNS].idxmax(axis=1)")
    lines += [
        "    return frame.reset_index(drop=True)",
        "",
        "",
        "def load() -> pd.DataFrame:",
        '    train = pd.read_csv(SOURCE / "train.csv")',
        *(_shift_source(shift) if shift is not None else []),
        '    test = pd.read_csv(SOURCE / "test.csv")[COLUMNS[: -len(TARGETS)]]',
        '    test = test.merge(labels()[[ID, *TARGETS]], on=ID, how="inner")',
        "    frame = pd.concat([train[COLUMNS], test[COLUMNS]], ignore_index=True)",
        "    # The public files are CSV: give back the frame as CSV reads it, so one schema fits both.",
        "    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))",
        "",
        "",
        "def split(frame: pd.DataFrame, card) -> tuple[pd.DataFrame, pd.DataFrame]:",
        '    """The test rows are those with a label in the labels file."""',
        "    is_test = frame[ID].astype(str).isin(labels()[ID].astype(str))",
        "    return frame[~is_test], frame[is_test]",
        "",
        "",
        "def public_files() -> dict[str, Path]:",
        '    """What the learner gets as it is, beside train.csv and test.csv (images, audio, JSON)."""',
        '    folder = SOURCE / "public"',
        "    return {p.name: p for p in sorted(folder.iterdir())} if folder.is_dir() else {}",
    ]
    if kaggle_usage:
        lines += [
            "",
            "",
            "def usage(test_labels: pd.DataFrame, card) -> pd.Series:",
            f'    """Kaggle\'s own public/private split, from the solution\'s {USAGE_COLUMN} column."""',
            f'    by_id = labels().set_index(labels()[ID].astype(str))["{USAGE_COLUMN}"]',
            "    return test_labels[ID].astype(str).map(by_id)",
        ]
    return "\n".join(lines) + "\n"


def _write(
    ws: Workspace,
    draft: Draft,
    layout: _Layout,
    labels_name: str,
    prepare_text: str,
    metric: str | None,
    metric_note: str,
    *,
    task: str | None = None,
    extra: dict[str, Path] | None = None,
) -> Authored:
    import pandas as pd

    ranking = metric == "map_at_k"
    if ranking:  # never inferred from the data: only a ranking metric makes a ranking task
        prepare_text += ranking_sample_source(layout.id_column, layout.target)
    test_ids = pd.read_csv(layout.test, usecols=[layout.id_column])[layout.id_column]
    train_ids = pd.read_csv(layout.train, usecols=[layout.id_column])[layout.id_column]
    check_ids(train_ids, layout.id_column)
    check_ids(test_ids, layout.id_column)
    both = _shared_ids(layout)
    shift = _train_id_shift(layout)
    if both:
        how = (
            f"shifted by {shift} (1 becomes {1 + shift})" if isinstance(shift, int) else f"prefixed {shift!r}"
        )
        draft.notes.append(
            f"ids: {len(both)} ids are in both the training and the test file (e.g. "
            f"{', '.join(map(str, sorted(both, key=str)[:3]))}); the training rows' ids are {how} in "
            "train.csv, so that each id is one row; the test ids stay as they are"
        )

    label_frame = read_table(layout.labels)
    if USAGE_COLUMN in label_frame.columns and "usage(" in prepare_text:
        label_frame = label_frame[label_frame[USAGE_COLUMN].astype(str).map(usage_of) != IGNORED]
    label_ids = label_frame[layout.id_column]
    check_ids(label_ids, layout.id_column)
    stray = set(label_ids) - set(test_ids)
    if stray:
        raise AuthoringError(
            f"{len(stray)} ids of {layout.labels.name} are not in test.csv, "
            f"e.g. {sorted(stray, key=str)[:3]}; "
            "the labels file must describe the rows of test.csv."
        )
    unlabelled = len(set(test_ids) - set(label_ids))
    if unlabelled:
        draft.notes.append(
            f"test set: {unlabelled} rows of test.csv are not scored (no label, or Ignored) and are left out"
        )

    def build(frame: pd.DataFrame) -> None:
        automatic = not (ranking or task or layout.classes or len(layout.targets) > 1)
        open_why = import_reason(layout.train, layout.sample, layout.target, metric) if automatic else ""
        given = "ranking" if ranking else task or ("open-label" if open_why else _class_task(frame, layout))
        if given == OPEN_LABEL:  # a missing answer is the text 'nan' there, as the grader reads it
            frame[layout.target] = with_missing_as_text(frame, [layout.target])[layout.target]
        if open_why:
            draft.notes.append(f"task: open-label ({open_why}; --task multiclass makes each output a class)")
        elif given and not task and not ranking:
            draft.notes.append(f"task: {given} (the classes are {_class_reason(frame, layout)})")
        fill_task_and_metric(draft, frame, given, metric)
        _check_several_targets(draft, layout)
        if metric is None and metric_note:
            draft.notes[-1] = (
                f"metric: {draft.metric} (default for {draft.base_task}: {metric_note}; "
                "pass --metric to use the competition's own)"
            )
        if layout.classes:
            _use_sample_classes(draft, frame, layout.classes)
        draft.cv_scheme = "stratified" if draft.base_task in ("binary", "multiclass") else "kfold"
        n_test = int(frame[layout.id_column].astype(str).isin(test_ids.astype(str)).sum())
        draft.test_fraction = round(n_test / len(frame), 4)
        draft.split_text = (
            f"The test set is the {n_test} rows of the original test.csv that have a label "
            f"({draft.test_fraction:.0%} of all rows). "
            + (
                "Its public/private split is the one of Kaggle's solution file."
                if "usage(" in prepare_text
                else "It is scored as one board: the public score is the whole test set's."
                if draft.public_fraction == 1
                else f"{draft.public_fraction:.0%} of it, drawn with seed {draft.seed + 1}, "
                "is the public board."
            )
        )
        if layout.dropped:
            draft.notes.append(f"dropped columns only in train.csv: {', '.join(layout.dropped)}")
        if layout.test_only:
            draft.notes.append(f"dropped columns only in test.csv: {', '.join(layout.test_only)}")

    files = {
        "source/train.csv": layout.train,
        "source/test.csv": layout.test,
        f"source/{labels_name}": layout.labels,
        **(extra or {}),
    }
    if draft.story:
        draft.notes.append("description: the competition's own description is kept in description.md")
    return write_competition(ws, draft, files, prepare_text, build)


def _check_several_targets(draft: Draft, layout: _Layout) -> None:
    """Several targets are scored one column at a time: only a column-wise metric does that."""
    from harness import metrics
    from harness.metrics import Prediction

    if len(layout.targets) == 1:
        return
    several = (Prediction.VALUES, Prediction.PROBABILITIES)
    if metrics.get(draft.metric).prediction_for(draft.task) not in several:
        fitting = [
            m
            for m in metrics.names_for_task(draft.task)
            if metrics.get(m).prediction_for(draft.task) in several
        ]
        raise AuthoringError(
            f"the sample submission predicts {len(layout.targets)} targets ({', '.join(layout.targets)}), "
            f"which {draft.metric} cannot score together; choose a column-wise metric with --metric "
            f"({', '.join(fitting) or 'none fits ' + draft.task}), or keep one target with --target."
        )


def _class_task(frame: pd.DataFrame, layout: _Layout) -> str | None:
    """multiclass where the files say so but inference would refuse or misread it, else None.

    One sample column per class (more than two), or more than MAX_CLASSES text values.
    """
    if not _class_reason(frame, layout):
        return None
    text = free_text_columns(frame, [layout.id_column, layout.target])
    return ("text-" if text else "") + "multiclass"


def _class_reason(frame: pd.DataFrame, layout: _Layout) -> str:
    import pandas as pd

    target = frame[layout.target]
    if layout.classes and len(layout.classes) > 2:
        return f"the sample submission's {len(layout.classes)} probability columns"
    n = int(target.nunique())
    if not pd.api.types.is_numeric_dtype(target) and n > MAX_CLASSES:
        return f"the {n} text values of {layout.target!r}"
    return ""


def _use_sample_classes(draft: Draft, frame: pd.DataFrame, classes: tuple[str, ...]) -> None:
    """A probability layout: the classes, in the sample submission's order, must be the target's values."""
    from harness.metrics import Prediction

    values = set(class_labels(frame[draft.target_columns[0]]))
    if values - set(classes):
        raise AuthoringError(
            f"the target {draft.target_columns[0]!r} has values {sorted(values - set(classes))} that are not "
            f"columns of sample_submission.csv ({', '.join(classes)})."
        )
    if (
        draft.base_task == "binary"
        or prediction_kind(draft.metric, draft.task) is not Prediction.CLASS_PROBABILITIES
    ):
        return
    draft.classes = classes


def _read_config(folder: Path) -> dict[str, str]:
    """The few keys of MLE-bench's config.yaml that matter, as dotted names (no YAML library needed).

    Understands `key: value` lines and one level of nesting by indentation, which is all those files use
    for `id`, `name`, `grader.name` and `dataset.answers`.
    """
    path = folder / "config.yaml"
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    parent = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        indented = line[0] in " \t"
        key, _, value = line.strip().partition(":")
        value = value.strip().strip("'\"")
        if not indented:
            parent = key if not value else ""
            if value:
                out[key] = value
        elif parent and value:
            out[f"{parent}.{key}"] = value
    return out
