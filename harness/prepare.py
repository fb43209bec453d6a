"""`compete prepare`: turn a competition's source into public files and hidden labels.

A competition's `prepare.py` defines `load() -> DataFrame`: the whole data set, one row per example,
with the id and target columns. It may also define
    split(frame, card) -> (train, test)         to carve the test set its own way,
    usage(labels, card) -> Series                'Public'/'Private' per test row, for a split that
                                                  comes with the data (an imported Kaggle solution);
                                                  default: a seeded draw of the card's public fraction,
    sample_predictions(train, test, card) -> DataFrame   the sample submission (default: a constant
                                                  baseline from the training data),
    public_files() -> dict[str, Path]            files and folders given to the learner as they are
                                                  (images, audio, JSON), by their name in data/<slug>/.
The harness carves the test set by the card's CV scheme (stratified, grouped, time-ordered or random),
draws the public/private split, validates every frame with the competition's pandera models, writes
`train.csv`, `test.csv` and `sample_submission.csv` aside and moves them into `data/<slug>/` in one
step, and stores the test labels in the private store. Two runs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import open_label, schemas, store, vault
from harness.competition import Card, load_module
from harness.errors import CompetitionFolderError
from harness.metrics import MetricContext, Prediction
from harness.metrics import get as get_metric
from harness.session import (
    keep_solution_in_step,
    open_competition,
    remove_unrecorded_copies,
    state_in,
)
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

PUBLIC_FILES = ("train.csv", "test.csv", "sample_submission.csv")


@dataclass(frozen=True)
class Prepared:
    """The outcome of preparing one competition."""

    slug: str
    data_dir: Path
    train_rows: int
    test_rows: int
    public_rows: int
    checksums: dict[str, str]
    skipped: bool = False


def prepare(ws: Workspace, slug: str, *, force: bool = False) -> Prepared:
    """Prepare competition `slug`.

    Without `force`, a competition whose public files are still those recorded at its last preparation
    is left as it is (`skipped`); missing or changed files are rebuilt.
    """
    # A competition prepared from another card is refused (StalePreparation) unless forced.
    with open_competition(ws, slug, prepared=False, allow_stale=force) as session:
        card = session.card
        record = session.preparation
    if not force and record is not None:
        if file_checksums(ws.data_dir(slug)) == record.checksums:
            return Prepared(
                slug,
                ws.data_dir(slug),
                record.train_rows,
                record.test_rows,
                record.public_rows,
                record.checksums,
                skipped=True,
            )
    return _build(ws, card)


def _build(ws: Workspace, card: Card) -> Prepared:
    import pandas as pd

    module = load_module(card, "prepare")
    if not hasattr(module, "load"):
        raise CompetitionFolderError(f"{card.folder / 'prepare.py'} defines no load() function.")
    models = schemas.load_models(card)
    frame = _call(card, module.load, "load()")
    _require_columns(card, frame)
    frame = targets_as_scored(card, frame)
    if frame[card.id_column].duplicated().any():
        raise CompetitionFolderError(f"{card.slug}: load() returned duplicated ids in {card.id_column!r}.")

    splitter = getattr(module, "split", None)
    train, test_full = _call(card, splitter, "split()", frame, card) if splitter else carve(frame, card)
    train = train.sort_values(card.id_column, kind="stable").reset_index(drop=True)
    test_full = test_full.sort_values(card.id_column, kind="stable").reset_index(drop=True)
    test = test_full.drop(columns=list(card.target_columns))

    labels = test_full[[card.id_column, *card.target_columns]].copy()
    given_usage = getattr(module, "usage", None)
    if given_usage is not None:
        given = list(_call(card, given_usage, "usage()", labels, card))  # by position, never realigned
        if len(given) != len(labels):
            raise CompetitionFolderError(
                f"{card.folder / 'prepare.py'}: usage() returned {len(given)} values "
                f"for {len(labels)} test rows."
            )
        labels["usage"] = pd.Series(given, index=labels.index, dtype="str")
        unknown = set(labels["usage"]) - {vault.PUBLIC, vault.PRIVATE}
        if unknown:
            raise CompetitionFolderError(
                f"{card.folder / 'prepare.py'}: usage() returned {sorted(unknown)}; only "
                f"{vault.PUBLIC!r} and {vault.PRIVATE!r} are allowed."
            )

    sampler = getattr(module, "sample_predictions", None)
    sample = (
        _call(card, sampler, "sample_predictions()", train, test, card)
        if sampler
        else baseline_submission(train, test, card)
    )

    train = schemas.validate(models["Train"], train, f"{card.slug} train.csv")
    test = schemas.validate(models["Test"], test, f"{card.slug} test.csv")
    sample = schemas.validate(models["Submission"], sample, f"{card.slug} sample_submission.csv")
    assert not set(card.target_columns) & set(test.columns), "the public test file must not hold the target"

    frames = {"train.csv": train, "test.csv": test, "sample_submission.csv": sample}
    given_files = getattr(module, "public_files", None)
    as_is = _call(card, given_files, "public_files()") if given_files else {}
    checksums = _write_public(ws.data_dir(card.slug), frames, as_is)
    with store.connect(ws, card.slug) as con:
        if given_usage is None:  # the split in force, read where it is written: no reseed comes between
            seed = vault.current_public_seed(con, card)
            labels["usage"] = vault.public_split(labels[card.id_column], card.split.public_fraction, seed)
        record = vault.make_record(
            len(train),
            len(test),
            int((labels["usage"] == vault.PUBLIC).sum()),
            checksums,
            datetime.now(UTC),
            card,
        )
        vault.write_labels(con, pd.DataFrame(labels), record)
        # The submission rules, derived now that pandera is loaded, so `submit` need not import it.
        from harness import validation  # here: `list` and `show` read this module and need not load it

        validation.cache_rules(con, card, models["Submission"])
        # The public folder was replaced whole: a closed competition's solution is written again
        # from the new labels, an open one's never comes back.
        keep_solution_in_step(con, ws, card, state_in(con, card))
        remove_unrecorded_copies(con, ws, card.slug)
        vault.keep_label_file_in_step(con, ws, card.slug)
    return Prepared(card.slug, ws.data_dir(card.slug), len(train), len(test), record.public_rows, checksums)


def carve(frame: pd.DataFrame, card: Card) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the whole data set into train and test by the card's CV scheme.

    stratified: a stratified draw on the target; group: whole groups go to one side; time: the latest
    rows (by the card's time column) form the test set, cut between two times as the folds are, so
    rows of one time land on one side; kfold: a plain random draw.
    Raises CompetitionFolderError when a time-ordered data set has a single time.
    """
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    fraction, seed = card.split.test_fraction, card.split.seed
    frame = frame.sort_values(card.id_column, kind="stable").reset_index(drop=True)
    scheme = card.cv.scheme
    if scheme == "time":
        assert card.cv.column is not None
        from harness.folds import nearest_edge, time_edges

        ordered = frame.sort_values([card.cv.column, card.id_column], kind="stable")
        n_test = int(round(len(frame) * fraction))
        inner = time_edges(ordered[card.cv.column].to_numpy())[1:-1]  # cuts leaving both sides rows
        if len(inner) == 0:
            raise CompetitionFolderError(
                f"{card.slug}: every row load() returns has the same {card.cv.column!r}, so no test set "
                "of later times can be carved; give the rows their times, or use another [cv] scheme."
            )
        cut = nearest_edge(inner, len(frame) - n_test)
        return ordered.iloc[:cut], ordered.iloc[cut:]
    if scheme == "group":
        assert card.cv.column is not None
        splitter = GroupShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
        train_idx, test_idx = next(splitter.split(frame, groups=frame[card.cv.column]))
        return frame.iloc[train_idx], frame.iloc[test_idx]
    stratify = frame[card.target] if scheme == "stratified" else None
    train, test = train_test_split(frame, test_size=fraction, random_state=seed, stratify=stratify)
    return train, test


def targets_as_scored(card: Card, frame: pd.DataFrame) -> pd.DataFrame:
    """load()'s frame with its targets as scoring compares them: an open-label task's missing answer is
    the text 'nan', as its grader reads it (harness.open_label); any other frame as it is."""
    if card.task != open_label.TASK:
        return frame
    return open_label.with_missing_as_text(frame, card.target_columns)


def baseline_submission(train: pd.DataFrame, test: pd.DataFrame, card: Card) -> pd.DataFrame:
    """A constant prediction from the training data, in the submission's shape.

    Majority class for labels, the positive rate for a probability, class frequencies for class
    probabilities, the mean for values.
    """
    import pandas as pd

    metric = get_metric(card.metric)
    ids = test[card.id_column].to_numpy()
    target = train[card.target]
    out = pd.DataFrame({card.id_column: ids})
    kind = metric.prediction_for(card.task)
    if kind in (Prediction.LABEL, Prediction.TEXT):
        out[card.target] = target.mode().sort_values().iloc[0]
    elif kind is Prediction.PROBABILITY:
        positive = MetricContext(classes=card.classes).positive
        out[card.target] = float((target.astype(str) == positive).mean())
    elif kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        freq = target.astype(str).value_counts(normalize=True)
        for label in card.classes:
            out[label] = float(freq.get(label, 0.0))
    elif kind is Prediction.VALUE:
        out[card.target] = float(target.mean())
    elif kind is Prediction.VALUES:
        for column in card.target_columns:
            out[column] = float(train[column].mean())
    elif kind is Prediction.PROBABILITIES:
        positive = MetricContext(classes=card.classes).positive
        for column in card.target_columns:
            out[column] = float((train[column].astype(str) == positive).mean())
    else:
        raise CompetitionFolderError(
            f"{card.folder / 'prepare.py'}: metric {card.metric!r} predicts {kind.value}; "
            "define sample_predictions(train, test, card) to make the sample submission."
        )
    return out


def submission_columns(card: Card) -> list[str]:
    """The prediction columns a submission must have, after the id column."""
    if get_metric(card.metric).prediction_for(card.task) is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        return list(card.classes)
    return list(card.target_columns)


def file_checksums(folder: Path, names: tuple[str, ...] = PUBLIC_FILES) -> dict[str, str]:
    """SHA-256 of each named file in `folder` that exists."""
    return {name: _sha256(folder / name) for name in names if (folder / name).is_file()}


def _call(card: Card, function: Any, what: str, *args: Any) -> Any:
    """Run a function of the competition's own prepare.py; its failure is the competition's, named so."""
    try:
        return function(*args)
    except Exception as exc:
        raise CompetitionFolderError(
            f"{card.folder / 'prepare.py'}: {what} failed: {type(exc).__name__}: {exc}. "
            "Fix the competition's prepare.py (nothing was written)."
        ) from exc


def _require_columns(card: Card, frame: pd.DataFrame) -> None:
    missing = [c for c in (card.id_column, *card.target_columns) if c not in frame.columns]
    if missing:
        raise CompetitionFolderError(
            f"{card.folder / 'prepare.py'}: load() returned no column {', '.join(map(repr, missing))}, "
            "which the card names as id or target."
        )
    if card.cv.column is not None and card.cv.column not in frame.columns:
        from harness.errors import CardError

        raise CardError(
            card.path,
            "cv.column",
            f"is {card.cv.column!r}, which is not a column of the data load() returns; the "
            f"{card.cv.scheme} scheme needs one of: {', '.join(map(str, frame.columns))}.",
        )


def _write_public(
    target: Path, frames: dict[str, Any], as_is: dict[str, Path] | None = None
) -> dict[str, str]:
    """Write the frames (and link or copy the `as_is` files) into a folder beside `target`, then move it
    into place in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        for name, frame in frames.items():
            frame.to_csv(partial / name, index=False, lineterminator="\n")
        for name, path in (as_is or {}).items():
            from harness.authoring import copy_as_is

            if name not in frames:
                copy_as_is(Path(path), partial / name)
        checksums = file_checksums(partial, tuple(frames))
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        partial.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, OSError):  # a full disk, a read-only workspace
            from harness.errors import StoreUnavailable
            from harness.store import _os_problem

            raise StoreUnavailable(
                "the public files could not be written, so nothing changed: "
                f"{_os_problem(exc, target.parent)}"
            ) from None
        raise
    return checksums


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
