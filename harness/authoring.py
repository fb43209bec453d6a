"""`compete new`: turn a learner's own CSV or Parquet file into a complete competition folder.

    compete new churn --from customers.csv --target churned

writes `competitions/churn/` with everything the harness needs, all of it readable and editable:

    competition.toml   the card, every field filled (what was inferred is reported, never hidden)
    schema.py          pandera models Train / Test / Submission inferred from the data
    prepare.py         `load()` reads the copied source file; the harness carves the test set by the
                       card's CV scheme (stratified, grouped, time-ordered or random)
    source.csv         the learner's file, copied so the folder prepares on its own later
    description.md     a template: the data dictionary filled in, TODOs for the story and the licence

The folder is written beside its final place and renamed into it in one step, after a dry run of
`prepare` (load, carve, validate every frame) has passed. The importers (`harness.importers`) write
their folders through the same machinery.
"""

from __future__ import annotations

import csv
import json
import keyword
import math
import os
import re
import shutil
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.competition import CARD_FILE, CV_SCHEMES, SLUG_PATTERN, TASKS, Card, parse_card
from harness.errors import AuthoringError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

MAX_CLASSES = 20  # a target with at most this many discrete values is a classification target
MAX_CATEGORIES = 20  # a string column with at most this many values gets an `isin` check
TEXT_MIN_WORDS = 6  # a string column averaging this many words, mostly unique, is free text
DEFAULT_TEST_SIZE = 0.25
DEFAULT_PUBLIC = 0.5
DEFAULT_K = 5
ID_NAMES = ("id", "Id", "ID")
SOURCE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
LARGE_SOURCE_BYTES = 50 * 1024 * 1024
# Preferred metric per base task, best first; the first one the registry holds is the default.
DEFAULT_METRICS: dict[str, tuple[str, ...]] = {
    "binary": ("roc_auc", "log_loss", "accuracy"),
    "multiclass": ("log_loss", "accuracy"),
    "regression": ("rmse", "mae"),
    "ranking": ("map_at_k",),
}
TODO = "TODO"
HEADER_EXAMPLES = 3  # lines named when the rows do not fit the header
RANKING_K = 12  # map_at_k's cut-off, written into the card so it can be read and changed


@dataclass(frozen=True)
class ColumnProfile:
    """What the data say about one column (of the frame `load()` returns)."""

    name: str
    kind: str  # int | float | bool | str | object
    nulls: int
    unique: int
    minimum: Any = None
    maximum: Any = None
    categories: tuple[Any, ...] | None = None
    distinct: tuple[Any, ...] | None = None
    examples: tuple[str, ...] = ()
    free_text: bool = False


@dataclass(frozen=True)
class Authored:
    """The outcome of `compete new` or `compete import`: what was written and what was inferred."""

    slug: str
    folder: Path
    task: str
    metric: str
    id_column: str
    target_columns: tuple[str, ...]
    classes: tuple[str, ...] | None
    cv_scheme: str
    cv_column: str | None
    rows: int
    columns: int
    files: tuple[str, ...]
    data_bytes: int
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["folder"] = str(self.folder)
        return out


@dataclass
class Draft:
    """Everything a competition folder is written from; filled step by step, then written once."""

    slug: str
    title: str
    summary: str
    id_column: str
    target_columns: tuple[str, ...]
    source_name: str
    source_url: str = TODO
    source_licence: str = f"{TODO}: state the licence under which the data may be used"
    source_changes: str = "none"
    task: str = ""
    metric: str = ""
    metric_options: dict[str, Any] = field(default_factory=dict)
    classes: tuple[str, ...] | None = None
    test_fraction: float = DEFAULT_TEST_SIZE
    public_fraction: float = DEFAULT_PUBLIC
    cv_scheme: str = "kfold"
    cv_k: int = DEFAULT_K
    cv_column: str | None = None
    story: str = ""
    split_text: str = ""
    notes: list[str] = field(default_factory=list)
    row_sum_tolerance: float | None = None  # the submission rule of a grader that refuses other rows

    @property
    def seed(self) -> int:
        """A seed of the slug's own, so that two authored competitions never share a split."""
        return zlib.crc32(self.slug.encode()) % 10_000

    @property
    def base_task(self) -> str:
        return self.task.removeprefix("text-")


# --------------------------------------------------------------------------------------------------
# compete new


def new_competition(
    ws: Workspace,
    slug: str,
    source: Path,
    target: str,
    *,
    metric: str | None = None,
    id_column: str | None = None,
    task: str | None = None,
    test_size: float = DEFAULT_TEST_SIZE,
    public: float = DEFAULT_PUBLIC,
    folds: str | None = None,
    group: str | None = None,
    time: str | None = None,
) -> Authored:
    """Write `competitions/<slug>/` from one data file; the harness carves the test set from it.

    Raises AuthoringError for a slug that exists or is not kebab-case, a file that is not CSV/Parquet,
    a missing target/id/group/time column, a target with one value, duplicated ids, and a task,
    metric or fold scheme that does not fit the data.
    """
    check_new_slug(ws, slug)
    source = Path(source)
    fmt = _source_format(source)
    raw = read_table(source)
    columns = [str(c) for c in raw.columns]
    _require_column(target, columns, "target", "--target")
    for option, column in (("--group", group), ("--time", time)):
        if column is None:
            continue
        _require_column(column, columns, option.removeprefix("--") + " column", option)
        if column == target:
            raise AuthoringError(
                f"{option} {column!r} is the target; folds are made by another column (or by none)."
            )
    if group is not None and time is not None:
        raise AuthoringError("give --group or --time, not both: the test set is carved one way only.")
    _check_fraction("--test-size", test_size)
    _check_fraction("--public", public)

    notes: list[str] = []
    added_id = False
    if id_column is None:
        id_column = next((c for c in ID_NAMES if c in columns), None)
        if id_column is None:
            id_column, added_id = "id", True
            notes.append("id: added an `id` column numbered 0..n-1 in file order (the data had none)")
        else:
            notes.append(f"id: using the existing column {id_column!r}")
    else:
        _require_column(id_column, columns, "id column", "--id")
    if not added_id:
        check_ids(raw[id_column], id_column)
        _check_ids_as_csv_reads_them(raw[id_column], id_column)
    if id_column == target:
        raise AuthoringError(f"the id column and the target are both {target!r}; give another --target.")

    datetimes = {c: _iso_format(raw[c]) for c in columns if _is_datetime(raw[c]) and c != time}
    time_format = _time_format(raw, time) if time is not None else None
    if time is not None and time_format is not None:
        datetimes = {time: time_format, **datetimes}
    bool_target = target if column_kind(raw[target]) == "bool" else None
    if task is None and metric is not None and _ranking_metric(metric):
        task = "ranking"  # a ranking metric is the one sign of a ranking task: never inferred from data
    if task is not None and task.removeprefix("text-") == "ranking":
        _check_given_task(task, raw[target])

    scheme = _choose_scheme(folds, group, time)
    draft = Draft(
        slug=slug,
        title=_title(slug),
        summary=f"Predict {target} from the other columns of {source.name}.",
        id_column=id_column,
        target_columns=(target,),
        source_name=f"{source.name}, provided by the competition's author",
        source_changes=(
            f"{source.name} is copied unchanged as source.{fmt}"
            + ("; an id column numbered 0..n-1 in file order is added" if added_id else "")
            + (f"; {', '.join(datetimes)} written as ISO dates" if datetimes else "")
            + (f"; {target} True/False becomes 1/0" if bool_target else "")
            + "."
        ),
        test_fraction=test_size,
        public_fraction=public,
        cv_scheme=scheme,
        cv_column=group or time,
        notes=notes,
    )
    prepare_text = _prepare_source_new(
        slug, fmt, source.name, id_column if added_id else None, datetimes, bool_target
    )
    if task is not None and task.removeprefix("text-") == "ranking":
        prepare_text += ranking_sample_source(id_column, target)

    def build(frame: pd.DataFrame) -> None:
        fill_task_and_metric(draft, frame, task, metric)
        _fill_scheme(draft, frame, folds)
        draft.split_text = _split_text(draft)

    return write_competition(ws, draft, {f"source.{fmt}": source}, prepare_text, build)


def check_new_slug(ws: Workspace, slug: str) -> None:
    """Refuse a slug that is not kebab-case or already names a competition folder."""
    if not SLUG_PATTERN.match(slug):
        raise AuthoringError(
            f"{slug!r} is not a kebab-case slug: use lowercase letters, digits and single hyphens, "
            "such as 'house-prices'."
        )
    if ws.competition_dir(slug).exists():
        raise AuthoringError(
            f"competition {slug!r} already exists at {ws.competition_dir(slug)}; choose another slug "
            f"or remove it with `compete delete {slug}` first."
        )
    leftovers = [p for p in (ws.data_dir(slug), ws.private_dir(slug), ws.submissions_dir(slug)) if p.exists()]
    if leftovers:
        raise AuthoringError(
            f"an earlier competition {slug!r} left its data behind ({', '.join(map(str, leftovers))}), "
            f"which a new one would meet; run `compete delete {slug}` to remove them, or choose another slug."
        )


def check_ids(ids: pd.Series, name: str) -> None:
    """Refuse an id column with missing or duplicated values (count and examples)."""
    missing = int(ids.isna().sum())
    if missing:
        raise AuthoringError(
            f"the id column {name!r} has {missing} missing values; every row needs an id "
            "(drop --id to number the rows instead)."
        )
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        values = list(dict.fromkeys(duplicated.tolist()))
        shown = ", ".join(repr(v) for v in values[:5])
        raise AuthoringError(
            f"the id column {name!r} has {len(values)} duplicated values ({len(duplicated)} rows), "
            f"e.g. {shown}; ids must be unique — give another --id, or leave it out to number the rows."
        )


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file; a missing or unreadable file is an AuthoringError."""
    import pandas as pd

    fmt = _source_format(path)
    if not path.is_file():
        raise AuthoringError(f"no file at {path}; give the path of a CSV or Parquet file.")
    if fmt == "csv":
        check_csv_header(path)
    try:
        return pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except Exception as exc:  # a parser's own error names the line or the column
        raise AuthoringError(f"{path} could not be read as {fmt}: {type(exc).__name__}: {exc}") from None


def check_csv_header(path: Path) -> None:
    """Refuse a CSV file whose header is not a header of its rows.

    A header with fewer fields than the rows makes pandas turn the first fields of every row into an
    index, which a competition would then drop without a word (scikit-learn's bundled wine_data.csv
    starts `178,13,class_0,...`: 5 fields above rows of 14); one with more fields fills columns with
    nothing. A header of numbers only is a first row of data. Raises AuthoringError naming the lines.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header: list[str] | None = None
            header_line = 0
            differing: list[tuple[int, int]] = []
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if header is None:
                    header, header_line = row, reader.line_num
                    continue
                if len(row) != len(header):
                    differing.append((reader.line_num, len(row)))
                    if len(differing) > HEADER_EXAMPLES:
                        break
    except (UnicodeDecodeError, csv.Error):
        return  # pandas' own reader names what breaks such a file
    if header is None:
        return
    if differing:
        shown = ", ".join(f"line {line} has {count}" for line, count in differing[:HEADER_EXAMPLES])
        more = " (and more lines)" if len(differing) > HEADER_EXAMPLES else ""
        raise AuthoringError(
            f"{path.name}: the header (line {header_line}) has {len(header)} fields but the rows differ: "
            f"{shown}{more}. Every line needs as many fields as the header; if line {header_line} is not "
            "the header of these rows, replace it with one naming every column (nothing was written)."
        )
    if all(_is_number(name) for name in header):
        raise AuthoringError(
            f"{path.name}: the first line ({','.join(header)[:60]}) holds only numbers, so it looks like a "
            "row of data, not a header. Add a first line naming the columns (nothing was written)."
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_ids_as_csv_reads_them(ids: pd.Series, name: str) -> None:
    """Refuse ids that are unique as text but not once CSV reads them as numbers ('5' and '05').

    The public files are CSV, and `prepare` reads the data as CSV reads it (see the generated
    prepare.py), so two such ids would become one.
    """
    import io

    import pandas as pd

    read = pd.read_csv(io.StringIO(ids.to_frame().to_csv(index=False)))[name]
    clashes = ids[read.duplicated(keep=False).to_numpy()]
    if len(clashes):
        shown = ", ".join(repr(str(v)) for v in clashes.head(4))
        raise AuthoringError(
            f"the id column {name!r} holds ids that differ as text but not as numbers, e.g. {shown}: "
            "the public CSV files would read them as the same id. Give ids that differ as numbers too "
            "(or with a letter in each), or leave --id out to number the rows."
        )


def _source_format(path: Path) -> str:
    fmt = SOURCE_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise AuthoringError(
            f"{path.name}: only CSV (.csv) and Parquet (.parquet) files can become a competition."
        )
    return fmt


def _require_column(name: str, columns: Sequence[str], what: str, option: str) -> None:
    if name not in columns:
        import difflib

        by_fold = {c.casefold(): c for c in columns}
        close = [by_fold[name.casefold()]] if name.casefold() in by_fold else []
        close += [c for c in difflib.get_close_matches(name, columns, n=3, cutoff=0.6) if c not in close]
        mean = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise AuthoringError(
            f"the {what} {name!r} is not a column of the data; the columns are: "
            f"{', '.join(columns)}. Give one of them with {option}.{mean}"
        )


def _check_fraction(option: str, value: float) -> None:
    if not 0 < value < 1:
        raise AuthoringError(f"{option} must be a fraction strictly between 0 and 1, not {value}.")


def _title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _choose_scheme(folds: str | None, group: str | None, time: str | None) -> str:
    if folds is not None and folds not in CV_SCHEMES:
        raise AuthoringError(f"--folds {folds!r} is not a scheme; choose one of {', '.join(CV_SCHEMES)}.")
    implied = "group" if group else "time" if time else None
    if folds in ("group", "time") and implied != folds:
        raise AuthoringError(f"--folds {folds} needs the column to {folds} by: add --{folds} COLUMN.")
    if folds is not None and implied is not None and folds != implied:
        raise AuthoringError(f"--{implied} asks for {implied} folds, but --folds says {folds}; drop one.")
    return implied or folds or ""


def _is_datetime(series: pd.Series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_datetime64_any_dtype(series))


def _time_format(raw: pd.DataFrame, column: str) -> str | None:
    """How load() writes the time column: None keeps numbers; dates become ISO text that sorts in time."""
    import pandas as pd

    series = raw[column]
    if series.isna().any():
        raise AuthoringError(
            f"the time column {column!r} has {int(series.isna().sum())} missing values; "
            "every row needs a time to order the test set after the training set."
        )
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return None
    try:
        parsed = series if _is_datetime(series) else pd.to_datetime(series, format="mixed")
    except (ValueError, TypeError):
        raise AuthoringError(
            f"the time column {column!r} holds neither numbers nor dates (e.g. {series.iloc[0]!r}); "
            "give a column of dates, times or time steps with --time."
        ) from None
    return _iso_format(parsed)


def _iso_format(parsed: pd.Series) -> str:
    """ISO dates, with the time of day only when some value has one."""
    values = parsed.dropna()
    has_time = bool((values != values.dt.normalize()).any())
    return "%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d"


def _prepare_source_new(
    slug: str,
    fmt: str,
    original: str,
    added_id: str | None,
    datetimes: dict[str, str],
    bool_target: str | None,
) -> str:
    reader = "pd.read_csv(SOURCE)" if fmt == "csv" else "pd.read_parquet(SOURCE)"
    lines = [
        f'"""Build `{slug}` from source.{fmt} (a copy of {original}); the harness carves the test set."""',
        "",
        "import io",
        "from pathlib import Path",
        "",
        "import pandas as pd",
        "",
        f'SOURCE = Path(__file__).parent / "source.{fmt}"',
        "",
        "",
        "def load() -> pd.DataFrame:",
        f"    frame = {reader}",
    ]
    if added_id:
        lines.append(
            f"    frame.insert(0, {py_literal(added_id)}, range(len(frame)))  # row number in file order"
        )
    for column, fmt_text in datetimes.items():
        lines += [
            "    # dates as ISO text, which sorts in time order",
            f'    when = pd.to_datetime(frame[{py_literal(column)}], format="mixed")',
            f"    frame[{py_literal(column)}] = when.dt.strftime({py_literal(fmt_text)})",
        ]
    if bool_target:
        target = py_literal(bool_target)
        lines.append(f"    frame[{target}] = frame[{target}].astype(int)  # True/False becomes 1/0")
    lines += [
        "    # The public files are CSV: give back the frame as CSV reads it, so one schema fits both.",
        "    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))",
        "",
    ]
    return "\n".join(lines)


def ranking_sample_source(id_column: str, target: str) -> str:
    """A `sample_predictions` for a ranking task: the k items most frequent in training, for every row."""
    return "\n".join(
        [
            "",
            "",
            "def sample_predictions(train: pd.DataFrame, test: pd.DataFrame, card) -> pd.DataFrame:",
            '    """The k items most frequent among the training targets, best first, for every test row."""',
            f'    k = int(card.metric_options.get("k", {RANKING_K}))',
            f"    items = train[{py_literal(target)}].astype(str).str.split().explode().value_counts()",
            '    top = " ".join(items.sort_index(kind="stable").sort_values(ascending=False, kind="stable")'
            ".index[:k])",
            f"    return pd.DataFrame({{{py_literal(id_column)}: test[{py_literal(id_column)}].to_numpy(), "
            f"{py_literal(target)}: top}})",
            "",
        ]
    )


def py_literal(value: Any) -> str:
    """A Python literal in the style ruff formats (double-quoted strings)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    return repr(value)


# --------------------------------------------------------------------------------------------------
# Inference


def profile_column(series: pd.Series) -> ColumnProfile:
    """Type, nulls, distinct values, range, categories and a few examples of one column."""
    import pandas as pd

    kind = column_kind(series)
    values = series.dropna()
    unique = int(values.nunique())
    examples = tuple(_short(v) for v in list(dict.fromkeys(values.tolist()))[:3])
    minimum = maximum = categories = None
    free_text = False
    distinct = tuple(_sorted_values(values)) if unique <= MAX_CLASSES else None
    if kind in ("int", "float") and len(values):
        minimum, maximum = values.min().item(), values.max().item()
    if kind == "str" and len(values):
        words = values.astype(str).str.split().str.len().mean()
        free_text = bool(words >= TEXT_MIN_WORDS and unique >= 0.3 * len(values))
        if not free_text and unique <= MAX_CATEGORIES and unique < 0.5 * len(values):
            categories = tuple(sorted(values.astype(str).unique().tolist()))
    if kind == "bool" and len(values):
        categories = tuple(sorted(pd.unique(values).tolist()))
    return ColumnProfile(
        name=str(series.name),
        kind=kind,
        nulls=int(series.isna().sum()),
        unique=unique,
        minimum=minimum,
        maximum=maximum,
        categories=categories,
        distinct=distinct,
        examples=examples,
        free_text=free_text,
    )


def column_kind(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    if pd.api.types.is_string_dtype(series) and series.dropna().map(type).eq(str).all():
        return "str"
    return "object"


def infer_task(target: pd.Series, free_text: Sequence[str]) -> tuple[str, str]:
    """The task a target column implies, and why; refuses a target with one value or with nulls."""
    values = _target_values(target)
    kind = column_kind(target)
    n = int(values.nunique())
    name = str(target.name)
    prefix = "text-" if free_text else ""
    text_note = f"; free-text column(s) {', '.join(free_text)} make it a text task" if free_text else ""
    if n == 2:
        shown = ", ".join(str(v) for v in _sorted_values(values))
        return prefix + "binary", f"2 distinct values in {name!r} ({shown}){text_note}"
    discrete = kind in ("str", "bool", "object", "int") or (
        kind == "float" and bool((values == values.round()).all())
    )
    if discrete and n <= MAX_CLASSES:
        return prefix + "multiclass", f"{n} discrete values in {name!r} (at most {MAX_CLASSES}){text_note}"
    if kind in ("int", "float"):
        return prefix + "regression", f"{name!r} is numeric with {n} distinct values{text_note}"
    raise AuthoringError(
        f"the target {name!r} holds {n} distinct non-numeric values: too many for classes (at most "
        f"{MAX_CLASSES}) and not numbers; give --task multiclass to keep them all as classes, or choose "
        "another --target."
    )


def _target_values(target: pd.Series) -> pd.Series:
    name = str(target.name)
    missing = int(target.isna().sum())
    if missing:
        raise AuthoringError(
            f"the target {name!r} is missing in {missing} rows; drop those rows from the file first "
            "(a competition scores every test row)."
        )
    values = target.dropna()
    if values.nunique() < 2:
        only = values.tolist()[0] if len(values) else "(no rows)"
        raise AuthoringError(
            f"the target {name!r} has a single value ({only!r}) in every row: there is nothing to "
            "predict. Choose another --target."
        )
    return values


def _sorted_values(values: pd.Series) -> list[Any]:
    unique = list(dict.fromkeys(values.tolist()))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=str)


def class_labels(target: pd.Series) -> tuple[str, ...]:
    """The classes of a target as strings, in the order of their values (binary: positive last)."""
    return tuple(str(v) for v in _sorted_values(target.dropna().astype(target.dtype)))


def free_text_columns(frame: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    return [str(c) for c in frame.columns if c not in exclude and profile_column(frame[c]).free_text]


def fill_task_and_metric(
    draft: Draft, frame: pd.DataFrame, task: str | None, metric: str | None, task_option: bool = True
) -> None:
    """Set the draft's task, classes and metric from the options, inferring what is not given.

    `task_option` says whether the command has a --task option to override the inferred task with
    (`compete new` has; an import takes the task from the competition's own files and card).
    """
    from harness import metrics

    target = frame[draft.target_columns[0]]
    text = free_text_columns(frame, [draft.id_column, *draft.target_columns])
    if task is None:
        try:
            draft.task, why = infer_task(target, text)
        except AuthoringError as exc:
            if task_option:
                raise
            raise AuthoringError(
                str(exc).replace("give --task multiclass to keep them all as classes, or ", "")
            ) from None
        override = "override with --task" if task_option else f"edit task in {CARD_FILE} to change it"
        draft.notes.append(f"task: {draft.task} (inferred: {why}; {override})")
    else:
        if task not in TASKS:
            raise AuthoringError(f"--task {task!r} is not a task; choose one of {', '.join(TASKS)}.")
        _check_given_task(task, target)
        draft.task = task
    base = draft.base_task
    if base in ("binary", "multiclass"):
        draft.classes = class_labels(target)
        if base == "binary":
            draft.notes.append(f"classes: {', '.join(draft.classes)} (positive class: {draft.classes[-1]})")
    fitting = metrics.names_for_task(base)
    if metric is None:
        preferred = [m for m in DEFAULT_METRICS.get(base, ()) if m in fitting] or fitting
        if not preferred:
            raise AuthoringError(f"no metric in the registry fits task {draft.task!r} yet.")
        draft.metric = preferred[0]
        draft.notes.append(f"metric: {draft.metric} (default for {base}; override with --metric)")
    else:
        if metric not in metrics.metric_names():
            raise AuthoringError(
                f"--metric {metric!r} names no metric; metrics for {draft.task}: {', '.join(fitting)}."
            )
        if metric not in fitting:
            raise AuthoringError(
                f"--metric {metric!r} does not fit task {draft.task!r}; metrics that do: "
                f"{', '.join(fitting) or '(none yet)'}."
            )
        draft.metric = metric
    if draft.metric == "map_at_k":
        draft.metric_options.setdefault("k", RANKING_K)


def _ranking_metric(name: str) -> bool:
    from harness import metrics

    return name in metrics.metric_names() and metrics.get(name).tasks == frozenset({"ranking"})


def _check_given_task(task: str, target: pd.Series) -> None:
    values = _target_values(target)
    base = task.removeprefix("text-")
    name, n = str(target.name), int(values.nunique())
    if base == "binary" and n != 2:
        raise AuthoringError(
            f"--task {task} needs a target with exactly 2 values; {name!r} has {n}. "
            "Use multiclass or regression."
        )
    if base == "regression" and column_kind(target) not in ("int", "float"):
        raise AuthoringError(f"--task {task} needs a numeric target; {name!r} holds text.")
    if base == "ranking" and column_kind(target) != "str":
        raise AuthoringError(
            f"--task {task} needs a target of space-separated items (text), best first; {name!r} holds "
            f"{column_kind(target)} values."
        )


def _fill_scheme(draft: Draft, frame: pd.DataFrame, folds: str | None) -> None:
    """Choose the CV scheme (and so how the test set is carved) and the number of folds."""
    classification = draft.base_task in ("binary", "multiclass")
    if not draft.cv_scheme:
        draft.cv_scheme = "stratified" if classification else "kfold"
        draft.notes.append(
            f"folds: {draft.cv_scheme} (default for {draft.base_task}; --group or --time to change)"
        )
    if draft.cv_scheme == "stratified" and not classification:
        raise AuthoringError(
            f"--folds stratified needs a classification target; {draft.target_columns[0]!r} is a "
            f"{draft.base_task} target. Use kfold, group or time."
        )
    n_test = int(round(len(frame) * draft.test_fraction))
    n_public = int(round(n_test * draft.public_fraction))
    if not 0 < n_public < n_test:
        raise AuthoringError(
            f"with {len(frame)} rows, --test-size {draft.test_fraction} and --public {draft.public_fraction} "
            f"give {n_test} test rows of which {n_public} public: both boards need rows. "
            "Raise --test-size, or move --public towards 0.5."
        )
    k = DEFAULT_K
    if draft.cv_scheme == "stratified":
        counts = frame[draft.target_columns[0]].value_counts()
        rare = counts[counts < 2]
        if len(rare):
            raise AuthoringError(
                f"class {rare.index[0]!r} of {draft.target_columns[0]!r} has a single row: a stratified "
                "split needs at least 2 per class. Drop those rows, or use --folds kfold."
            )
        k = max(2, min(DEFAULT_K, int(counts.min() * (1 - draft.test_fraction))))
    if draft.cv_scheme == "group":
        assert draft.cv_column is not None
        groups = frame[draft.cv_column]
        if groups.isna().any():
            raise AuthoringError(
                f"the group column {draft.cv_column!r} is missing in {int(groups.isna().sum())} rows; "
                "every row needs a group."
            )
        n_groups = int(groups.nunique())
        if n_groups < 4:
            raise AuthoringError(
                f"the group column {draft.cv_column!r} has only {n_groups} groups; grouped folds need at "
                "least 4 (whole groups go to the test set and to each fold)."
            )
        k = max(2, min(DEFAULT_K, int(n_groups * (1 - draft.test_fraction)) // 2))
    draft.cv_k = k


def _split_text(draft: Draft) -> str:
    how = {
        "stratified": "a stratified draw on the target",
        "kfold": "a random draw",
        "group": f"whole groups of `{draft.cv_column}` (a group is never on both sides)",
        "time": f"the latest rows by `{draft.cv_column}` (the test set lies after the training set)",
    }[draft.cv_scheme]
    return (
        f"The test set is {draft.test_fraction:.0%} of the rows, carved by {how} (seed {draft.seed}); "
        f"{draft.public_fraction:.0%} of it, drawn with seed {draft.seed + 1}, is the public board."
    )


# --------------------------------------------------------------------------------------------------
# Writing a competition folder


def copy_as_is(source: Path, destination: Path) -> int:
    """Copy a file or a whole folder (hard links where the file system allows); returns the bytes."""
    if source.is_dir():
        shutil.copytree(source, destination, copy_function=_link_or_copy)
        return sum(p.stat().st_size for p in destination.rglob("*") if p.is_file())
    _link_or_copy(source, destination)
    return destination.stat().st_size


def _link_or_copy(source: str | Path, destination: str | Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def write_competition(
    ws: Workspace,
    draft: Draft,
    files: dict[str, Path],
    prepare_text: str,
    build: Callable[[pd.DataFrame], None],
) -> Authored:
    """Write the folder beside its place, dry-run prepare on it, then rename it into place.

    `files` are copied in (destination name → source path); `build(frame)` completes the draft from
    the frame the new `prepare.py`'s `load()` returns (task, metric, scheme), before the schema,
    card and description are written from it.
    """
    check_new_slug(ws, draft.slug)
    if not ws.competitions_dir.is_dir():
        raise AuthoringError(f"{ws.competitions_dir} is not a folder; run compete inside a workspace.")
    final = ws.competition_dir(draft.slug)
    partial = ws.competitions_dir / f".{draft.slug}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        size = 0
        for name, path in files.items():
            (partial / name).parent.mkdir(parents=True, exist_ok=True)
            size += copy_as_is(path, partial / name)
        (partial / "prepare.py").write_text(prepare_text, encoding="utf-8")
        frame = _load_frame(partial, draft.slug)
        missing = [c for c in (draft.id_column, *draft.target_columns) if c not in frame.columns]
        assert not missing, f"load() lost columns {missing}"
        build(frame)
        profiles = [profile_column(frame[c]) for c in frame.columns]
        (partial / "schema.py").write_text(schema_source(draft, profiles), encoding="utf-8")
        (partial / "description.md").write_text(description_source(draft, profiles), encoding="utf-8")
        (partial / CARD_FILE).write_text(card_source(draft), encoding="utf-8")
        card = parse_card(partial / CARD_FILE, draft.slug)
        dry_run(card)
        if size > LARGE_SOURCE_BYTES:
            draft.notes.append(
                f"data: {size / 1e6:.0f} MB copied into the folder; keep it out of git (.gitignore or LFS)"
            )
        shutil.rmtree(partial / "__pycache__", ignore_errors=True)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Authored(
        slug=draft.slug,
        folder=final,
        task=draft.task,
        metric=draft.metric,
        id_column=draft.id_column,
        target_columns=draft.target_columns,
        classes=draft.classes,
        cv_scheme=draft.cv_scheme,
        cv_column=draft.cv_column,
        rows=len(frame),
        columns=len(frame.columns),
        files=tuple(sorted(str(p.relative_to(final)) for p in final.rglob("*") if p.is_file())),
        data_bytes=size,
        notes=tuple(draft.notes),
    )


def _load_frame(folder: Path, slug: str) -> pd.DataFrame:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        f"compete_authoring_{slug.replace('-', '_')}", folder / "prepare.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frame = module.load()
    frame.columns = [str(c) for c in frame.columns]
    return frame


def dry_run(card: Card) -> None:
    """Prepare in memory: load, split, validate train, test and the sample submission with the schemas.

    Nothing is written; a data set the harness cannot carve raises AuthoringError.
    """
    from harness import prepare, schemas
    from harness.competition import load_module
    from harness.errors import KernelError
    from harness.folds import check_foldable

    module = load_module(card, "prepare")
    models = schemas.load_models(card)
    frame = prepare.targets_as_scored(card, module.load())
    splitter = getattr(module, "split", None)
    try:
        train, test_full = splitter(frame, card) if splitter else prepare.carve(frame, card)
    except ValueError as exc:
        raise AuthoringError(f"the test set cannot be carved from this data: {exc}") from None
    test = test_full.drop(columns=list(card.target_columns))
    sampler = getattr(module, "sample_predictions", None)
    sample = sampler(train, test, card) if sampler else prepare.baseline_submission(train, test, card)
    try:
        check_foldable(card, train.sort_values(card.id_column, kind="stable").reset_index(drop=True))
    except KernelError as exc:
        raise AuthoringError(f"the training set cannot be cross-validated as the card says: {exc}") from None
    schemas.validate(models["Train"], train.reset_index(drop=True), f"{card.slug} train")
    schemas.validate(models["Test"], test.reset_index(drop=True), f"{card.slug} test")
    schemas.validate(models["Submission"], sample, f"{card.slug} sample submission")


def card_source(draft: Draft) -> str:
    """The card as TOML text, every field filled."""
    top: list[tuple[str, Any]] = [
        ("title", draft.title),
        ("summary", draft.summary),
        ("task", draft.task),
        ("metric", draft.metric),
        ("id_column", draft.id_column),
        ("target_columns", list(draft.target_columns)),
    ]
    if draft.classes is not None:
        top.append(("classes", list(draft.classes)))
    lines = [f"{k} = {toml_value(v)}" for k, v in top]
    if draft.metric_options:
        lines.append(f"metric_options = {toml_value(draft.metric_options)}")
    tables: list[tuple[str, list[tuple[str, Any]]]] = [
        (
            "split",
            [
                ("test_fraction", draft.test_fraction),
                ("seed", draft.seed),
                ("public_fraction", draft.public_fraction),
                ("public_seed", draft.seed + 1),
            ],
        ),
        (
            "cv",
            [("scheme", draft.cv_scheme), ("k", draft.cv_k), ("seed", 42)]
            + ([("column", draft.cv_column)] if draft.cv_column else []),
        ),
        (
            "rules",
            [("daily_limit", 5), ("final_selections", 2)]
            + (
                [("row_sum_tolerance", draft.row_sum_tolerance)]
                if draft.row_sum_tolerance is not None
                else []
            ),
        ),
        (
            "source",
            [
                ("name", draft.source_name),
                ("url", draft.source_url),
                ("licence", draft.source_licence),
                ("changes", draft.source_changes),
            ],
        ),
    ]
    for name, entries in tables:
        lines += ["", f"[{name}]", *(f"{k} = {toml_value(v)}" for k, v in entries)]
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    """A TOML literal for a string, number, boolean, list or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML literal for {value!r}")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


# --------------------------------------------------------------------------------------------------
# schema.py


_PANDERA_TYPES = {"int": "int", "float": "float", "bool": "bool", "str": "str", "object": "object"}


def schema_source(draft: Draft, profiles: list[ColumnProfile]) -> str:
    """`schema.py` as readable Python: Test (features), Train (+ target), Submission."""
    from harness.metrics import Prediction

    by_name = {p.name: p for p in profiles}
    names = _AttributeNames()
    targets = set(draft.target_columns)
    test_lines = []
    for p in profiles:
        if p.name in targets:
            continue
        test_lines.append(_field_line(names, p, is_id=p.name == draft.id_column))
    # An open-label answer may be 'nan', the grader's text for a missing one: pandas reads it as missing.
    open_label = True if draft.task == "open-label" else None
    train_lines = [
        _field_line(names, by_name[t], classification=draft.classes is not None, nullable=open_label)
        for t in draft.target_columns
    ]

    id_profile = by_name[draft.id_column]
    sub_lines = [_field_line(names, id_profile, is_id=True)]
    kind = prediction_kind(draft.metric, draft.task)
    probability = "pa.Field(ge=0, le=1, coerce=True{alias})"
    if kind is Prediction.CLASS_PROBABILITIES:
        assert draft.classes is not None
        for label in draft.classes:
            attr, alias = names.attribute(label)
            sub_lines.append(f"    {attr}: Series[float] = {probability.format(alias=alias)}")
    else:
        for t in draft.target_columns:
            attr, alias = names.attribute(t)
            if kind is Prediction.LABEL:
                sub_lines.append(_field_line(names, by_name[t], classification=True, nullable=False))
            elif kind in (Prediction.PROBABILITY, Prediction.PROBABILITIES):
                sub_lines.append(f"    {attr}: Series[float] = {probability.format(alias=alias)}")
            elif kind in (Prediction.VALUE, Prediction.VALUES):
                sub_lines.append(f"    {attr}: Series[float] = pa.Field(coerce=True{alias})")
            else:
                sub_lines.append(f"    {attr}: Series[str] = pa.Field(nullable=True{alias})")

    config = ["", "    class Config:", "        strict = True"]
    return "\n".join(
        [
            f'"""The data of `{draft.slug}`, described as pandera models (inferred from the data by',
            '`compete`; ranges and categories are those observed: edit them if you know better)."""',
            "",
            "import pandera.pandas as pa",
            "from pandera.typing import Series",
            "",
            "",
            "class Test(pa.DataFrameModel):",
            *test_lines,
            *config,
            "",
            "",
            "class Train(Test):",
            *train_lines,
            "",
            "",
            "class Submission(pa.DataFrameModel):",
            *sub_lines,
            *config,
            "",
        ]
    )


class _AttributeNames:
    """Python attribute names for columns; a column that is no identifier keeps its name as an alias."""

    def __init__(self) -> None:
        import pandera.pandas as pa

        self.reserved = set(dir(pa.DataFrameModel)) | {"Config", "Series", "pa"}
        self.taken: dict[str, str] = {}

    def attribute(self, column: str) -> tuple[str, str]:
        """(attribute name, `, alias=...` text or '')."""
        if column in self.taken:
            attr = self.taken[column]
        elif (
            column.isidentifier()
            and not keyword.iskeyword(column)
            and column not in self.reserved
            and not column.startswith("_")
        ):
            attr = column
        else:
            base = re.sub(r"\W+", "_", column).strip("_") or "column"
            if base[0].isdigit() or keyword.iskeyword(base) or base in self.reserved:
                base = f"col_{base}"
            attr, n = base, 2
            while attr in self.taken.values():
                attr, n = f"{base}_{n}", n + 1
        self.taken[column] = attr
        return attr, ("" if attr == column else f", alias={py_literal(column)}")


def _field_line(
    names: _AttributeNames,
    p: ColumnProfile,
    *,
    is_id: bool = False,
    classification: bool = False,
    nullable: bool | None = None,
) -> str:
    attr, alias = names.attribute(p.name)
    args: list[str] = []
    if is_id:
        args.append("unique=True")
    elif classification and p.distinct is not None:
        args.append(f"isin={py_literal(list(p.distinct))}")
    elif p.categories is not None and p.kind == "str":
        args.append(f"isin={py_literal(list(p.categories))}")
    elif p.kind in ("int", "float") and p.minimum is not None:
        lo, hi = _bounds(p)
        args += [f"ge={lo}", f"le={hi}"]
    if (p.nulls > 0 if nullable is None else nullable) and not is_id:
        args.append("nullable=True")
    field_text = f" = pa.Field({', '.join(args)}{alias})" if args or alias else ""
    if field_text and not args:
        field_text = f" = pa.Field({alias.removeprefix(', ')})"
    return f"    {attr}: Series[{_PANDERA_TYPES[p.kind]}]{field_text}"


def _bounds(p: ColumnProfile) -> tuple[str, str]:
    """Observed min/max; floats rounded outwards to 4 significant digits so the schema reads well."""
    if p.kind == "int":
        return str(int(p.minimum)), str(int(p.maximum))
    return _round(float(p.minimum), math.floor), _round(float(p.maximum), math.ceil)


def _round(x: float, direction: Callable[[float], float]) -> str:
    if x == 0 or not math.isfinite(x):
        return repr(x)
    if x == int(x) and abs(x) < 1e15:
        return repr(float(int(x)))
    step = 10.0 ** (math.floor(math.log10(abs(x))) - 3)
    value = direction(x / step) * step
    digits = max(0, -(math.floor(math.log10(abs(x))) - 3))
    text = f"{value:.{digits}f}"
    if (direction is math.floor and float(text) > x) or (direction is math.ceil and float(text) < x):
        text = f"{value - step if direction is math.floor else value + step:.{digits}f}"
    return text


# --------------------------------------------------------------------------------------------------
# description.md


def description_source(draft: Draft, profiles: list[ColumnProfile]) -> str:
    from harness.metrics import Prediction
    from harness.metrics import get as get_metric

    metric = get_metric(draft.metric)
    direction = "Higher is better" if metric.greater_is_better else "Lower is better"
    kind = prediction_kind(draft.metric, draft.task)
    positive = draft.classes[-1] if draft.classes else "?"
    if kind is Prediction.CLASS_PROBABILITIES:
        assert draft.classes is not None
        header = [draft.id_column, *draft.classes]
        what = "one probability per class (each row summing to 1)"
    else:
        header = [draft.id_column, *draft.target_columns]
        what = {
            Prediction.LABEL: "the predicted label",
            Prediction.PROBABILITY: f"the probability of the positive class ({positive})",
            Prediction.VALUE: "the predicted value",
            Prediction.RANKING: "the predicted items, space-separated, best first",
            Prediction.TEXT: "the predicted text (any text; right when it is the answer as written)",
            Prediction.VALUES: "one predicted value per target",
            Prediction.PROBABILITIES: f"one probability of the positive class ({positive}) per target",
        }[kind]
    by_name = {p.name: p for p in profiles}
    example = [by_name[draft.id_column].examples[0], *_example_predictions(draft, by_name, kind)]
    roles = {draft.id_column: "id", **dict.fromkeys(draft.target_columns, "target (train only)")}
    if draft.cv_column:
        roles.setdefault(draft.cv_column, f"{draft.cv_scheme} column of the folds")
    rows = [
        f"| {_cell(p.name)} | {p.kind}{' (free text)' if p.free_text else ''} | "
        f"{roles.get(p.name, 'feature')} | {p.nulls} | {_cell(', '.join(p.examples))} |"
        for p in profiles
    ]
    classes = f"\nClasses: {', '.join(draft.classes)}.\n" if draft.classes else ""
    story = (
        "## The competition's own description\n\n" + _demote(draft.story.strip())
        if draft.story.strip()
        else f"{TODO}: the story. What do the rows describe, who collected them and why, and what is "
        "worth predicting here?"
    )
    return "\n".join(
        [
            f"# {draft.title}",
            "",
            story,
            "",
            f"{draft.summary}",
            "",
            f"## Metric: {draft.metric}",
            f"{metric.title}:",
            "",
            f"$${metric.formula}$$",
            "",
            f"{direction}.",
            "",
            "## Submission",
            f"A CSV with a header and one row per test row: the id, then {what}.",
            "",
            "```",
            ",".join(header),
            ",".join(example),
            "```",
            classes,
            "## Data dictionary",
            "| column | type | role | nulls | examples |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"{TODO}: what each column means, and its unit.",
            "",
            "## Validation",
            draft.split_text,
            f"Cross-validation: {draft.cv_scheme}, k={draft.cv_k}"
            + (f", by {_cell(draft.cv_column)}." if draft.cv_column else "."),
            "",
            "## Source and licence",
            f"Source: {_cell(draft.source_name)}. URL: {draft.source_url}.",
            f"Licence: {draft.source_licence}.",
            f"What was changed: {draft.source_changes}",
            "",
        ]
    )


def prediction_kind(metric_name: str, task: str) -> Any:
    """The prediction kind `metric_name` scores for `task` (log_loss scores two kinds)."""
    from harness.metrics import get as get_metric

    metric = get_metric(metric_name)
    by_task = getattr(metric, "prediction_for", None)
    return by_task(task) if by_task is not None else metric.prediction


def _example_predictions(draft: Draft, by_name: dict[str, ColumnProfile], kind: Any) -> list[str]:
    """One illustrative row of predictions for the submission example."""
    from harness.metrics import Prediction

    target = by_name[draft.target_columns[0]]
    if kind is Prediction.CLASS_PROBABILITIES:
        k = len(draft.classes or ())
        return [f"{1 / k:.3f}"] * k
    if kind is Prediction.PROBABILITY:
        return ["0.5"]
    if kind is Prediction.PROBABILITIES:
        return ["0.5"] * len(draft.target_columns)
    if kind is Prediction.VALUES:
        return [str(by_name[t].examples[0]) for t in draft.target_columns]
    if kind is Prediction.LABEL:
        return [str(target.distinct[-1] if target.distinct else target.examples[0])]
    if kind is Prediction.VALUE and target.minimum is not None:
        return [f"{(float(target.minimum) + float(target.maximum)) / 2:.4g}"]
    return [target.examples[0]]


def _demote(markdown: str) -> str:
    """Headings one level down, so a kept description sits under this page's title."""
    return re.sub(r"^(#+) ", lambda m: "#" * min(len(m.group(1)) + 2, 6) + " ", markdown, flags=re.M)


def _cell(text: str) -> str:
    """Text from the data (a column's name, its values, a file's name) for Markdown, shown as it is:
    `[a](b)`, `__x__` or a `|` in a table cell would otherwise be read as markup."""
    text = re.sub(r"([\\`*\[\]<>|#])", r"\\\1", text.replace("\n", " "))
    return re.sub(r"(?<![^\W_])_|_(?![^\W_])", r"\\_", text)  # snake_case stays as it is


def _short(value: Any, width: int = 30) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
