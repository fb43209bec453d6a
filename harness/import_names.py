"""Training tables made from file names, for competitions whose labels are in the names of their files.

Some competitions ship no training table: the label is part of each training file's name
(`train/cat.0.jpg`, `train2.zip/train2/20090328_000000_002s3ms_TRAIN0_0.aif`). `--labels-from-names
PATTERN` is a regular expression matched against the path of every file of the public folder (a file
inside a zip archive as `ARCHIVE.zip/MEMBER`); its named group `label` is the label, its optional
group `id` the row's id (else the file's name; or, when the test ids are whole numbers, numbers
above them, so that the id column keeps one type). The files that match are the training rows.

The tables are written in a staging folder the import owns:

- train.csv: the sample's id column, `path` (where the file is, relative to the public folder and so
  to `data/<slug>/`), and the sample's prediction column holding the label;
- test.csv: the sample's ids and, for each, the path of the file named so (its name or its stem is the
  id; a file in a folder before one in a zip archive); none when some test id names no file.

`--label-values cat=0,dog=1` writes each label text as the value the test labels use.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from harness.errors import AuthoringError

OPTION = "--labels-from-names"
EXAMPLE = r"'train/(?P<label>cat|dog)\.\d+\.jpg'"
PATH_COLUMN = "path"


def public_paths(public: Path) -> Iterator[str]:
    """The path of each file under `public`, and of each member of its zip archives (`A.zip/MEMBER`)."""
    for path in sorted(public.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(public).as_posix()
        yield relative
        if path.suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    names = zf.namelist()
            except zipfile.BadZipFile:
                continue
            yield from (f"{relative}/{m}" for m in names if not m.endswith("/"))


def parse_label_values(text: str | None) -> dict[str, str]:
    """`cat=0,dog=1` as {"cat": "0", "dog": "1"}; AuthoringError for a part without `=`."""
    if not text:
        return {}
    pairs = [part.strip() for part in text.split(",") if part.strip()]
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise AuthoringError(
            f"--label-values {text!r}: {bad[0]!r} is not NAME=VALUE; write it as 'cat=0,dog=1'."
        )
    return {name.strip(): value.strip() for name, value in (p.split("=", 1) for p in pairs)}


def tables_from_names(
    public: Path,
    sample: Path,
    pattern: str,
    label_values: dict[str, str],
    answer_labels: set[str] | None,
    stage: Path,
) -> tuple[Path, Path | None, list[str]]:
    """train.csv (and test.csv when every test id names a file) made from the file names, in `stage`,
    with the notes that say how. `answer_labels` are the test labels' values, which every training
    label must be one of (after `label_values`). AuthoringError names what does not fit."""
    import pandas as pd

    regex = _compiled(pattern)
    columns = [str(c) for c in pd.read_csv(sample, nrows=0).columns]
    if len(columns) != 2:
        raise AuthoringError(
            f"{OPTION} makes one label column, and {sample.name} predicts {len(columns) - 1} "
            f"({', '.join(columns[1:])}); it takes a sample of an id and one prediction."
        )
    id_column, target = columns
    paths = list(public_paths(public))
    rows = []
    for path in paths:
        match = regex.fullmatch(path)
        if match:
            name = PurePosixPath(path).name
            label = match.group("label")
            rows.append({id_column: match.groupdict().get("id") or name, PATH_COLUMN: path, target: label})
    if not rows:
        shown = ", ".join(paths[:5]) or "no files"
        raise AuthoringError(
            f"{OPTION} {pattern!r} matches no file of {public} (its paths are like: {shown}); the pattern "
            "is matched against the whole path under public/ (a zip member as ARCHIVE.zip/MEMBER)."
        )
    train = pd.DataFrame(rows)
    repeated = train[id_column][train[id_column].duplicated()]
    if not repeated.empty:
        raise AuthoringError(
            f"{OPTION}: the id {repeated.iloc[0]!r} names several files; give the pattern a group "
            "(?P<id>...) that tells them apart, or leave it out to use each file's name."
        )
    test_ids = pd.read_csv(sample, usecols=[id_column], dtype=str)[id_column]
    numbered = "id" not in regex.groupindex and bool(test_ids.str.fullmatch(r"\d+").all())
    if numbered:  # numbers above the test ids, so that the id column stays a number column
        first = 10 ** len(str(max(int(i) for i in test_ids)))
        train[id_column] = range(first, first + len(train))
    train[target] = train[target].map(lambda v: label_values.get(v, v))
    unknown = sorted(set(train[target]) - answer_labels) if answer_labels is not None else []
    if unknown:
        raise AuthoringError(
            f"{OPTION}: the labels {', '.join(map(repr, unknown[:5]))} of the file names are no test "
            f"label (those are {', '.join(sorted(answer_labels or ()))}); say which is which with "
            "--label-values, such as --label-values cat=0,dog=1."
        )
    folder = stage / "from-names"
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    counts = train[target].astype(str).value_counts().sort_index()
    notes = [
        f"training table: made from {len(train)} file names matching {pattern!r} ({OPTION}); "
        f"{target}: {', '.join(f'{n} {v!r}' for v, n in counts.items())}"
        + (
            f" (--label-values {', '.join(f'{k}={v}' for k, v in label_values.items())})"
            if label_values
            else ""
        )
    ]
    if numbered:
        notes.append(
            f"training ids: the test ids are numbers, so the training rows are numbered from {first} "
            f"(each file is in the {PATH_COLUMN!r} column)"
        )
    found = _test_paths(paths, set(train[PATH_COLUMN]), list(test_ids))
    if found is None:
        notes.append(f"test files: some test ids name no file, so test.csv has no {PATH_COLUMN!r} column")
        return folder / "train.csv", None, notes
    pd.DataFrame({id_column: test_ids, PATH_COLUMN: found}).to_csv(folder / "test.csv", index=False)
    notes.append(f"test files: each test id's file is in test.csv's {PATH_COLUMN!r} column")
    return folder / "train.csv", folder / "test.csv", notes


def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise AuthoringError(f"{OPTION} {pattern!r} is not a regular expression: {exc}.") from None
    if "label" not in regex.groupindex:
        raise AuthoringError(
            f"{OPTION} {pattern!r} has no group (?P<label>...); mark the label in the file names, "
            f"such as {EXAMPLE}."
        )
    return regex


def _test_paths(paths: list[str], training: set[str], ids: list[str]) -> list[str] | None:
    """The path of the file each test id names (a folder's file before a zip member), None if one
    names none."""
    by_name: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: (".zip/" in p, p)):  # folder files first
        if path in training:
            continue
        name = PurePosixPath(path)
        by_name.setdefault(name.name, path)
        by_name.setdefault(name.stem, path)
    found = [by_name.get(i) for i in ids]
    return None if any(p is None for p in found) else [p for p in found if p is not None]


def require_training_table(
    folder: Path,
    sample: Path,
    train_file: Path,
    pattern: str | None,
    label_values: str | None,
    train_names: tuple[str, ...],
) -> None:
    """Refuse an import that has no training table and no `pattern` to make one (naming the option),
    or `label_values` without a pattern. Every import with `--labels-from-names` checks this first."""
    if pattern is not None:
        return
    if parse_label_values(label_values):
        raise AuthoringError(
            f"--label-values {label_values!r} needs {OPTION} PATTERN: it maps the labels found in the "
            "file names."
        )
    if not train_file.is_file() and sample.is_file():
        raise AuthoringError(
            f"{folder} has no training table ({', '.join(train_names)}). When the labels are in the "
            f"training files' names, make the table from them with {OPTION} PATTERN, a regular "
            "expression with a group for the label (and, if the file name is not the id, one for the "
            f"id), matched against each path under {folder.name}/: {OPTION} {EXAMPLE} "
            "--label-values cat=0,dog=1."
        )


def training_tables(
    folder: Path,
    sample: Path,
    train_file: Path,
    test_file: Path | None,
    pattern: str | None,
    label_values: str | None,
    answers: Path,
    stage: Path,
) -> tuple[Path, Path | None, list[str]]:
    """The import's train.csv and test.csv: as found (no `pattern`), or made from the names of the
    files under `folder` (`tables_from_names`, each training label checked against the test labels
    in `answers`), with the notes that say how. AuthoringError for what `tables_from_names` refuses."""
    if pattern is None:
        return train_file, test_file, []
    values = parse_label_values(label_values)
    return tables_from_names(folder, sample, pattern, values, answer_labels(answers, sample), stage)


def answer_labels(answers: Path, sample: Path) -> set[str] | None:
    """The values of the test labels' column that the sample predicts (one column), None without it."""
    import pandas as pd

    from harness.authoring import read_table

    predicted = [str(c) for c in pd.read_csv(sample, nrows=0).columns][1:]
    frame = read_table(answers)
    if len(predicted) != 1 or predicted[0] not in frame.columns:
        return None
    return set(frame[predicted[0]].dropna().astype(str))
